import { EmvCryptoError } from './errors.js';

/** Byte-wise XOR of two arrays of the same length. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) {
    throw new EmvCryptoError('DATA_LENGTH_INVALID', `xor: lengths differ (${a.length} vs ${b.length})`);
  }
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** The unsigned big-endian integer held in the bytes. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** The unsigned big-endian encoding of `value` in exactly `length` bytes. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new EmvCryptoError('RSA_INPUT_OUT_OF_RANGE', 'negative integer cannot be encoded');
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new EmvCryptoError('RSA_INPUT_OUT_OF_RANGE', `integer does not fit in ${length} bytes`);
  return out;
}

/** The PAN's decimal digits from text or tag 5A's value (cn, EMV Book 3 Annex A); undefined if malformed. */
export function panDigits(pan: string | Uint8Array): string | undefined {
  // cn is BCD padded on the right with 'F'; this never throws because 5A is card data.
  let text = '';
  if (typeof pan === 'string') text = pan;
  else for (const b of pan) text += (b >> 4).toString(16) + (b & 15).toString(16);
  text = text.toUpperCase().replace(/F+$/, '');
  return /^[0-9]{1,19}$/.test(text) ? text : undefined;
}
