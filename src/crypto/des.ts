import { createCipheriv, createDecipheriv } from 'node:crypto';
import { EmvCryptoError } from './errors.js';

// OpenSSL 3 (Node 20) moved single DES ('des-ecb') to the legacy provider, but keeps the
// 3DES ECB ciphers in the default one. Single DES is 3DES with K1 = K2 = K3 (E(K) D(K) E(K) = E(K)).

const BLOCK = 8;

function checkBlocks(data: Uint8Array, what: string): void {
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new EmvCryptoError('DATA_LENGTH_INVALID', `${what}: data must be a non-empty multiple of 8 bytes, got ${data.length}`);
  }
}

function checkKey(key: Uint8Array, lengths: readonly number[], what: string): void {
  if (!lengths.includes(key.length)) {
    throw new EmvCryptoError('KEY_LENGTH_INVALID', `${what}: key must be ${lengths.join(' or ')} bytes, got ${key.length}`, {
      length: key.length,
    });
  }
}

/** The 24-byte K1||K2||K3 form of an 8-, 16- or 24-byte DES key (K3 = K1 for double length). */
function tripleKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(24);
  if (key.length === 8) {
    out.set(key, 0);
    out.set(key, 8);
    out.set(key, 16);
  } else if (key.length === 16) {
    out.set(key, 0);
    out.set(key.subarray(0, 8), 16);
  } else {
    out.set(key);
  }
  return out;
}

function ecb(key: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const k = tripleKey(key);
  const c = encrypt ? createCipheriv('des-ede3-ecb', k, null) : createDecipheriv('des-ede3-ecb', k, null);
  c.setAutoPadding(false);
  const head = c.update(data);
  const tail = c.final();
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/** Single-DES ECB encryption (FIPS 46-3) of whole 8-byte blocks under an 8-byte key. */
export function desEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key, [8], 'DES');
  checkBlocks(data, 'DES');
  return ecb(key, data, true);
}

/** Single-DES ECB decryption of whole 8-byte blocks under an 8-byte key. */
export function desDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key, [8], 'DES');
  checkBlocks(data, 'DES');
  return ecb(key, data, false);
}

/** Triple-DES (EDE) ECB encryption with a double-length 16-byte key, as EMV Book 2 Annex A1.1 uses it. */
export function tdesEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key, [16, 24], '3DES');
  checkBlocks(data, '3DES');
  return ecb(key, data, true);
}

/** Triple-DES (EDE) ECB decryption with a double-length 16-byte key. */
export function tdesDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key, [16, 24], '3DES');
  checkBlocks(data, '3DES');
  return ecb(key, data, false);
}

/** A copy of the key with each byte's least significant bit set to give odd parity (FIPS 46-3 §3). */
export function adjustKeyParity(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const high = key[i] & 0xfe;
    out[i] = high | (bitCount(high) % 2 === 0 ? 1 : 0);
  }
  return out;
}

/** True when every byte of the key has an odd number of set bits. */
export function hasOddParity(key: Uint8Array): boolean {
  for (const b of key) if (bitCount(b) % 2 === 0) return false;
  return true;
}

/** Key check value: the leftmost `length` bytes of the key's encryption of a zero block. */
export function keyCheckValue(key: Uint8Array, length = 3): Uint8Array {
  const zero = new Uint8Array(BLOCK);
  const enc = key.length === 8 ? desEncrypt(key, zero) : tdesEncrypt(key, zero);
  return enc.slice(0, length);
}

function bitCount(b: number): number {
  let n = 0;
  for (let v = b; v !== 0; v >>= 1) n += v & 1;
  return n;
}
