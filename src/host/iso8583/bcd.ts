// Packed BCD: two 4-bit nibbles a byte, high nibble first (ISO 8583:1987 binary profiles, EMV Book 3 §4.3
// format n). Track 2 (z) also uses nibble D for its field separator, as EMV tag 57 does (EMV Book 3 Annex A).

const NIBBLE_CHARS = '0123456789ABCDEF';

/**
 * Packs characters 0-9 and A-F (already validated by the caller) into nibbles; an odd count gets one pad
 * nibble on `side`. Returns ceil(len/2) bytes.
 */
export function packNibbles(text: string, side: 'left' | 'right', padNibble: number): Uint8Array {
  const odd = text.length % 2 === 1;
  const nibbles: number[] = [];
  if (odd && side === 'left') nibbles.push(padNibble);
  for (let i = 0; i < text.length; i++) nibbles.push(NIBBLE_CHARS.indexOf(text[i]));
  if (odd && side === 'right') nibbles.push(padNibble);
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
  return out;
}

/** The nibbles of `bytes`, high nibble first, as values 0-15. */
export function nibblesOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of bytes) out.push(b >> 4, b & 15);
  return out;
}

/** The uppercase hex character of a nibble value. */
export function nibbleChar(n: number): string {
  return NIBBLE_CHARS[n];
}

/** A BCD number from whole bytes (every nibble 0-9), or -1 when a nibble is not a decimal digit. */
export function bcdNumber(bytes: Uint8Array): number {
  let v = 0;
  for (const n of nibblesOf(bytes)) {
    if (n > 9) return -1;
    v = v * 10 + n;
  }
  return v;
}

/** `value` as BCD in `size` bytes, right-aligned with leading zero nibbles; the caller checks it fits. */
export function bcdOfNumber(value: number, size: number): Uint8Array {
  return packNibbles(String(value).padStart(2 * size, '0'), 'left', 0);
}
