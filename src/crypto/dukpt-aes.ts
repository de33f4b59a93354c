// AES DUKPT per ANSI X9.24-3:2017 §6.3 (key derivation function, derivation data layout) and
// §6.5-6.6 (initial key, intermediate derivation keys, working keys). KSN = 96 bits:
// 64-bit initial key ID (32-bit BDK ID + 32-bit derivation ID) + 32-bit transaction counter.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DukptError } from './dukpt-errors.js';

/** KSN length in bytes (X9.24-3:2017 §6.1: 96-bit key serial number). */
export const AES_KSN_LENGTH = 12;
/** Initial key ID length in bytes (X9.24-3:2017 §6.1: BDK ID || derivation ID). */
export const AES_INITIAL_KEY_ID_LENGTH = 8;
/** Largest number of set counter bits a valid KSN may carry (X9.24-3:2017 §6.1). */
export const AES_MAX_COUNTER_BITS = 16;

/** Key types with their X9.24-3:2017 Table 2 algorithm indicator and length in bits. */
export const AES_DUKPT_KEY_TYPES = {
  TDES2: { algorithm: 0x0000, bits: 128 },
  TDES3: { algorithm: 0x0001, bits: 192 },
  AES128: { algorithm: 0x0002, bits: 128 },
  AES192: { algorithm: 0x0003, bits: 192 },
  AES256: { algorithm: 0x0004, bits: 256 },
} as const;

/** A key type name usable as derivation or working key type. */
export type AesDukptKeyType = keyof typeof AES_DUKPT_KEY_TYPES;

/** Key usage indicators of the derivation data (X9.24-3:2017 Table 3). */
export const AES_DUKPT_KEY_USAGE = {
  KEY_ENCRYPTION_KEY: 0x0002,
  PIN_ENCRYPTION: 0x1000,
  MAC_GENERATION: 0x2000,
  MAC_VERIFICATION: 0x2001,
  MAC_BOTH_WAYS: 0x2002,
  DATA_ENCRYPT: 0x3000,
  DATA_DECRYPT: 0x3001,
  DATA_BOTH_WAYS: 0x3002,
  KEY_DERIVATION: 0x8000,
  KEY_DERIVATION_INITIAL_KEY: 0x8001,
} as const;

/** A key usage name of the derivation data. */
export type AesDukptKeyUsage = keyof typeof AES_DUKPT_KEY_USAGE;

function aesName(key: Uint8Array): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new DukptError('KEY_LENGTH_INVALID', 'AES key must be 16, 24 or 32 bytes', { length: key.length });
  }
  return `aes-${key.length * 8}-ecb`;
}

function checkBlocks(data: Uint8Array): void {
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new DukptError('PIN_BLOCK_INVALID', 'AES data must be whole 16-byte blocks', { length: data.length });
  }
}

/** AES-ECB encryption (FIPS 197) of whole 16-byte blocks, no padding. */
export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks(data);
  const c = createCipheriv(aesName(key), key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** AES-ECB decryption (FIPS 197) of whole 16-byte blocks, no padding. */
export function aesEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBlocks(data);
  const c = createDecipheriv(aesName(key), key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

function keyTypeOf(key: Uint8Array): AesDukptKeyType {
  if (key.length === 16) return 'AES128';
  if (key.length === 24) return 'AES192';
  if (key.length === 32) return 'AES256';
  throw new DukptError('KEY_LENGTH_INVALID', 'AES DUKPT derivation key must be 16, 24 or 32 bytes', { length: key.length });
}

function checkKsn(ksn: Uint8Array): void {
  if (ksn.length !== AES_KSN_LENGTH) {
    throw new DukptError('KSN_INVALID', 'AES DUKPT KSN must be 12 bytes', { length: ksn.length });
  }
}

/**
 * The 16-byte derivation data (X9.24-3:2017 §6.3.2 Table 1): version 01, key block counter 01,
 * key usage (2), algorithm (2), length in bits (2), then 8 bytes of initial key ID or
 * derivation ID || counter.
 */
export function derivationData(usage: AesDukptKeyUsage, keyType: AesDukptKeyType, tail: Uint8Array): Uint8Array {
  if (tail.length !== 8) {
    throw new DukptError('INITIAL_KEY_ID_INVALID', 'Derivation data tail must be 8 bytes', { length: tail.length });
  }
  const { algorithm, bits } = AES_DUKPT_KEY_TYPES[keyType];
  const u = AES_DUKPT_KEY_USAGE[usage];
  const out = Uint8Array.from([0x01, 0x01, u >> 8, u & 0xff, algorithm >> 8, algorithm & 0xff, bits >> 8, bits & 0xff]);
  const full = new Uint8Array(16);
  full.set(out, 0);
  full.set(tail, 8);
  return full;
}

/** The X9.24-3:2017 §6.3.1 key derivation function: AES-ECB of the derivation data per block, counter in byte 1, truncated. */
export function deriveKey(derivationKey: Uint8Array, keyType: AesDukptKeyType, data: Uint8Array): Uint8Array {
  const bytes = AES_DUKPT_KEY_TYPES[keyType].bits / 8;
  const out = new Uint8Array(Math.ceil(bytes / 16) * 16);
  const block = Uint8Array.from(data);
  for (let i = 0; i * 16 < bytes; i++) {
    block[1] = i + 1;
    out.set(aesEcbEncrypt(derivationKey, block), i * 16);
  }
  return out.slice(0, bytes);
}

/** The 32-bit transaction counter of a 12-byte KSN (X9.24-3:2017 §6.1). */
export function aesKsnCounter(ksn: Uint8Array): number {
  checkKsn(ksn);
  return ((ksn[8] << 24) | (ksn[9] << 16) | (ksn[10] << 8) | ksn[11]) >>> 0;
}

/** Derives the initial key from the BDK and the 8-byte initial key ID; same type as the BDK (X9.24-3:2017 §6.5.1). */
export function deriveAesInitialKey(bdk: Uint8Array, initialKeyId: Uint8Array): Uint8Array {
  if (initialKeyId.length !== AES_INITIAL_KEY_ID_LENGTH) {
    throw new DukptError('INITIAL_KEY_ID_INVALID', 'AES DUKPT initial key ID must be 8 bytes', { length: initialKeyId.length });
  }
  const type = keyTypeOf(bdk);
  return deriveKey(bdk, type, derivationData('KEY_DERIVATION_INITIAL_KEY', type, initialKeyId));
}

/**
 * Derives the intermediate derivation key for a KSN from the initial key: one derivation per set
 * counter bit, most significant first, over derivation ID || partial counter (X9.24-3:2017 §6.6, host side).
 */
export function deriveAesTransactionKey(initialKey: Uint8Array, ksn: Uint8Array): Uint8Array {
  const type = keyTypeOf(initialKey);
  const counter = aesKsnCounter(ksn);
  const bits = countBits(counter);
  if (counter === 0 || bits > AES_MAX_COUNTER_BITS) {
    throw new DukptError('KSN_COUNTER_INVALID', 'KSN counter must be non-zero with at most 16 bits set', { counter, bits });
  }
  const tail = new Uint8Array(8);
  tail.set(ksn.subarray(4, 8), 0);
  let working = 0;
  let key = initialKey;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if ((counter & bit) === 0) continue;
    working = (working | bit) >>> 0;
    new DataView(tail.buffer).setUint32(4, working);
    key = deriveKey(key, type, derivationData('KEY_DERIVATION', type, tail));
  }
  return key;
}

/** Derives a working key of the given usage and type from a transaction derivation key (X9.24-3:2017 §6.3.3). */
export function deriveAesWorkingKey(
  transactionKey: Uint8Array,
  ksn: Uint8Array,
  usage: AesDukptKeyUsage,
  keyType: AesDukptKeyType,
): Uint8Array {
  keyTypeOf(transactionKey);
  checkKsn(ksn);
  return deriveKey(transactionKey, keyType, derivationData(usage, keyType, ksn.subarray(4, 12)));
}

/** Host convenience: the PIN encryption working key for a KSN from the BDK (AES-128 by default). */
export function deriveAesPinKeyFromBdk(bdk: Uint8Array, ksn: Uint8Array, keyType: AesDukptKeyType = 'AES128'): Uint8Array {
  checkKsn(ksn);
  const ik = deriveAesInitialKey(bdk, ksn.subarray(0, 8));
  return deriveAesWorkingKey(deriveAesTransactionKey(ik, ksn), ksn, 'PIN_ENCRYPTION', keyType);
}

function countBits(value: number): number {
  let n = 0;
  for (let v = value >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}
