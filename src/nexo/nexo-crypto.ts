// The message security of Adyen's local Terminal API ("AdyenCryptoVersion 1"), written from its public description:
// keys derived from a shared passphrase (PBKDF2-HMAC-SHA1, salt "AdyenNexoV1Salt", 4000 iterations, 80 bytes: HMAC
// key 32, AES key 32, IV 16), the message encrypted with AES-256-CBC under the derived IV XOR a random per-message
// nonce, and an HMAC-SHA256 of the plaintext.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { NexoError } from './errors.js';

/** The shared key as Adyen's apps hold it (their SecurityKey, minus the crypto version which is always 1). */
export interface NexoKey {
  readonly keyIdentifier: string;
  readonly keyVersion: number;
  readonly passphrase: string;
}

/** Key material derived from a passphrase. */
export interface DerivedKeys {
  readonly hmacKey: Buffer;
  readonly cipherKey: Buffer;
  readonly iv: Buffer;
}

/** The clear-text trailer of a secured message. */
export interface SecurityTrailer {
  readonly AdyenCryptoVersion: number;
  readonly KeyIdentifier: string;
  readonly KeyVersion: number;
  /** Base64 of the 16 random bytes XORed into the IV. */
  readonly Nonce: string;
  /** Base64 of HMAC-SHA256 over the plaintext. */
  readonly Hmac: string;
}

/** A secured SaleToPOIRequest/Response body: header in clear, the message encrypted. */
export interface SecuredMessage {
  readonly MessageHeader: Record<string, unknown>;
  readonly NexoBlob: string;
  readonly SecurityTrailer: SecurityTrailer;
}

const SALT = 'AdyenNexoV1Salt';
const ITERATIONS = 4000;
const NONCE_LENGTH = 16;
const derived = new Map<string, DerivedKeys>();

/** Derives (once per passphrase, then cached) the HMAC key, AES key and IV from the passphrase. */
export function deriveKeys(passphrase: string): DerivedKeys {
  const known = derived.get(passphrase);
  if (known) return known;
  const b = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), Buffer.from(SALT, 'ascii'), ITERATIONS, 80, 'sha1');
  const keys = { hmacKey: b.subarray(0, 32), cipherKey: b.subarray(32, 64), iv: b.subarray(64, 80) };
  derived.set(passphrase, keys);
  return keys;
}

function ivFor(keys: DerivedKeys, nonce: Buffer): Buffer {
  const iv = Buffer.alloc(NONCE_LENGTH);
  for (let i = 0; i < NONCE_LENGTH; i++) iv[i] = (keys.iv[i] ?? 0) ^ (nonce[i] ?? 0);
  return iv;
}

/** Encrypts `plaintext` (the whole {"SaleToPOIRequest|Response": …} JSON) under `key` with a fresh nonce. */
export function encryptMessage(header: Record<string, unknown>, plaintext: string, key: NexoKey, nonce: Buffer = randomBytes(NONCE_LENGTH)): SecuredMessage {
  const keys = deriveKeys(key.passphrase);
  const clear = Buffer.from(plaintext, 'utf8');
  const cipher = createCipheriv('aes-256-cbc', keys.cipherKey, ivFor(keys, nonce));
  const blob = Buffer.concat([cipher.update(clear), cipher.final()]);
  return {
    MessageHeader: header,
    NexoBlob: blob.toString('base64'),
    SecurityTrailer: {
      AdyenCryptoVersion: 1,
      KeyIdentifier: key.keyIdentifier,
      KeyVersion: key.keyVersion,
      Nonce: nonce.toString('base64'),
      Hmac: createHmac('sha256', keys.hmacKey).update(clear).digest('base64'),
    },
  };
}

/**
 * Decrypts a secured message under `key` and checks its HMAC: NEXO_KEY_UNKNOWN / NEXO_KEY_VERSION when the trailer
 * names another key, NEXO_HMAC_INVALID when the blob does not decrypt or its HMAC does not verify (another passphrase).
 */
export function decryptMessage(m: SecuredMessage, key: NexoKey): string {
  const t = m.SecurityTrailer;
  if (t.KeyIdentifier !== key.keyIdentifier) throw new NexoError('NEXO_KEY_UNKNOWN', 'the message names another key identifier');
  if (Number(t.KeyVersion) !== key.keyVersion) throw new NexoError('NEXO_KEY_VERSION', 'the message names another key version', { keyVersion: t.KeyVersion });
  if (Number(t.AdyenCryptoVersion) !== 1) throw new NexoError('NEXO_MESSAGE_INVALID', 'only AdyenCryptoVersion 1 is supported');
  const nonce = Buffer.from(t.Nonce, 'base64');
  if (nonce.length !== NONCE_LENGTH) throw new NexoError('NEXO_MESSAGE_INVALID', 'the nonce is not 16 bytes');
  const keys = deriveKeys(key.passphrase);
  let clear: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, ivFor(keys, nonce));
    clear = Buffer.concat([decipher.update(Buffer.from(m.NexoBlob, 'base64')), decipher.final()]);
  } catch (err) {
    // Bad padding: the blob was made under another passphrase (or altered).
    throw new NexoError('NEXO_HMAC_INVALID', 'the message does not decrypt under this key', {}, err);
  }
  const expected = createHmac('sha256', keys.hmacKey).update(clear).digest();
  const given = Buffer.from(t.Hmac, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new NexoError('NEXO_HMAC_INVALID', 'the HMAC does not verify');
  return clear.toString('utf8');
}

/** True when `v` has the shape of a secured message (header, blob and trailer), before any crypto. */
export function isSecuredMessage(v: unknown): v is SecuredMessage {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const t = o.SecurityTrailer as Record<string, unknown> | undefined;
  return typeof o.MessageHeader === 'object' && o.MessageHeader !== null && typeof o.NexoBlob === 'string' && typeof t === 'object' && t !== null && typeof t.KeyIdentifier === 'string' && typeof t.Nonce === 'string' && typeof t.Hmac === 'string' && (typeof t.KeyVersion === 'number' || typeof t.KeyVersion === 'string');
}
