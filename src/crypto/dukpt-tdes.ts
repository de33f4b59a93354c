// TDES DUKPT per ANSI X9.24-1:2009 §A.6 (IPEK, non-reversible key generation process) and
// §A.4 / A.6 variants. KSN = 80 bits: 59-bit initial KSN + 21-bit transaction counter.
import { desEncrypt, tdesDecrypt, tdesEncrypt } from './des.js';
import { xorBytes } from './bytes.js';
import { DukptError } from './dukpt-errors.js';

/** KSN length in bytes (X9.24-1:2009 §A.2: 80-bit key serial number register). */
export const TDES_KSN_LENGTH = 10;
/** Largest number of set counter bits a valid originating KSN may carry (X9.24-1:2009 §A.2). */
export const TDES_MAX_COUNTER_BITS = 10;

// X9.24-1:2009 §A.6 "Calculate the IPEK" and the non-reversible key generation process.
const KEY_MASK = Uint8Array.from([0xc0, 0xc0, 0xc0, 0xc0, 0, 0, 0, 0, 0xc0, 0xc0, 0xc0, 0xc0, 0, 0, 0, 0]);
// X9.24-1:2009 §A.6 / Table A-1 key variants (the "PIN", "MAC request" and "data request" masks).
const PIN_VARIANT = variantMask(7);
const MAC_VARIANT = variantMask(6);
const DATA_VARIANT = variantMask(5);
const COUNTER_MASK = 0x1fffff;

function variantMask(byteIndex: number): Uint8Array {
  const mask = new Uint8Array(16);
  mask[byteIndex] = 0xff;
  mask[byteIndex + 8] = 0xff;
  return mask;
}

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== 16) {
    throw new DukptError('KEY_LENGTH_INVALID', `${what} must be a 16-byte double-length TDES key`, { length: key.length });
  }
}

function checkKsn(ksn: Uint8Array): void {
  if (ksn.length !== TDES_KSN_LENGTH) {
    throw new DukptError('KSN_INVALID', 'TDES DUKPT KSN must be 10 bytes', { length: ksn.length });
  }
}

/** The 21-bit transaction counter held in the rightmost bits of a 10-byte KSN (X9.24-1:2009 §A.2). */
export function tdesKsnCounter(ksn: Uint8Array): number {
  checkKsn(ksn);
  return ((ksn[7] << 16) | (ksn[8] << 8) | ksn[9]) & COUNTER_MASK;
}

/** Number of set bits of a non-negative integer below 2^32. */
export function bitCount(value: number): number {
  let n = 0;
  for (let v = value >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

/** The KSN with its 21-bit counter cleared (the initial KSN), as a copy. */
export function tdesInitialKsn(ksn: Uint8Array): Uint8Array {
  checkKsn(ksn);
  const out = Uint8Array.from(ksn);
  out[7] &= 0xe0;
  out[8] = 0;
  out[9] = 0;
  return out;
}

/** Derives the IPEK from a 16-byte BDK and any KSN of the device (X9.24-1:2009 §A.6, counter masked with E00000). */
export function deriveIpek(bdk: Uint8Array, ksn: Uint8Array): Uint8Array {
  checkKey(bdk, 'BDK');
  const data = tdesInitialKsn(ksn).subarray(0, 8);
  const left = tdesEncrypt(bdk, data);
  const right = tdesEncrypt(xorBytes(bdk, KEY_MASK), data);
  const out = new Uint8Array(16);
  out.set(left, 0);
  out.set(right, 8);
  return out;
}

/** One pass of the non-reversible key generation process on a 16-byte key and 8-byte KSN register (X9.24-1:2009 §A.2). */
export function nonReversibleKeyGeneration(key: Uint8Array, ksnRegister: Uint8Array): Uint8Array {
  checkKey(key, 'Current key');
  if (ksnRegister.length !== 8) {
    throw new DukptError('KSN_INVALID', 'KSN register must be the rightmost 8 bytes of the KSN', { length: ksnRegister.length });
  }
  const half = (k: Uint8Array): Uint8Array => {
    const left = k.subarray(0, 8);
    const right = k.subarray(8, 16);
    // Crypto register-1 = KSN register XOR right half, DES-encrypted under the left half, XOR right half.
    return xorBytes(desEncrypt(left, xorBytes(ksnRegister, right)), right);
  };
  const newRight = half(key);
  const newLeft = half(xorBytes(key, KEY_MASK));
  const out = new Uint8Array(16);
  out.set(newLeft, 0);
  out.set(newRight, 8);
  return out;
}

/**
 * Derives the base transaction key ("future key" of the KSN's counter) from the IPEK by running the
 * non-reversible process once per set counter bit, most significant first (X9.24-1:2009 §A.6, host side).
 */
export function deriveTdesTransactionKey(ipek: Uint8Array, ksn: Uint8Array): Uint8Array {
  checkKey(ipek, 'IPEK');
  const counter = tdesKsnCounter(ksn);
  const bits = bitCount(counter);
  if (counter === 0 || bits > TDES_MAX_COUNTER_BITS) {
    throw new DukptError('KSN_COUNTER_INVALID', 'KSN counter must be non-zero with at most 10 bits set', { counter, bits });
  }
  const register = tdesInitialKsn(ksn).slice(2, 10);
  let key = ipek;
  for (let bit = 0x100000; bit !== 0; bit >>>= 1) {
    if ((counter & bit) === 0) continue;
    register[5] |= (bit >>> 16) & 0xff;
    register[6] |= (bit >>> 8) & 0xff;
    register[7] |= bit & 0xff;
    key = nonReversibleKeyGeneration(key, register);
  }
  return key;
}

/** The PIN encryption key: transaction key XOR 00000000000000FF00000000000000FF (X9.24-1:2009 §A.6). */
export function tdesPinKey(transactionKey: Uint8Array): Uint8Array {
  checkKey(transactionKey, 'Transaction key');
  return xorBytes(transactionKey, PIN_VARIANT);
}

/** The MAC (request) key: transaction key XOR 000000000000FF00000000000000FF00 (X9.24-1:2009 §A.6). */
export function tdesMacKey(transactionKey: Uint8Array): Uint8Array {
  checkKey(transactionKey, 'Transaction key');
  return xorBytes(transactionKey, MAC_VARIANT);
}

/** The data (request) variant: transaction key XOR 0000000000FF00000000000000FF0000 (X9.24-1:2009 §A.6). */
export function tdesDataVariant(transactionKey: Uint8Array): Uint8Array {
  checkKey(transactionKey, 'Transaction key');
  return xorBytes(transactionKey, DATA_VARIANT);
}

/** The data encryption key: each half of the data variant TDES-encrypted under the variant itself (X9.24-1:2009 §A.6). */
export function tdesDataKey(transactionKey: Uint8Array): Uint8Array {
  const variant = tdesDataVariant(transactionKey);
  return tdesEncrypt(variant, variant);
}

/** Host convenience: the PIN encryption key for a KSN straight from the BDK. */
export function deriveTdesPinKeyFromBdk(bdk: Uint8Array, ksn: Uint8Array): Uint8Array {
  return tdesPinKey(deriveTdesTransactionKey(deriveIpek(bdk, ksn), ksn));
}

/** TDES-encrypts an 8-byte clear PIN block under a DUKPT PIN key (X9.24-1:2009 §A.4 sample). */
export function tdesEncryptPinBlock(pinKey: Uint8Array, pinBlock: Uint8Array): Uint8Array {
  checkKey(pinKey, 'PIN key');
  if (pinBlock.length !== 8) {
    throw new DukptError('PIN_BLOCK_INVALID', 'TDES PIN block must be 8 bytes', { length: pinBlock.length });
  }
  return tdesEncrypt(pinKey, pinBlock);
}

/** TDES-decrypts an 8-byte encrypted PIN block under a DUKPT PIN key. */
export function tdesDecryptPinBlock(pinKey: Uint8Array, encrypted: Uint8Array): Uint8Array {
  checkKey(pinKey, 'PIN key');
  if (encrypted.length !== 8) {
    throw new DukptError('PIN_BLOCK_INVALID', 'TDES PIN block must be 8 bytes', { length: encrypted.length });
  }
  return tdesDecrypt(pinKey, encrypted);
}
