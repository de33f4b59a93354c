// Field content ⇄ value, without the length prefix. Character sets follow ISO 8583:1987 §4.1; the
// track 2 separator is 'D' in values and BCD (EMV Book 3 Annex A, tag 57) and '=' in ASCII (ISO/IEC 7813).
import { toHex } from '../../apdu/hex.js';
import { nibbleChar, nibblesOf, packNibbles } from './bcd.js';
import { Iso8583Error } from './errors.js';
import { label } from './reader.js';
import { padNibbleOf, padSideOf, type FieldSpec, type FieldType } from './spec.js';

const CHARSET: Record<Exclude<FieldType, 'b'>, RegExp> = {
  n: /^[0-9]*$/,
  z: /^[0-9D]*$/,
  an: /^[A-Za-z0-9 ]*$/,
  ans: /^[\x20-\x7E]*$/,
  'x+n': /^[CD][0-9]*$/,
};

const SIGN_C = 0x43;
const SIGN_D = 0x44;
const EQUALS = 0x3d;

/** Where a decode happens: the field and the input offset of its first content byte. */
export interface ContentAt {
  readonly field: number;
  readonly offset: number;
}

/** The natural length of a text value (digits or characters; x+n without its sign). */
export function textLength(f: FieldSpec, value: string): number {
  return f.type === 'x+n' ? value.length - 1 : value.length;
}

/** Null when `value` fits the character set of `f`'s type, else the reason. */
export function textProblem(f: FieldSpec, value: string): string | null {
  if (f.type === 'b') return 'expects bytes';
  if (CHARSET[f.type].test(value)) return null;
  return f.type === 'x+n' ? "expects 'C' or 'D' followed by digits" : `has a character outside type ${f.type}`;
}

/** Content bytes of a validated value. */
export function encodeContent(f: FieldSpec, value: string | Uint8Array): Uint8Array {
  if (typeof value !== 'string') return f.encoding === 'ascii' ? ascii(toHex(value)) : value.slice();
  if (f.type === 'x+n') {
    const digits = encodeDigits(f, value.slice(1));
    const out = new Uint8Array(1 + digits.length);
    out[0] = value.charCodeAt(0);
    out.set(digits, 1);
    return out;
  }
  if (f.encoding === 'bcd') return packNibbles(value, padSideOf(f), padNibbleOf(f));
  return ascii(f.type === 'z' ? value.replaceAll('D', '=') : value);
}

function encodeDigits(f: FieldSpec, digits: string): Uint8Array {
  return f.encoding === 'bcd' ? packNibbles(digits, padSideOf(f), padNibbleOf(f)) : ascii(digits);
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * The value in `bytes` (exactly the field's content). `len` is the natural length when the prefix or
 * the spec says it; null when only the byte count is known (BCD with a byte-counted prefix: an F pad
 * nibble on the pad side is dropped, a 0 pad cannot be told from a digit and stays).
 */
export function decodeContent(f: FieldSpec, bytes: Uint8Array, len: number | null, at: ContentAt): string | Uint8Array {
  if (f.type === 'b') return f.encoding === 'ascii' ? decodeHexText(bytes, at) : bytes.slice();
  if (f.type === 'x+n') {
    const sign = bytes[0];
    if (sign !== SIGN_C && sign !== SIGN_D) throw invalid(at, 0, "sign is not 'C' or 'D'");
    const digits = f.encoding === 'bcd' ? decodeBcd(f, bytes.subarray(1), len, at, 1) : decodeAscii(f, bytes.subarray(1), at, 1);
    return String.fromCharCode(sign) + digits;
  }
  return f.encoding === 'bcd' ? decodeBcd(f, bytes, len, at, 0) : decodeAscii(f, bytes, at, 0);
}

function decodeBcd(f: FieldSpec, bytes: Uint8Array, len: number | null, at: ContentAt, base: number): string {
  const nibbles = nibblesOf(bytes);
  const pad = padNibbleOf(f);
  const padIndex = padSideOf(f) === 'left' ? 0 : nibbles.length - 1;
  const padded = len === null ? pad === 15 && nibbles.length > 0 && nibbles[padIndex] === 15 : len % 2 === 1;
  if (padded && nibbles[padIndex] !== pad) throw invalid(at, base + (padIndex >> 1), `pad nibble is ${nibbleChar(nibbles[padIndex])}, not ${nibbleChar(pad)}`);
  let out = '';
  for (let i = 0; i < nibbles.length; i++) {
    if (padded && i === padIndex) continue;
    const v = nibbles[i];
    if (v <= 9) out += String.fromCharCode(0x30 + v);
    else if (f.type === 'z' && v === 0xd) out += 'D';
    else throw invalid(at, base + (i >> 1), `nibble ${nibbleChar(v)} is not allowed in type ${f.type}`);
  }
  return out;
}

function decodeAscii(f: FieldSpec, bytes: Uint8Array, at: ContentAt, base: number): string {
  const charset = f.type === 'x+n' || f.type === 'b' ? CHARSET.n : CHARSET[f.type];
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const c = f.type === 'z' && b === EQUALS ? 'D' : String.fromCharCode(b);
    const ok = f.type === 'z' ? b === EQUALS || (b >= 0x30 && b <= 0x39) : charset.test(c);
    if (!ok) throw invalid(at, base + i, `byte ${byteText(b)} is not allowed in type ${f.type}`);
    out += c;
  }
  return out;
}

function decodeHexText(bytes: Uint8Array, at: ContentAt): Uint8Array {
  const out = new Uint8Array(bytes.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const v = hexDigit(bytes[i]);
    if (v < 0) throw invalid(at, i, `byte ${byteText(bytes[i])} is not an uppercase hex digit`);
    out[i >> 1] |= i % 2 === 0 ? v << 4 : v;
  }
  return out;
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

function byteText(b: number): string {
  return '0x' + nibbleChar(b >> 4) + nibbleChar(b & 15);
}

function invalid(at: ContentAt, index: number, why: string): Iso8583Error {
  const offset = at.offset + index;
  return new Iso8583Error('ISO8583_FIELD_INVALID', `${label(at.field)}: ${why} (offset ${offset})`, { field: at.field, offset });
}
