// LL / LLL length prefixes (ISO 8583:1987 §4.2 variable-length fields) in ASCII, BCD or binary.
import { bcdNumber, bcdOfNumber } from './bcd.js';
import { Iso8583Error } from './errors.js';
import { label, type ByteReader } from './reader.js';
import { prefixBytes, type LengthEncoding } from './spec.js';

/** The prefix bytes for `count`; the caller has checked that `count` fits the prefix. */
export function encodePrefix(kind: 'LL' | 'LLL', enc: LengthEncoding, count: number): Uint8Array {
  const size = prefixBytes(kind, enc);
  if (enc === 'ascii') {
    const text = String(count).padStart(size, '0');
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }
  if (enc === 'bcd') return bcdOfNumber(count, size);
  return size === 1 ? Uint8Array.of(count) : Uint8Array.of(count >> 8, count & 0xff);
}

/** Reads a prefix at the reader's position; ISO8583_TRUNCATED or ISO8583_LENGTH_INVALID name the field and offset. */
export function decodePrefix(reader: ByteReader, kind: 'LL' | 'LLL', enc: LengthEncoding, field: number): number {
  const offset = reader.pos;
  const bytes = reader.take(prefixBytes(kind, enc), field, `${kind} length`);
  let count: number;
  if (enc === 'ascii') {
    count = 0;
    for (const b of bytes) count = b >= 0x30 && b <= 0x39 && count >= 0 ? count * 10 + (b - 0x30) : -1;
  } else if (enc === 'bcd') {
    count = bcdNumber(bytes);
  } else {
    count = bytes.length === 1 ? bytes[0] : (bytes[0] << 8) | bytes[1];
  }
  if (count < 0) {
    throw new Iso8583Error('ISO8583_LENGTH_INVALID', `${label(field)}: ${kind} length at offset ${offset} is not ${enc} digits`, { field, offset });
  }
  return count;
}
