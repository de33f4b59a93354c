import { createHash, generateKeyPairSync } from 'node:crypto';
import { concatBytes } from '../apdu/hex.js';
import { bigIntToBytes, bytesToBigInt } from './bytes.js';
import { EmvCryptoError } from './errors.js';

/** An RSA public key as EMV carries it: big-endian modulus and exponent bytes (EMV Book 2 Annex A2.1). */
export interface RsaPublicKey {
  readonly modulus: Uint8Array;
  /** Public exponent, e.g. '03' or '01 00 01' (Book 2 §5.1, §6.1: 3 or 2^16+1). */
  readonly exponent: Uint8Array;
}

/** An RSA private key for the simulator: public part as bytes, private values as integers (CRT form). */
export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
}

/** A generated key pair. */
export interface RsaKeyPair {
  readonly publicKey: RsaPublicKey;
  readonly privateKey: RsaPrivateKey;
}

/** base^exp mod m on BigInt. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let result = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Raw RSA recovery S^e mod n (EMV Book 2 Annex A2.1); undefined for out-of-range input or an unusable key. */
export function rsaRecover(key: RsaPublicKey, signature: Uint8Array): Uint8Array | undefined {
  // Returns rather than throws: the signature is card data.
  const n = bytesToBigInt(key.modulus);
  const e = bytesToBigInt(key.exponent);
  if (n < 3n || e === 0n || key.modulus[0] === 0) return undefined;
  const s = bytesToBigInt(signature);
  if (signature.length !== key.modulus.length || s >= n) return undefined;
  return bigIntToBytes(modPow(s, e, n), key.modulus.length);
}

/** Raw RSA signature m^d mod n of a modulus-length message (EMV formats carry their own 6A..BC framing). */
export function rsaSign(key: RsaPrivateKey, message: Uint8Array): Uint8Array {
  // Computed with the CRT (Garner's formula) from the JWK's p, q, dp, dq, qi: about 4x faster than m^d mod n.
  const n = bytesToBigInt(key.modulus);
  const m = bytesToBigInt(message);
  if (message.length !== key.modulus.length || m >= n) {
    throw new EmvCryptoError('RSA_INPUT_OUT_OF_RANGE', 'message must be as long as the modulus and smaller than it', {
      messageLength: message.length,
      modulusLength: key.modulus.length,
    });
  }
  const m1 = modPow(m, key.dp, key.p);
  const m2 = modPow(m, key.dq, key.q);
  const h = (key.qi * (((m1 - m2) % key.p) + key.p)) % key.p;
  return bigIntToBytes(m2 + h * key.q, key.modulus.length);
}

function fromBase64Url(text: string | undefined): Uint8Array {
  if (text === undefined) throw new EmvCryptoError('RSA_KEY_INVALID', 'exported JWK lacks a field');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** A fresh RSA key pair (512-1984 bits, multiple of 8; exponent 3 or 65537) for the card simulator and tests. */
export function generateRsaKeyPair(bits: number, publicExponent: 3 | 65537 = 3): RsaKeyPair {
  // EMV Book 2 §5.1/§6.1 limit moduli to 248 bytes and exponents to 3 and 2^16+1; certificates carry
  // the modulus length in one byte and need whole bytes.
  if (!Number.isInteger(bits) || bits % 8 !== 0 || bits < 512 || bits > 1984) {
    throw new EmvCryptoError('RSA_KEY_INVALID', `modulus size must be a multiple of 8 bits from 512 to 1984, got ${bits}`);
  }
  if (publicExponent !== 3 && publicExponent !== 65537) {
    throw new EmvCryptoError('RSA_KEY_INVALID', `public exponent must be 3 or 65537, got ${String(publicExponent)}`);
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
  const jwk = privateKey.export({ format: 'jwk' });
  const modulus = fromBase64Url(jwk.n);
  const exponent = fromBase64Url(jwk.e);
  const big = (s: string | undefined): bigint => bytesToBigInt(fromBase64Url(s));
  return {
    publicKey: { modulus, exponent },
    privateKey: { modulus, exponent, d: big(jwk.d), p: big(jwk.p), q: big(jwk.q), dp: big(jwk.dp), dq: big(jwk.dq), qi: big(jwk.qi) },
  };
}

/** SHA-1 (FIPS 180-4) of the concatenated parts: the hash of EMV hash algorithm indicator '01'. */
export function sha1(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(createHash('sha1').update(concatBytes(...parts)).digest());
}
