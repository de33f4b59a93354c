// The card side of a quick contactless transaction (Visa qVSDC, EMV Contactless Book C-3; UnionPay qUICS): GPO
// decides and answers in one go — AIP, AFL, Track 2, ATC, IAD, the cryptogram (9F26, CID 9F27), CTQ (9F6C), form
// factor (9F6E) and, with fDDA, Card Authentication Related Data (9F69) and the SDAD (9F4B). No GENERATE AC follows.
// The cryptogram is "posbridge CVN 01" (cryptogram-layout.ts) over the CDOL1 tags' values taken from the PDOL data.
import { buildDolData } from '../../apdu/dol.js';
import { concatBytes, fromHex, toHex } from '../../apdu/hex.js';
import { encodeTlv, type TlvInput } from '../../apdu/tlv.js';
import { dolFormatOf } from '../../emv/data-store.js';
import { ddaDynamicData, signDynamicData } from '../../emv/oda/create.js';
import { u16, type AppState } from './card-state.js';
import { reply, status, type CardContext } from './card-context.js';
import { buildIad, encodeCvr, type AcType } from './cryptogram-layout.js';
import type { ApplicationProfile, QvsdcProfile } from './profile-types.js';

const CID: Readonly<Record<AcType, number>> = { AAC: 0x00, TC: 0x40, ARQC: 0x80 };
const tlv = (tag: number, value: Uint8Array): TlvInput => ({ tag, value });

/** Track 2 equivalent data (57): PAN 'D' YYMM service code 201, discretionary zeros, 'F'-padded. */
function track2(app: ApplicationProfile): Uint8Array {
  const t = `${app.pan}D${app.expiry.slice(0, 4)}2010000000000`;
  return fromHex(t.length % 2 ? `${t}F` : t);
}

/** The card's decision (its own risk management, issuer-defined): AAC, TC below the offline limit, else ARQC. */
function decide(app: AppState, q: QvsdcProfile, ttq: Uint8Array, amount: number | null, currency: string | null): AcType {
  const p = app.image.profile;
  if (p.behaviour.declineOffline) return 'AAC';
  const onlineRequired = (ttq[1] & 0x80) !== 0;
  const offlineOk = q.offlineLimit !== null && amount !== null && amount < q.offlineLimit && currency === p.currency;
  return !onlineRequired && offlineOk ? 'TC' : 'ARQC';
}

/** The CTQ for this transaction: the profile's bits plus the CVM the card wants when the reader requires one. */
function ctqFor(q: QvsdcProfile, ttq: Uint8Array): Uint8Array {
  const ctq = fromHex(q.ctq);
  const cvmRequired = (ttq[1] & 0x40) !== 0;
  // A phone verifies its user itself (CDCVM) whenever the reader accepts that (TTQ byte 3 b7).
  if (q.cvm === 'cdcvm' && (ttq[2] & 0x40) !== 0) ctq[1] |= 0x80;
  // Online PIN only from a reader that takes it (TTQ byte 1 b3); else a signature when the reader can (b2).
  else if (cvmRequired && q.cvm === 'online-pin' && (ttq[0] & 0x04) !== 0) ctq[0] |= 0x80;
  else if (cvmRequired && (q.cvm === 'signature' || q.cvm === 'online-pin') && (ttq[0] & 0x02) !== 0) ctq[0] |= 0x40;
  return ctq;
}

/** GET PROCESSING OPTIONS of a qVSDC application (after the common checks of data-commands.ts). */
export function qvsdcGpo(ctx: CardContext, app: AppState, pdolData: Uint8Array): Uint8Array {
  const img = app.image;
  const q = img.profile.qvsdc;
  if (!q) return status(0x6985);
  if (q.gpoStatus) return status(Number.parseInt(q.gpoStatus, 16));
  app.atc++;
  ctx.session.pdolData = pdolData.slice();
  ctx.session.phase = 'done';
  const field = (tag: number): Uint8Array | undefined => {
    let offset = 0;
    for (const e of img.pdol) {
      if (e.tag === tag) return pdolData.subarray(offset, offset + e.length);
      offset += e.length;
    }
    return undefined;
  };
  const ttq = field(0x9f66) ?? new Uint8Array(4);
  const amountHex = toHex(field(0x9f02) ?? new Uint8Array(0));
  const currency = field(0x5f2a);
  const type = decide(app, q, ttq, /^\d+$/.test(amountHex) ? Number(amountHex) : null, currency ? toHex(currency) : null);
  const ctq = ctqFor(q, ttq);
  const atc = u16(app.atc);
  const cvr = encodeCvr({
    secondAc: 'not-requested', firstAc: type, cdaSigned: false, offlinePinPerformed: false, offlinePinFailed: false, unableToGoOnline: false,
    lastOnlineNotCompleted: false, pinTryLimitExceeded: app.pinTries === 0, lowerLimitExceeded: false, upperLimitExceeded: false,
    issuerAuthPerformed: false, issuerAuthFailed: false, newCard: app.lastOnlineAtc === 0, foreignCurrency: currency !== undefined && toHex(currency) !== img.profile.currency,
    scriptCommands: 0, scriptFailed: false, offlineAmountExceeded: type !== 'TC', declinedByProfile: img.profile.behaviour.declineOffline, applicationBlocked: false,
    pinTries: app.pinTries,
  });
  const iad = buildIad(cvr, app.consecutiveOffline);
  // The cryptogram's data: the CDOL1 tags' values as the PDOL data carried them (the issuer finds them in field 55).
  const acData = buildDolData(img.cdol1, (t) => field(t), dolFormatOf);
  const ac = img.keys.cryptogram(atc, acData, img.aip, iad);
  if (type === 'TC') app.consecutiveOffline++;
  else if (type === 'ARQC') app.lastOnlineAtc = app.atc;
  const parts: TlvInput[] = [tlv(0x82, img.aip)];
  if (img.afl.length) parts.push(tlv(0x94, img.afl));
  parts.push(tlv(0x57, track2(img.profile)), tlv(0x5f34, fromHex(img.profile.psn)), tlv(0x9f10, iad), tlv(0x9f26, ac), tlv(0x9f27, Uint8Array.of(CID[type])), tlv(0x9f36, atc), tlv(0x9f6c, ctq));
  if (q.formFactor) parts.push(tlv(0x9f6e, fromHex(q.formFactor)));
  // fDDA (Book C-3 Annex C): signed for an offline approval, and for an online one when the reader does ODA online.
  if (q.fdda && img.iccKey && type !== 'AAC' && (type === 'TC' || (ttq[0] & 0x01) !== 0)) {
    const v01 = q.fdda.version === '01';
    const car = concatBytes(Uint8Array.of(v01 ? 0x01 : 0x00), ctx.random(4), q.fdda.cardAuthDataLength === 7 ? ctq : new Uint8Array(0));
    const un = field(0x9f37) ?? new Uint8Array(4);
    const terminalData = v01 ? concatBytes(un, field(0x9f02) ?? new Uint8Array(6), currency ?? new Uint8Array(2), car) : un;
    const sdad = signDynamicData(img.iccKey, ddaDynamicData(atc), terminalData, q.fdda.signedDataFormat === '95' ? 0x95 : 0x05);
    if (v01) parts.push(tlv(0x9f69, car));
    parts.push(tlv(0x9f4b, sdad));
  }
  return reply(encodeTlv([{ tag: 0x77, children: parts }]));
}
