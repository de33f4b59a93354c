// Primary and secondary bitmaps (ISO 8583:1987 §4.3): bit 1 is the most significant bit of the first
// byte and announces the secondary bitmap (fields 65-128). Written as 8 raw bytes or 16 hex characters each.
import { toHex } from '../../apdu/hex.js';
import { Iso8583Error } from './errors.js';
import type { ByteReader } from './reader.js';
import type { Iso8583Spec } from './spec.js';

/** A field announced by the bitmap, with the input offset of the bitmap byte (or hex character) holding its bit. */
export interface BitmapEntry {
  readonly field: number;
  readonly offset: number;
}

/** The bitmap(s) for the given field numbers (each 2..128); a secondary one when a field > 64 is present or the spec says always. */
export function encodeBitmap(spec: Iso8583Spec, fields: readonly number[]): Uint8Array {
  const secondary = spec.secondaryBitmap === 'always' || fields.some((n) => n > 64);
  const bits = new Uint8Array(secondary ? 16 : 8);
  if (secondary) bits[0] |= 0x80;
  for (const n of fields) bits[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
  if (spec.bitmapEncoding === 'binary') return bits;
  return Uint8Array.from(toHex(bits), (c) => c.charCodeAt(0));
}

/** Reads the bitmap(s) at the reader's position and lists the fields they announce, in ascending order. */
export function decodeBitmap(spec: Iso8583Spec, reader: ByteReader): BitmapEntry[] {
  const start = reader.pos;
  const primary = readOne(spec, reader);
  const out: BitmapEntry[] = [];
  collect(primary, 0, start, spec, out);
  const hasSecondary = (primary[0] & 0x80) !== 0;
  if (hasSecondary && spec.secondaryBitmap === 'never') {
    throw new Iso8583Error('ISO8583_FIELD_UNKNOWN', `bitmap: bit 1 announces a secondary bitmap at offset ${start}, which this spec does not use`, {
      field: 1,
      offset: start,
    });
  }
  if (!hasSecondary && spec.secondaryBitmap === 'always') {
    throw new Iso8583Error('ISO8583_FIELD_INVALID', `bitmap: bit 1 is clear at offset ${start}, but this spec always sends a secondary bitmap`, {
      field: 1,
      offset: start,
    });
  }
  if (hasSecondary) {
    const secondStart = reader.pos;
    collect(readOne(spec, reader), 64, secondStart, spec, out);
  }
  return out;
}

function readOne(spec: Iso8583Spec, reader: ByteReader): Uint8Array {
  if (spec.bitmapEncoding === 'binary') return reader.take(8, 1, 'bitmap');
  const start = reader.pos;
  const text = reader.take(16, 1, 'hex bitmap');
  const bits = new Uint8Array(8);
  for (let i = 0; i < 16; i++) {
    const c = text[i];
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (v < 0) {
      throw new Iso8583Error('ISO8583_FIELD_INVALID', `bitmap: character at offset ${start + i} is not an uppercase hex digit`, {
        field: 1,
        offset: start + i,
      });
    }
    bits[i >> 1] |= i % 2 === 0 ? v << 4 : v;
  }
  return bits;
}

function collect(bits: Uint8Array, base: number, start: number, spec: Iso8583Spec, out: BitmapEntry[]): void {
  const perChar = spec.bitmapEncoding === 'binary' ? 8 : 4;
  for (let i = 0; i < 64; i++) {
    if (base === 0 && i === 0) continue;
    if (bits[i >> 3] & (0x80 >> (i & 7))) out.push({ field: base + i + 1, offset: start + Math.floor(i / perChar) });
  }
}
