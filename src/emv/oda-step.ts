import { CommandApdu } from '../apdu/command-apdu.js';
import { buildDolData, parseDol, type DolEntry } from '../apdu/dol.js';
import { bytesEqual, concatBytes, fromHex } from '../apdu/hex.js';
import { findTlv } from '../apdu/tlv.js';
import type { RsaPublicKey } from '../crypto/rsa.js';
import type { CardIo } from './card-io.js';
import { dolFormatOf, type EmvDataStore } from './data-store.js';
import type { GenerateAcResult } from './generate-ac.js';
import { verifyCda, verifyDda } from './oda/dynamic-signature.js';
import { recoverIccPublicKey } from './oda/icc-key.js';
import { recoverIssuerPublicKey } from './oda/issuer-key.js';
import { verifySda } from './oda/sda.js';
import type { CaPublicKey, CalendarMonth } from './oda/types.js';
import type { RecordsRead } from './read-records.js';
import type { BitField, TsiBit, TvrBit } from './tvr.js';
import type { TerminalConfig } from './types.js';

/** The ODA method chosen and how it went; for CDA the check completes at GENERATE AC. */
export interface OdaOutcome {
  readonly method: 'SDA' | 'DDA' | 'CDA' | 'none';
  /** 'ok', 'not performed', 'pending (CDA)' or 'failed: <reasons>'. */
  result: string;
  /** The recovered ICC public key (offline enciphered PIN, CDA). */
  readonly iccKey: RsaPublicKey | null;
  /** PDOL data sent in GPO and CDOL1 data of the first GENERATE AC: CDA hashes them (Book 2 §6.6.2). */
  readonly pdolData: Uint8Array;
  cdol1Data: Uint8Array | null;
}

/** What the ODA step reads. */
export interface OdaContext {
  readonly store: EmvDataStore;
  readonly tvr: BitField<TvrBit>;
  readonly tsi: BitField<TsiBit>;
  readonly aip: Uint8Array;
  readonly records: RecordsRead;
  readonly config: TerminalConfig;
  /** The selected AID, hex: its first 5 bytes are the RID of the CA key. */
  readonly aid: string;
  readonly now: Date;
  readonly io: CardIo;
  readonly defaultDdol: string;
  readonly pdolData: Uint8Array;
}

const FAILED_BIT = { SDA: 'sdaFailed', DDA: 'ddaFailed', CDA: 'cdaFailed' } as const;

/** The CA public key for the card's RID and index (8F) from the terminal configuration. */
export function findCaKey(config: TerminalConfig, rid: Uint8Array, index: number): CaPublicKey | null {
  const k = config.caKeys.find((c) => bytesEqual(fromHex(c.rid), rid) && Number.parseInt(c.index, 16) === index);
  if (!k) return null;
  const [y, m] = (k.expiry ?? '').split('-').map(Number);
  return { rid, index, modulus: fromHex(k.modulus), exponent: fromHex(k.exponent), ...(y && m ? { expiry: { year: y, month: m } } : {}) };
}

/**
 * Offline data authentication (EMV Book 3 §10.3, Book 2 §5–6): CDA if card and terminal support it, else DDA,
 * else SDA, else "ODA not performed". Failures set the method's TVR bit (and "ICC data missing" for absent
 * objects); they never end the transaction — terminal action analysis decides.
 */
export async function performOda(ctx: OdaContext): Promise<OdaOutcome> {
  const { store, tvr, tsi } = ctx;
  const caps = fromHex(ctx.config.capabilities)[2] ?? 0;
  const method: OdaOutcome['method'] =
    ctx.aip[0] & 0x01 && caps & 0x08 ? 'CDA' : ctx.aip[0] & 0x20 && caps & 0x40 ? 'DDA' : ctx.aip[0] & 0x40 && caps & 0x80 ? 'SDA' : 'none';
  const out: OdaOutcome = { method, result: 'not performed', iccKey: null, pdolData: ctx.pdolData, cdol1Data: null };
  if (method === 'none') {
    tvr.set('odaNotPerformed');
    return out;
  }
  if (method === 'SDA') tvr.set('sdaSelected');
  tsi.set('odaPerformed');
  const failed = (reasons: string[], missing = false): OdaOutcome => {
    tvr.set(FAILED_BIT[method]);
    if (missing) tvr.set('iccDataMissing');
    out.result = `failed: ${reasons.join(', ')}`;
    return out;
  };
  if (!ctx.records.staticDataValid) return failed(['STATIC_DATA_INVALID']);
  const today: CalendarMonth = { year: ctx.now.getUTCFullYear(), month: ctx.now.getUTCMonth() + 1 };
  const pan = store.getCard(0x5a) ?? new Uint8Array(0);
  const index = store.getCard(0x8f);
  const cert = store.getCard(0x90);
  const exp = store.getCard(0x9f32);
  if (!index || index.length !== 1 || !cert || !exp) return failed(['ISSUER_DATA_MISSING'], true);
  const ca = findCaKey(ctx.config, fromHex(ctx.aid).subarray(0, 5), index[0]);
  if (!ca) return failed(['CA_KEY_UNKNOWN']);
  const issuer = recoverIssuerPublicKey(ca, cert, store.getCard(0x92) ?? new Uint8Array(0), exp, pan, today);
  if (!issuer.ok) {
    const reasons = [issuer.reason];
    if (issuer.certificateExpired && issuer.reason !== 'CERTIFICATE_EXPIRED') reasons.push('CERTIFICATE_EXPIRED');
    if (issuer.identifierMismatch && issuer.reason !== 'ISSUER_IDENTIFIER_MISMATCH') reasons.push('ISSUER_IDENTIFIER_MISMATCH');
    return failed(reasons, issuer.reason === 'REMAINDER_MISSING');
  }
  if (method === 'SDA') {
    const ssad = store.getCard(0x93);
    if (!ssad) return failed(['SIGNED_STATIC_DATA_MISSING'], true);
    const r = verifySda(issuer.key, ssad, ctx.records.staticData);
    if (!r.ok) return failed([r.reason]);
    store.setTerminal(0x9f45, r.dac);
    out.result = 'ok';
    return out;
  }
  const iccCert = store.getCard(0x9f46);
  const iccExp = store.getCard(0x9f47);
  if (!iccCert || !iccExp) return failed(['ICC_DATA_MISSING'], true);
  const icc = recoverIccPublicKey(issuer.key, iccCert, store.getCard(0x9f48) ?? new Uint8Array(0), iccExp, ctx.records.staticData, pan, today);
  if (!icc.ok) {
    const reasons = [icc.reason];
    if (icc.certificateExpired && icc.reason !== 'CERTIFICATE_EXPIRED') reasons.push('CERTIFICATE_EXPIRED');
    if (icc.panMismatch && icc.reason !== 'PAN_MISMATCH') reasons.push('PAN_MISMATCH');
    return failed(reasons, icc.reason === 'REMAINDER_MISSING');
  }
  const withKey: OdaOutcome = { ...out, iccKey: icc.key };
  if (method === 'CDA') {
    withKey.result = 'pending (CDA)';
    return withKey;
  }
  const dda = await internalAuthenticate(ctx, icc.key);
  if (!dda.ok) {
    tvr.set('ddaFailed');
    if (dda.missing) tvr.set('iccDataMissing');
    withKey.result = `failed: ${dda.reason}`;
    return withKey;
  }
  store.setTerminal(0x9f4c, dda.idn);
  withKey.result = 'ok';
  return withKey;
}

async function internalAuthenticate(ctx: OdaContext, key: RsaPublicKey): Promise<{ ok: true; idn: Uint8Array } | { ok: false; reason: string; missing?: boolean }> {
  const ddol = ctx.store.getCard(0x9f49) ?? fromHex(ctx.defaultDdol);
  let entries: DolEntry[];
  try {
    entries = parseDol(ddol);
  } catch {
    return { ok: false, reason: 'DDOL_INVALID' }; // a DDOL the card cannot fill is a DDA failure, not an error
  }
  // Book 3 §10.3.2: the DDOL must ask for the Unpredictable Number.
  if (!entries.some((e) => e.tag === 0x9f37)) return { ok: false, reason: 'DDOL_WITHOUT_UNPREDICTABLE_NUMBER', missing: !ctx.store.hasCard(0x9f49) };
  const ddolData = buildDolData(entries, (t) => ctx.store.get(t), dolFormatOf);
  const r = await ctx.io.send('oda', CommandApdu.internalAuthenticate(ddolData));
  if (!r.isOk) return { ok: false, reason: `INTERNAL_AUTHENTICATE_${r.swHex}` };
  const nodes = ctx.io.decode('oda', r.data);
  const sdad = nodes[0]?.tag === 0x80 ? nodes[0].value : findTlv(nodes, 0x9f4b)?.value;
  if (!sdad) return { ok: false, reason: 'SDAD_MISSING', missing: true };
  const v = verifyDda(key, sdad, ddolData);
  return v.ok ? { ok: true, idn: v.idn } : { ok: false, reason: v.reason };
}

/**
 * Completes CDA on a GENERATE AC response (Book 2 §6.6.2): true when the signature checks out; otherwise sets
 * "CDA failed" and the caller treats the cryptogram as an AAC. The first call records the CDOL1 data; the second
 * GENERATE AC hashes CDOL1 || CDOL2 data.
 */
export function verifyCdaAtGenerateAc(oda: OdaOutcome, r: GenerateAcResult, store: EmvDataStore, tvr: BitField<TvrBit>): boolean {
  const first = oda.cdol1Data === null;
  const cdolData = first ? r.cdolData : concatBytes(oda.cdol1Data ?? new Uint8Array(0), r.cdolData);
  if (first) oda.cdol1Data = r.cdolData;
  const fail = (reason: string): boolean => {
    tvr.set('cdaFailed');
    oda.result = `failed: ${reason}`;
    return false;
  };
  if (!oda.iccKey) return fail('ICC_KEY_MISSING');
  if (!r.sdad) return fail('SDAD_MISSING');
  const v = verifyCda(oda.iccKey, r.sdad, {
    unpredictableNumber: store.get(0x9f37) ?? new Uint8Array(4),
    pdolData: oda.pdolData,
    cdolData,
    genAcResponseTlvsWithout9F4B: r.tlvsWithoutSdad,
    cid: r.cid,
  });
  if (!v.ok) return fail(v.reason);
  store.setTerminal(0x9f4c, v.idn);
  store.replaceCard(0x9f26, v.ac);
  oda.result = 'ok';
  return true;
}
