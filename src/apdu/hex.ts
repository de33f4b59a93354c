import { ApduError } from './errors.js';

const HEX_DIGITS = '0123456789ABCDEF';

/** Uppercase hex of the bytes, no separators. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  return out;
}

/** Hex of one byte, two uppercase digits. */
export function byteHex(b: number): string {
  return HEX_DIGITS[(b >> 4) & 15] + HEX_DIGITS[b & 15];
}

/**
 * Bytes from hex text. Spaces, colons and tabs between byte pairs are allowed (as people paste them);
 * anything else, or an odd digit count, is refused with HEX_INVALID naming the character offset.
 */
export function fromHex(text: string): Uint8Array {
  const digits: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x3a || c === 0x09) {
      if (digits.length % 2 !== 0) {
        throw new ApduError('HEX_INVALID', `hex: separator inside a byte at offset ${i}`, { offset: i });
      }
      continue;
    }
    const v = hexValue(c);
    if (v < 0) {
      throw new ApduError('HEX_INVALID', `hex: '${text[i]}' at offset ${i} is not a hex digit`, { offset: i });
    }
    digits.push(v);
  }
  if (digits.length % 2 !== 0) {
    throw new ApduError('HEX_INVALID', `hex: odd number of digits (${digits.length})`, { offset: text.length });
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i] << 4) | digits[2 * i + 1];
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** True when both arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
