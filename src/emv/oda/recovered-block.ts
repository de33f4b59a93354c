import { bytesEqual } from '../../apdu/hex.js';
import { rsaRecover, sha1, type RsaPublicKey } from '../../crypto/rsa.js';
import type { CalendarMonth, OdaFailure, OdaFailureReason } from './types.js';

// Shared steps of every EMV Book 2 recovery (§5.3, §5.4, §6.4, §6.5.2, §6.6.2): the recovered block
// is 6A || format || ... || hash (20) || BC, and the hash covers everything between header and hash.

/** Length of the SHA-1 hash result in a recovered block. */
export const HASH_LENGTH = 20;

/** A failure value with the given reason. */
export function fail(reason: OdaFailureReason): OdaFailure {
  return { ok: false, reason };
}

/** The recovered block after Book 2's common checks: length, trailer 'BC', header '6A', format, hash algorithm. */
export function recoverBlock(
  key: RsaPublicKey,
  signed: Uint8Array,
  format: number,
  hashAlgorithmOffset: number,
  minLength: number,
): { ok: true; block: Uint8Array } | OdaFailure {
  // `minLength` is the smallest modulus the format fits in; the checks run in Book 2's order.
  if (key.modulus.length < minLength || key.exponent.length === 0) return fail('KEY_INVALID');
  if (signed.length !== key.modulus.length) return fail('LENGTH_MISMATCH');
  const block = rsaRecover(key, signed);
  if (block === undefined) return fail('SIGNATURE_OUT_OF_RANGE');
  if (block[block.length - 1] !== 0xbc) return fail('TRAILER_INVALID');
  if (block[0] !== 0x6a) return fail('HEADER_INVALID');
  if (block[1] !== format) return fail('FORMAT_INVALID');
  // Annex B3: '01' (SHA-1) is the only hash algorithm defined.
  if (block[hashAlgorithmOffset] !== 0x01) return fail('HASH_ALGORITHM_UNSUPPORTED');
  return { ok: true, block };
}

/** True when SHA-1(block between header and hash || extra) equals the hash recovered from the block. */
export function hashMatches(block: Uint8Array, ...extra: readonly Uint8Array[]): boolean {
  const hashStart = block.length - 1 - HASH_LENGTH;
  const computed = sha1(block.subarray(1, hashStart), ...extra);
  return bytesEqual(computed, block.subarray(hashStart, hashStart + HASH_LENGTH));
}

/** The hex digits of BCD-ish bytes, uppercase (so 'F' padding stays visible). */
export function nibbles(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b >> 4).toString(16) + (b & 15).toString(16);
  return s.toUpperCase();
}

/** The month of a certificate expiration date (n4, MMYY), or undefined when it is not a valid month. */
export function parseExpiry(mmyy: Uint8Array): CalendarMonth | undefined {
  // Two-digit years follow EMV's terminal convention: 00-49 are 20YY, 50-99 are 19YY.
  const text = nibbles(mmyy);
  if (!/^[0-9]{4}$/.test(text)) return undefined;
  const month = Number(text.slice(0, 2));
  const yy = Number(text.slice(2, 4));
  if (month < 1 || month > 12) return undefined;
  return { year: yy < 50 ? 2000 + yy : 1900 + yy, month };
}

/** True when the certificate's expiration month is before today's month (Book 2 §5.3 step 9, §6.4 step 9). */
export function isExpired(expiry: CalendarMonth, today: CalendarMonth): boolean {
  // Valid up to the last day of the expiration month, so the same month is still valid.
  return expiry.year * 12 + expiry.month < today.year * 12 + today.month;
}

/** The certified key from the leftmost-digits field and remainder (Book 2 §5.3 step 12); undefined if lengths clash. */
export function assembleKey(
  field: Uint8Array,
  declaredModulusLength: number,
  remainder: Uint8Array,
  exponent: Uint8Array,
  declaredExponentLength: number,
): RsaPublicKey | undefined {
  if (declaredModulusLength === 0 || exponent.length === 0 || exponent.length > 3) return undefined;
  if (declaredExponentLength !== exponent.length) return undefined;
  // A remainder present although the key fits is covered by the hash already; it is not part of the key.
  if (declaredModulusLength <= field.length) {
    return { modulus: field.slice(0, declaredModulusLength), exponent: Uint8Array.from(exponent) };
  }
  if (field.length + remainder.length !== declaredModulusLength) return undefined;
  const modulus = new Uint8Array(declaredModulusLength);
  modulus.set(field, 0);
  modulus.set(remainder, field.length);
  return { modulus, exponent: Uint8Array.from(exponent) };
}
