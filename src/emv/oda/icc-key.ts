import { panDigits } from '../../crypto/bytes.js';
import type { RsaPublicKey } from '../../crypto/rsa.js';
import { assembleKey, fail, hashMatches, isExpired, nibbles, parseExpiry, recoverBlock } from './recovered-block.js';
import type { CalendarMonth, IccKeyResult, RecoveredIccKey } from './types.js';

// ICC public key certificate (tag 9F46) recovered layout, EMV Book 2 §6.4 Table 14:
// 6A | 04 | application PAN (10, 'F' padded) | expiry MMYY (2) | serial (3) | hash alg | PK alg |
// NIC | exp len | leftmost NI-42 bytes of the key | hash (20) | BC
const PAN = 2;
const EXPIRY = 12;
const SERIAL = 14;
const HASH_ALG = 17;
const PK_ALG = 18;
const KEY_LEN = 19;
const EXP_LEN = 20;
const KEY_FIELD = 21;

/** True when the certificate's 10-byte 'F'-padded PAN equals the card's PAN (Book 2 §6.4 step 8). */
export function certificatePanMatches(certificatePan: Uint8Array, pan: string | Uint8Array): boolean {
  const digits = panDigits(pan);
  return digits !== undefined && nibbles(certificatePan) === digits.padEnd(20, 'F');
}

/** The ICC public key from tags 9F46, 9F48 (empty if absent) and 9F47, checked per EMV Book 2 §6.4. */
export function recoverIccPublicKey(
  issuerKey: RsaPublicKey,
  cert9F46: Uint8Array,
  remainder9F48: Uint8Array,
  exponent9F47: Uint8Array,
  staticDataToAuthenticate: Uint8Array,
  pan: string | Uint8Array,
  today: CalendarMonth,
): IccKeyResult {
  // The hash also covers the static data to be authenticated (records flagged for ODA || tag list
  // data, Book 3 §10.3). PAN mismatch and expiry are reported together as flags, with the recovered
  // key. Never throws on card data.
  const r = recoverBlock(issuerKey, cert9F46, 0x04, HASH_ALG, KEY_FIELD + 21 + 1);
  if (!r.ok) return r;
  const block = r.block;
  const field = block.subarray(KEY_FIELD, block.length - 21);
  const declared = block[KEY_LEN];
  if (declared > field.length && remainder9F48.length === 0) return fail('REMAINDER_MISSING');
  // Steps 5-7: hash over format .. leftmost key digits || remainder || exponent || static data.
  if (!hashMatches(block, remainder9F48, exponent9F47, staticDataToAuthenticate)) return fail('HASH_MISMATCH');
  const key = assembleKey(field, declared, remainder9F48, exponent9F47, block[EXP_LEN]);
  if (key === undefined) return fail('KEY_LENGTH_INVALID');
  // The PK algorithm is checked before PAN and expiry, so that a flagged failure always carries a usable key.
  if (block[PK_ALG] !== 0x01) return fail('PK_ALGORITHM_UNSUPPORTED');
  const expiry = parseExpiry(block.subarray(EXPIRY, EXPIRY + 2));
  const recovered: RecoveredIccKey = {
    key,
    pan: block.slice(PAN, PAN + 10),
    expiry,
    serial: block.slice(SERIAL, SERIAL + 3),
    hashAlgorithm: block[HASH_ALG],
    pkAlgorithm: block[PK_ALG],
    recoveredBlock: block,
  };
  const panMismatch = !certificatePanMatches(recovered.pan, pan);
  const certificateExpired = expiry === undefined || isExpired(expiry, today);
  if (!panMismatch && !certificateExpired) return { ok: true, ...recovered };
  return { ok: false, reason: panMismatch ? 'PAN_MISMATCH' : 'CERTIFICATE_EXPIRED', certificateExpired, panMismatch, recovered };
}
