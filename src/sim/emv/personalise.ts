// Personalisation of one virtual card application from its profile: FCI, directory entry, AFL and records with
// certificates signed by the test keys (EMV Book 2 §5–6, Book 3 §10.3). Done once per card, never per command.
import { parseDol, type DolEntry } from '../../apdu/dol.js';
import { concatBytes, fromHex } from '../../apdu/hex.js';
import { encodeTlv, type TlvInput } from '../../apdu/tlv.js';
import type { RsaPrivateKey } from '../../crypto/rsa.js';
import { makeIccCertificate, makeIssuerCertificate, signStaticData } from '../../emv/oda/create.js';
import { sha1 } from '../../crypto/rsa.js';
import { IccKeys } from './icc-keys.js';
import { kernelIdentifier, qvsdcRecords } from './qvsdc-records.js';
import type { ApplicationProfile } from './profile-types.js';
import { SIM_CA_INDEX, simCaPrivateKey, simIccKey, simIssuerKey } from './sim-keys.js';

/** A personalised application: what SELECT, GPO and READ RECORD answer, and the keys the card holds. */
export interface AppImage {
  readonly profile: ApplicationProfile;
  readonly aid: Uint8Array;
  /** FCI template (6F) answered to SELECT. */
  readonly fci: Uint8Array;
  /** Directory entry (61) for the PSE records and the PPSE FCI. */
  readonly entry: TlvInput;
  readonly aip: Uint8Array;
  readonly afl: Uint8Array;
  /** Records by `${sfi}:${record}`, each a whole 70 template. */
  readonly records: ReadonlyMap<string, Uint8Array>;
  /** Static data to authenticate (Book 3 §10.3), as the terminal collects it. */
  readonly staticData: Uint8Array;
  readonly pdol: readonly DolEntry[];
  readonly cdol1: readonly DolEntry[];
  readonly cdol2: readonly DolEntry[];
  readonly iccKey: RsaPrivateKey | null;
  readonly keys: IccKeys;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const tlv = (tag: number, value: Uint8Array): TlvInput => ({ tag, value });
const n = (digits: string): Uint8Array => fromHex(digits.length % 2 ? `0${digits}` : digits);

/** The record key used in AppImage.records. */
export function recordKey(sfi: number, record: number): string {
  return `${sfi}:${record}`;
}

/** Track 2 equivalent data (57): PAN 'D' YYMM service code 201, discretionary zeros, 'F'-padded to whole bytes. */
function track2(app: ApplicationProfile): Uint8Array {
  const t = `${app.pan}D${app.expiry.slice(0, 4)}2010000000000`;
  return fromHex(t.length % 2 ? `${t}F` : t);
}

/** Records of SFI 1 (signed for ODA): cardholder and risk data, then the DOLs (qVSDC: its own, qvsdc-records.ts). */
function signedRecords(app: ApplicationProfile): TlvInput[][] {
  if (app.qvsdc) return qvsdcRecords(app);
  const r1: TlvInput[] = [
    tlv(0x57, track2(app)),
    tlv(0x5a, fromHex(app.pan.length % 2 ? `${app.pan}F` : app.pan)),
    tlv(0x5f20, ascii('POSBRIDGE/TEST CARD')),
    tlv(0x5f24, fromHex(app.expiry)),
    tlv(0x5f25, fromHex(app.effective)),
    tlv(0x5f28, n(app.issuerCountry)),
    tlv(0x5f34, fromHex(app.psn)),
    tlv(0x9f07, fromHex(app.auc)),
    tlv(0x9f08, fromHex(app.appVersion)),
    tlv(0x9f42, n(app.currency)),
    tlv(0x8e, fromHex(app.cvmList)),
    tlv(0x9f0d, fromHex(app.iac.default)),
    tlv(0x9f0e, fromHex(app.iac.denial)),
    tlv(0x9f0f, fromHex(app.iac.online)),
  ];
  if (app.lowerConsecutiveLimit !== null) r1.push(tlv(0x9f14, Uint8Array.of(app.lowerConsecutiveLimit)));
  if (app.upperConsecutiveLimit !== null) r1.push(tlv(0x9f23, Uint8Array.of(app.upperConsecutiveLimit)));
  const r2: TlvInput[] = [tlv(0x8c, fromHex(app.cdol1)), tlv(0x8d, fromHex(app.cdol2))];
  if (app.ddol !== '') r2.push(tlv(0x9f49, fromHex(app.ddol)));
  if (app.oda !== 'none') r2.push(tlv(0x9f4a, Uint8Array.of(0x82)));
  return [r1, r2];
}

/** Certificates (SFI 2, not signed themselves): issuer certificate record, then 93 or the ICC certificate. */
function certificateRecords(profileName: string, app: ApplicationProfile, staticData: Uint8Array, iccKey: RsaPrivateKey | null): TlvInput[][] {
  const rid = app.aid.slice(0, 10);
  const issuerKey = simIssuerKey(profileName, app.aid);
  const serial = sha1(ascii(`${profileName}:${app.aid}`)).slice(0, 3);
  const issuerCert = makeIssuerCertificate(simCaPrivateKey(rid), issuerKey, app.pan.slice(0, 6), app.certificateExpiry, serial);
  const rec1: TlvInput[] = [tlv(0x8f, Uint8Array.of(SIM_CA_INDEX)), tlv(0x90, issuerCert.cert90)];
  if (issuerCert.remainder92.length) rec1.push(tlv(0x92, issuerCert.remainder92));
  rec1.push(tlv(0x9f32, issuerCert.exponent9F32));
  if (app.oda === 'SDA') {
    // Book 2 §5.4: the Data Authentication Code is the issuer's choice; two bytes of the PAN hash here.
    return [rec1, [tlv(0x93, signStaticData(issuerKey, sha1(ascii(app.pan)).slice(0, 2), staticData))]];
  }
  if (!iccKey) throw new RangeError('DDA/CDA application without an ICC key');
  const icc = makeIccCertificate(issuerKey, iccKey, app.pan, app.certificateExpiry, serial, staticData);
  const rec2: TlvInput[] = [tlv(0x9f46, icc.cert9F46), tlv(0x9f47, icc.exponent9F47)];
  if (icc.remainder9F48.length) rec2.push(tlv(0x9f48, icc.remainder9F48));
  return [rec1, rec2];
}

/** Personalises application `app` of profile `profileName` with the checked-in test keys. */
export function personalise(profileName: string, app: ApplicationProfile): AppImage {
  const aip = fromHex(app.aip);
  const signed = signedRecords(app).map((r) => encodeTlv([{ tag: 0x70, children: r }]));
  // Book 3 §10.3: for SFI 1-10 the value of each 70 template counted in the AFL, then the AIP (9F4A = 82).
  const staticData = concatBytes(...signed.map((r) => r.subarray(r.length - templateValueLength(r))), app.oda === 'none' ? new Uint8Array(0) : aip);
  const iccKey = app.oda === 'DDA' || app.oda === 'CDA' ? simIccKey(profileName, app.aid) : null;
  // A qVSDC card without an AFL puts everything in its GPO answer: no records at all.
  const noAfl = app.qvsdc !== null && !app.qvsdc.afl;
  const records = new Map<string, Uint8Array>(noAfl ? [] : signed.map((r, i) => [recordKey(1, i + 1), r]));
  let afl = '08010202';
  if (noAfl) afl = '';
  else if (app.oda === 'none') afl = '08010200';
  else {
    const certs = certificateRecords(profileName, app, staticData, iccKey);
    certs.forEach((r, i) => records.set(recordKey(2, i + 1), encodeTlv([{ tag: 0x70, children: r }])));
    afl += `1001${certs.length.toString(16).padStart(2, '0')}00`;
  }
  const fciProprietary: TlvInput[] = [tlv(0x50, ascii(app.label)), tlv(0x87, Uint8Array.of(app.priority | (app.confirmationRequired ? 0x80 : 0)))];
  if (app.pdol !== '') fciProprietary.push(tlv(0x9f38, fromHex(app.pdol)));
  fciProprietary.push(tlv(0x5f2d, ascii('en')), tlv(0x9f11, Uint8Array.of(0x01)));
  const aid = fromHex(app.aid);
  return {
    profile: app,
    aid,
    fci: encodeTlv([{ tag: 0x6f, children: [tlv(0x84, aid), { tag: 0xa5, children: fciProprietary }] }]),
    entry: { tag: 0x61, children: [tlv(0x4f, aid), tlv(0x50, ascii(app.label)), tlv(0x87, Uint8Array.of(app.priority | (app.confirmationRequired ? 0x80 : 0))), ...kernelIdentifier(app)] },
    aip,
    afl: fromHex(afl),
    records,
    staticData,
    pdol: parseDol(fromHex(app.pdol)),
    cdol1: parseDol(fromHex(app.cdol1)),
    cdol2: parseDol(fromHex(app.cdol2)),
    iccKey,
    keys: IccKeys.fromProfile(app),
  };
}

/** Length of the value of a 70 template encoded by encodeTlv (one tag byte, BER length). */
function templateValueLength(record: Uint8Array): number {
  const l = record[1];
  return l < 0x80 ? l : l === 0x81 ? record[2] : (record[2] << 8) | record[3];
}
