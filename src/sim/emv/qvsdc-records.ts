// What personalisation (personalise.ts) takes from a qVSDC profile: the PPSE entry's kernel identifier and the card's
// records. Apart from qvsdc-card.ts (the card's GPO), which needs the card's state, so that personalising a card does not
// import the card (card-state -> personalise -> qvsdc-card -> card-state was an import cycle).
import { fromHex } from '../../apdu/hex.js';
import type { TlvInput } from '../../apdu/tlv.js';
import type { ApplicationProfile } from './profile-types.js';

const tlv = (tag: number, value: Uint8Array): TlvInput => ({ tag, value });
const n = (digits: string): Uint8Array => fromHex(digits.length % 2 ? `0${digits}` : digits);

/** The PPSE entry's kernel identifier (9F2A) when the profile names one (qvsdc or mchip part). */
export function kernelIdentifier(app: ApplicationProfile): TlvInput[] {
  const id = app.qvsdc?.kernelId ?? app.mchip?.kernelId;
  return id ? [tlv(0x9f2a, fromHex(id))] : [];
}

/** A qVSDC card's records (SFI 1, both signed): cardholder data, then version, currency and (fDDA) 9F4A. */
export function qvsdcRecords(app: ApplicationProfile): TlvInput[][] {
  const r1: TlvInput[] = [
    tlv(0x5a, fromHex(app.pan.length % 2 ? `${app.pan}F` : app.pan)),
    tlv(0x5f20, new TextEncoder().encode('POSBRIDGE/TEST CARD')),
    tlv(0x5f24, fromHex(app.expiry)),
    tlv(0x5f25, fromHex(app.effective)),
    tlv(0x5f28, n(app.issuerCountry)),
    tlv(0x9f07, fromHex(app.auc)),
  ];
  const r2: TlvInput[] = [tlv(0x9f08, fromHex(app.appVersion)), tlv(0x9f42, n(app.currency))];
  if (app.oda !== 'none') r2.push(tlv(0x9f4a, Uint8Array.of(0x82)));
  return [r1, r2];
}
