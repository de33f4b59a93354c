import { xorBytes } from './bytes.js';
import { desDecrypt, desEncrypt } from './des.js';
import { EmvCryptoError } from './errors.js';

/** ISO/IEC 9797-1 padding: method 1 appends zero bytes, method 2 appends '80' then zero bytes. */
export type MacPadding = 'method1' | 'method2';

/** Options of the retail MAC. */
export interface RetailMacOptions {
  /** Padding method; EMV Book 2 Annex A1.2.1 uses method 2 (the default). Visa CVN 10 uses method 1. */
  readonly padding?: MacPadding;
  /** MAC length in bytes, 4 to 8 (EMV Book 2 A1.2.1: leftmost s bytes); default 8. */
  readonly length?: number;
}

/** The data padded to a multiple of 8 bytes by ISO/IEC 9797-1 padding method 1 or 2. */
export function padIso9797(data: Uint8Array, method: MacPadding): Uint8Array {
  // Method 1 pads empty data to one zero block; method 2 always adds at least the '80' byte.
  const extra = method === 'method2' ? 1 : 0;
  let total = Math.ceil((data.length + extra) / 8) * 8;
  if (total === 0) total = 8;
  const out = new Uint8Array(total);
  out.set(data, 0);
  if (method === 'method2') out[data.length] = 0x80;
  return out;
}

/** ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with DES and a 16-byte key, EMV Book 2 Annex A1.2.1. */
export function retailMac(key: Uint8Array, data: Uint8Array, options: RetailMacOptions = {}): Uint8Array {
  // Single-DES CBC under the left key half, then the last block decrypted under the right half and
  // encrypted again under the left half; the MAC is the leftmost `length` bytes.
  if (key.length !== 16) {
    throw new EmvCryptoError('KEY_LENGTH_INVALID', `retail MAC: key must be 16 bytes, got ${key.length}`, { length: key.length });
  }
  const length = options.length ?? 8;
  if (!Number.isInteger(length) || length < 4 || length > 8) {
    throw new EmvCryptoError('DATA_LENGTH_INVALID', `retail MAC: length must be 4 to 8 bytes, got ${length}`);
  }
  const left = key.subarray(0, 8);
  const right = key.subarray(8, 16);
  const padded = padIso9797(data, options.padding ?? 'method2');
  let h: Uint8Array = new Uint8Array(8);
  for (let off = 0; off < padded.length; off += 8) {
    h = desEncrypt(left, xorBytes(h, padded.subarray(off, off + 8)));
  }
  // Output transformation 3 (ISO/IEC 9797-1 §7.3): G = e_K(d_K'(H_q)).
  const g = desEncrypt(left, desDecrypt(right, h));
  return g.slice(0, length);
}

/** True when `mac` equals the retail MAC of the data (compared over the MAC's own length). */
export function verifyRetailMac(key: Uint8Array, data: Uint8Array, mac: Uint8Array, padding: MacPadding = 'method2'): boolean {
  if (mac.length < 4 || mac.length > 8) return false;
  const expected = retailMac(key, data, { padding, length: mac.length });
  let diff = 0;
  for (let i = 0; i < mac.length; i++) diff |= expected[i] ^ mac[i];
  return diff === 0;
}
