import { toHex } from '../apdu/hex.js';

/** A non-negative integer as EMV format n (BCD, left-padded) of `length` bytes (EMV Book 3 §4.3). */
export function numericBytes(value: number | string, length: number): Uint8Array {
  const digits = String(value).padStart(2 * length, '0');
  if (!/^\d+$/.test(digits) || digits.length > 2 * length) throw new RangeError(`${value} does not fit n${2 * length}`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The digits of a BCD value (format n or cn), F padding removed; null when a nibble is not a digit. */
export function bcdDigits(bytes: Uint8Array): string | null {
  const hex = toHex(bytes).replace(/F+$/, '');
  return /^\d*$/.test(hex) ? hex : null;
}

/** An EMV date YYMMDD (n6) as a comparable number YYYYMMDD; null when not a valid date. 50–99 are 19xx (Book 4). */
export function emvDate(bytes: Uint8Array | undefined): number | null {
  if (!bytes || bytes.length !== 3) return null;
  const d = bcdDigits(bytes);
  if (!d || d.length !== 6) return null;
  const yy = Number(d.slice(0, 2));
  const mm = Number(d.slice(2, 4));
  const dd = Number(d.slice(4, 6));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return null;
  return (yy < 50 ? 2000 + yy : 1900 + yy) * 10000 + mm * 100 + dd;
}

/** The date as YYYYMMDD, from a clock reading (UTC; the terminal's local date is the caller's choice). */
export function dateNumber(now: Date): number {
  return now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
}

/** YYMMDD (9A) bytes for a date. */
export function transactionDate(now: Date): Uint8Array {
  return numericBytes(String(dateNumber(now) % 1000000).padStart(6, '0'), 3);
}

/** HHMMSS (9F21) bytes for a time. */
export function transactionTime(now: Date): Uint8Array {
  const s = [now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds()].map((v) => String(v).padStart(2, '0')).join('');
  return numericBytes(s, 3);
}

/** A big-endian unsigned integer of the bytes (amounts in binary, counters). */
export function uintOf(bytes: Uint8Array | undefined): number | null {
  if (!bytes || bytes.length === 0 || bytes.length > 6) return null;
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}
