import { CommandApdu, type CryptogramType } from '../apdu/command-apdu.js';
import { buildDolData, parseDol } from '../apdu/dol.js';
import { concatBytes, fromHex } from '../apdu/hex.js';
import type { CardIo } from './card-io.js';
import { dolFormatOf, type EmvDataStore } from './data-store.js';
import { EmvError, type EmvStep } from './errors.js';
import { tlvBytes } from './read-records.js';
import { matchesActionCode } from './tvr.js';

/** What a GENERATE AC returned (EMV Book 3 §6.5.5.4). */
export interface GenerateAcResult {
  readonly type: CryptogramType;
  /** Cryptogram Information Data (9F27). */
  readonly cid: number;
  readonly atc: Uint8Array;
  readonly ac: Uint8Array;
  readonly iad: Uint8Array | null;
  /** Signed Dynamic Application Data (9F4B) when CDA was requested and given. */
  readonly sdad: Uint8Array | null;
  /** The response's data objects except 9F4B, TLV-encoded, for the CDA transaction data hash. */
  readonly tlvsWithoutSdad: Uint8Array;
  /** The CDOL-related data that was sent. */
  readonly cdolData: Uint8Array;
}

const RANK: Readonly<Record<CryptogramType, number>> = { AAC: 0, ARQC: 1, TC: 2 };

/** The cryptogram type in CID bits 8-7 (Book 3 Table 15); null for the RFU value. */
export function cryptogramTypeOf(cid: number): CryptogramType | null {
  const t = cid & 0xc0;
  return t === 0x00 ? 'AAC' : t === 0x40 ? 'TC' : t === 0x80 ? 'ARQC' : null;
}

/**
 * Terminal action analysis (Book 3 §10.7): a TVR bit also set in IAC-denial or TAC-denial → AAC; online-capable and a bit
 * in IAC-online|TAC-online → ARQC; offline-only and a bit in IAC-default|TAC-default → AAC; else TC.
 * Absent IACs count as denial 00…, online and default FF… (Book 3 §10.7).
 */
export function terminalActionAnalysis(
  tvr: Uint8Array,
  iac: { denial?: Uint8Array; online?: Uint8Array; default?: Uint8Array },
  tac: { denial: string; online: string; default: string },
  onlineCapable: boolean,
): CryptogramType {
  const ones = fromHex('FFFFFFFFFF');
  if (matchesActionCode(tvr, iac.denial ?? new Uint8Array(5)) || matchesActionCode(tvr, fromHex(tac.denial))) return 'AAC';
  if (onlineCapable) return matchesActionCode(tvr, iac.online ?? ones) || matchesActionCode(tvr, fromHex(tac.online)) ? 'ARQC' : 'TC';
  return matchesActionCode(tvr, iac.default ?? ones) || matchesActionCode(tvr, fromHex(tac.default)) ? 'AAC' : 'TC';
}

/** The default decision when the terminal could not go online (Book 3 §10.7, "unable to go online"). */
export function defaultActionAnalysis(tvr: Uint8Array, iacDefault: Uint8Array | undefined, tacDefault: string): CryptogramType {
  return matchesActionCode(tvr, iacDefault ?? fromHex('FFFFFFFFFF')) || matchesActionCode(tvr, fromHex(tacDefault)) ? 'AAC' : 'TC';
}

/**
 * Sends GENERATE AC with the data of CDOL1 (`cdolTag` 8C) or CDOL2 (8D) and parses formats 1 (80) and 2 (77);
 * card action analysis refuses a cryptogram higher than requested (TC > ARQC > AAC).
 */
export async function generateAc(io: CardIo, store: EmvDataStore, step: EmvStep, requested: CryptogramType, cdolTag: 0x8c | 0x8d, cda: boolean): Promise<GenerateAcResult> {
  const cdol = store.getCard(cdolTag);
  if (!cdol) throw new EmvError('EMV_MISSING_DATA', step, `CDOL ${cdolTag === 0x8c ? '1 (8C)' : '2 (8D)'} is missing`);
  let cdolData: Uint8Array;
  try {
    cdolData = buildDolData(parseDol(cdol), (t) => store.get(t), dolFormatOf);
  } catch (err) {
    throw new EmvError('EMV_CARD_DATA_INVALID', step, `CDOL is malformed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = await io.send(step, CommandApdu.generateAc(requested, cdolData, cda && requested !== 'AAC'));
  if (!r.isOk) throw new EmvError('EMV_CARD_REFUSED', step, `GENERATE AC refused (SW ${r.swHex})`, { sw: r.swHex });
  const nodes = io.decode(step, r.data);
  const top = nodes.length === 1 ? nodes[0] : undefined;
  let cid: number | undefined;
  let atc: Uint8Array | undefined;
  let ac: Uint8Array | undefined;
  let iad: Uint8Array | null = null;
  let sdad: Uint8Array | null = null;
  let tlvsWithoutSdad: Uint8Array = new Uint8Array(0);
  if (top?.tag === 0x80 && top.value.length >= 11) {
    cid = top.value[0];
    atc = top.value.slice(1, 3);
    ac = top.value.slice(3, 11);
    iad = top.value.length > 11 ? top.value.slice(11) : null;
  } else if (top?.tag === 0x77) {
    const parts: Uint8Array[] = [];
    for (const n of top.children) {
      if (n.tag === 0x9f4b) sdad = n.value;
      else parts.push(tlvBytes(n.tag, n.value));
      if (n.tag === 0x9f27 && n.value.length === 1) cid = n.value[0];
      if (n.tag === 0x9f36) atc = n.value;
      if (n.tag === 0x9f26) ac = n.value;
      if (n.tag === 0x9f10) iad = n.value;
    }
    tlvsWithoutSdad = concatBytes(...parts);
  } else {
    throw new EmvError('EMV_CARD_DATA_INVALID', step, 'GENERATE AC response is neither format 1 (80) nor format 2 (77)');
  }
  // With CDA the AC is inside the signature (Book 2 §6.6): 9F26 may be absent from the response.
  if (cid === undefined || !atc || atc.length !== 2 || (!ac && !sdad)) throw new EmvError('EMV_MISSING_DATA', step, 'GENERATE AC response lacks CID, ATC or the cryptogram');
  const type = cryptogramTypeOf(cid);
  if (!type) throw new EmvError('EMV_CARD_DATA_INVALID', step, `CID ${cid.toString(16)} has the reserved cryptogram type`);
  if (RANK[type] > RANK[requested]) throw new EmvError('EMV_CARD_DATA_INVALID', step, `card returned ${type} for a ${requested} request`);
  store.replaceCard(0x9f27, Uint8Array.of(cid));
  store.replaceCard(0x9f36, atc);
  if (ac) store.replaceCard(0x9f26, ac);
  if (iad) store.replaceCard(0x9f10, iad);
  return { type, cid, atc, ac: ac ?? new Uint8Array(0), iad, sdad, tlvsWithoutSdad, cdolData };
}
