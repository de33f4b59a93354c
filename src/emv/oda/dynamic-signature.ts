import { bytesEqual } from '../../apdu/hex.js';
import { sha1, type RsaPublicKey } from '../../crypto/rsa.js';
import { fail, hashMatches, HASH_LENGTH, recoverBlock } from './recovered-block.js';
import type { CdaResult, DdaResult } from './types.js';

// Signed Dynamic Application Data (tag 9F4B) recovered layout, EMV Book 2 §6.5.2 Table 17:
// 6A | 05 | hash alg | LDD | ICC dynamic data (LDD) | pad 'BB' x (NIC-LDD-25) | hash (20) | BC
const HASH_ALG = 2;
const LDD = 3;
const DYNAMIC = 4;
/** Header, format, hash alg, LDD, hash and trailer around the dynamic data (Table 17). */
const OVERHEAD = 25;

/** Inputs CDA needs besides the signature (EMV Book 2 §6.6.2). */
export interface CdaInputs {
  /** Unpredictable Number (9F37) sent in GENERATE AC: the terminal dynamic data the signature hashes. */
  readonly unpredictableNumber: Uint8Array;
  /** PDOL-related data values as sent in GET PROCESSING OPTIONS (without the 83 tag and length). */
  readonly pdolData: Uint8Array;
  /** CDOL1-related data values (for the second GENERATE AC: CDOL1 data || CDOL2 data). */
  readonly cdolData: Uint8Array;
  /** The GENERATE AC response's TLV objects in order, except 9F4B (format 2 response, template 77 contents). */
  readonly genAcResponseTlvsWithout9F4B: Uint8Array;
  /** Cryptogram Information Data (9F27) from the GENERATE AC response. */
  readonly cid: number;
}

/** The ICC dynamic data (Table 17 item 5) of a recovered block, or undefined when LDD overruns the block. */
function dynamicData(block: Uint8Array): Uint8Array | undefined {
  const ldd = block[LDD];
  return ldd > block.length - OVERHEAD ? undefined : block.slice(DYNAMIC, DYNAMIC + ldd);
}

/** The IDN at the head of ICC dynamic data: length byte (2-8, Book 3 Annex A 9F4C) then the number. */
function leadingIdn(data: Uint8Array): Uint8Array | undefined {
  const n = data.length > 0 ? data[0] : 0;
  return n >= 2 && n <= 8 && 1 + n <= data.length ? data.slice(1, 1 + n) : undefined;
}

/** Verifies DDA's Signed Dynamic Application Data (9F4B), EMV Book 2 §6.5.2, yielding the ICC Dynamic Number. */
export function verifyDda(iccKey: RsaPublicKey, sdad9F4B: Uint8Array, ddolData: Uint8Array): DdaResult {
  // The hash covers format .. pad pattern || the DDOL-related data sent in INTERNAL AUTHENTICATE.
  const r = recoverBlock(iccKey, sdad9F4B, 0x05, HASH_ALG, OVERHEAD + 3);
  if (!r.ok) return r;
  if (!hashMatches(r.block, ddolData)) return fail('HASH_MISMATCH');
  const data = dynamicData(r.block);
  const idn = data === undefined ? undefined : leadingIdn(data);
  if (data === undefined || idn === undefined) return fail('DYNAMIC_DATA_INVALID');
  return { ok: true, idn, iccDynamicData: data, recoveredBlock: r.block };
}

/** CDA's transaction data hash code: SHA-1(PDOL data || CDOL data || response TLVs without 9F4B), Book 2 §6.6.2. */
export function cdaTransactionDataHash(pdolData: Uint8Array, cdolData: Uint8Array, genAcResponseTlvsWithout9F4B: Uint8Array): Uint8Array {
  return sha1(pdolData, cdolData, genAcResponseTlvsWithout9F4B);
}

/** Verifies CDA's Signed Dynamic Application Data (9F4B), EMV Book 2 §6.6.2, yielding IDN, CID, AC and the hash. */
export function verifyCda(iccKey: RsaPublicKey, sdad9F4B: Uint8Array, inputs: CdaInputs): CdaResult {
  // ICC dynamic data per Table 22: IDN length, IDN, CID, AC, transaction data hash code. The
  // signature hash covers format .. pad || UN. Never throws on card data.
  const r = recoverBlock(iccKey, sdad9F4B, 0x05, HASH_ALG, OVERHEAD + 1 + 2 + 1 + 8 + HASH_LENGTH);
  if (!r.ok) return r;
  const data = dynamicData(r.block);
  const idn = data === undefined ? undefined : leadingIdn(data);
  if (data === undefined || idn === undefined || data.length < 1 + idn.length + 1 + 8 + HASH_LENGTH) return fail('DYNAMIC_DATA_INVALID');
  let at = 1 + idn.length;
  const cid = data[at++];
  const ac = data.slice(at, at + 8);
  at += 8;
  const transactionDataHash = data.slice(at, at + HASH_LENGTH);
  // Book 2 §6.6.2 compares the CID before checking the signature hash.
  if (cid !== inputs.cid) return fail('CID_MISMATCH');
  if (!hashMatches(r.block, inputs.unpredictableNumber)) return fail('HASH_MISMATCH');
  const expected = cdaTransactionDataHash(inputs.pdolData, inputs.cdolData, inputs.genAcResponseTlvsWithout9F4B);
  if (!bytesEqual(expected, transactionDataHash)) return fail('TRANSACTION_DATA_HASH_MISMATCH');
  return { ok: true, idn, cid, ac, transactionDataHash, iccDynamicData: data, recoveredBlock: r.block };
}
