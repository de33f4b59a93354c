import { panDigits } from '../../crypto/bytes.js';
import { assembleKey, fail, hashMatches, isExpired, nibbles, parseExpiry, recoverBlock } from './recovered-block.js';
import type { CaPublicKey, CalendarMonth, IssuerKeyResult, RecoveredIssuerKey } from './types.js';

// Issuer public key certificate (tag 90) recovered layout, EMV Book 2 §5.3 Table 6:
// 6A | 02 | issuer id (4) | expiry MMYY (2) | serial (3) | hash alg | PK alg | NI | exp len |
// leftmost NCA-36 bytes of the key | hash (20) | BC
const ID = 2;
const EXPIRY = 6;
const SERIAL = 8;
const HASH_ALG = 11;
const PK_ALG = 12;
const KEY_LEN = 13;
const EXP_LEN = 14;
const KEY_FIELD = 15;

/** True when the issuer identifier (3-8 'F'-padded digits) matches the PAN's leftmost digits, Book 2 §5.3 step 8. */
export function issuerIdentifierMatches(issuerIdentifier: Uint8Array, pan: string | Uint8Array): boolean {
  const id = nibbles(issuerIdentifier).replace(/F+$/, '');
  const digits = panDigits(pan);
  return /^[0-9]{3,8}$/.test(id) && digits !== undefined && digits.startsWith(id);
}

/** The issuer public key from tags 90, 92 (empty if absent) and 9F32, checked per EMV Book 2 §5.3. */
export function recoverIssuerPublicKey(
  ca: CaPublicKey,
  cert90: Uint8Array,
  remainder92: Uint8Array,
  exponent9F32: Uint8Array,
  pan: string | Uint8Array,
  today: CalendarMonth,
): IssuerKeyResult {
  // Never throws on card data. Identifier mismatch and expiry are reported together as flags, with
  // the recovered key, so a kernel can set the precise TVR bits.
  const r = recoverBlock(ca, cert90, 0x02, HASH_ALG, KEY_FIELD + 21 + 1);
  if (!r.ok) return r;
  const block = r.block;
  const field = block.subarray(KEY_FIELD, block.length - 21);
  const declared = block[KEY_LEN];
  // Book 3 §10.3: a needed but absent remainder is "ICC data missing", not a signature failure.
  if (declared > field.length && remainder92.length === 0) return fail('REMAINDER_MISSING');
  // Steps 5-7: hash over format .. leftmost key digits || remainder || exponent.
  if (!hashMatches(block, remainder92, exponent9F32)) return fail('HASH_MISMATCH');
  const key = assembleKey(field, declared, remainder92, exponent9F32, block[EXP_LEN]);
  if (key === undefined) return fail('KEY_LENGTH_INVALID');
  // Step 11 is checked before steps 8-9 here so that a flagged failure always carries a usable key.
  if (block[PK_ALG] !== 0x01) return fail('PK_ALGORITHM_UNSUPPORTED');
  const expiry = parseExpiry(block.subarray(EXPIRY, EXPIRY + 2));
  const recovered: RecoveredIssuerKey = {
    key,
    issuerIdentifier: block.slice(ID, ID + 4),
    expiry,
    serial: block.slice(SERIAL, SERIAL + 3),
    hashAlgorithm: block[HASH_ALG],
    pkAlgorithm: block[PK_ALG],
    recoveredBlock: block,
  };
  const identifierMismatch = !issuerIdentifierMatches(recovered.issuerIdentifier, pan);
  // An unreadable expiry date cannot be shown to be in the future, so it counts as expired.
  const certificateExpired = expiry === undefined || isExpired(expiry, today);
  if (!identifierMismatch && !certificateExpired) return { ok: true, ...recovered };
  return {
    ok: false,
    reason: identifierMismatch ? 'ISSUER_IDENTIFIER_MISMATCH' : 'CERTIFICATE_EXPIRED',
    certificateExpired,
    identifierMismatch,
    recovered,
  };
}
