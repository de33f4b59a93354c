// fast Dynamic Data Authentication (EMV Contactless Book C-3 §5.8 and Annex C): the card signed, in its GPO
// answer or last record, Signed Dynamic Application Data (9F4B) with its ICC key; the reader checks it over the
// terminal dynamic data. fDDA version 00 hashes the Unpredictable Number (9F37) only; version 01 (byte 1 of the
// Card Authentication Related Data 9F69) hashes UN || Amount, Authorised (9F02) || Transaction Currency Code
// (5F2A) || 9F69. The recovered block is Book 2 §6.5.2 Table 17; signed data format '05', or '95' (Book C-3),
// read with the same layout here.
import { bytesEqual, concatBytes } from '../../../apdu/hex.js';
import type { RsaPublicKey } from '../../../crypto/rsa.js';
import { hashMatches, recoverBlock } from '../../oda/recovered-block.js';

/** The formats of Signed Dynamic Application Data fDDA accepts. */
export const FDDA_FORMATS: readonly number[] = [0x05, 0x95];

/** Table 17 offsets: hash algorithm at 2, LDD at 3, ICC dynamic data from 4; 25 bytes of overhead. */
const HASH_ALG = 2;
const LDD = 3;
const OVERHEAD = 25;

/** What the terminal hashes with the signature. */
export interface FddaInputs {
  readonly unpredictableNumber: Uint8Array;
  readonly amount: Uint8Array;
  readonly currency: Uint8Array;
  /** Card Authentication Related Data (9F69), 5 or 7 bytes, when the card sent it. */
  readonly cardAuthData: Uint8Array | undefined;
  /** The card's CTQ (9F6C): when 9F69 has 7 bytes its last two must be the same (the CTQ is signed). */
  readonly ctq: Uint8Array | undefined;
}

/** fDDA's verdict: the ICC Dynamic Number (9F4C) on success. */
export type FddaResult = { readonly ok: true; readonly idn: Uint8Array; readonly version: number; readonly format: number } | { readonly ok: false; readonly reason: string };

/** The terminal dynamic data of Book C-3 Annex C for the fDDA version in 9F69 (absent: version 00). */
export function fddaTerminalData(i: FddaInputs): Uint8Array | null {
  const version = i.cardAuthData?.[0] ?? 0x00;
  if (version === 0x00) return i.unpredictableNumber;
  if (version !== 0x01 || !i.cardAuthData) return null;
  return concatBytes(i.unpredictableNumber, i.amount, i.currency, i.cardAuthData);
}

/** Verifies the SDAD (9F4B) of a qVSDC/qUICS answer; never throws on card data. */
export function verifyFdda(iccKey: RsaPublicKey, sdad: Uint8Array, inputs: FddaInputs): FddaResult {
  const car = inputs.cardAuthData;
  if (car && car.length !== 5 && car.length !== 7) return { ok: false, reason: 'CARD_AUTH_DATA_LENGTH' };
  const terminalData = fddaTerminalData(inputs);
  if (!terminalData) return { ok: false, reason: 'FDDA_VERSION_UNSUPPORTED' };
  let recovered = recoverBlock(iccKey, sdad, FDDA_FORMATS[0], HASH_ALG, OVERHEAD + 3);
  let format = FDDA_FORMATS[0];
  if (!recovered.ok && recovered.reason === 'FORMAT_INVALID') {
    format = FDDA_FORMATS[1];
    recovered = recoverBlock(iccKey, sdad, format, HASH_ALG, OVERHEAD + 3);
  }
  if (!recovered.ok) return { ok: false, reason: recovered.reason };
  const block = recovered.block;
  if (!hashMatches(block, terminalData)) return { ok: false, reason: 'HASH_MISMATCH' };
  const ldd = block[LDD];
  const n = block[LDD + 1];
  if (ldd > block.length - OVERHEAD || n < 2 || n > 8 || 1 + n > ldd) return { ok: false, reason: 'DYNAMIC_DATA_INVALID' };
  // The CTQ inside 9F69 is signed: a CTQ in the clear that differs (e.g. a forged "CDCVM performed") fails fDDA.
  if (car && car.length === 7 && (!inputs.ctq || !bytesEqual(car.subarray(5, 7), inputs.ctq))) return { ok: false, reason: 'CTQ_MISMATCH' };
  return { ok: true, idn: block.slice(LDD + 2, LDD + 2 + n), version: car?.[0] ?? 0, format };
}
