import { concatBytes } from '../apdu/hex.js';
import { xorBytes } from './bytes.js';
import { tdesDecrypt, tdesEncrypt } from './des.js';
import { EmvCryptoError } from './errors.js';
import { retailMac, verifyRetailMac, type MacPadding } from './retail-mac.js';

function checkLength(value: Uint8Array, allowed: (n: number) => boolean, what: string): void {
  if (!allowed(value.length)) {
    throw new EmvCryptoError('DATA_LENGTH_INVALID', `${what}: unexpected length ${value.length}`, { length: value.length });
  }
}

/** Application cryptogram (ARQC, TC or AAC; 9F26) over the caller's concatenated data, EMV Book 2 §8.1.2. */
export function generateApplicationCryptogram(sessionKey: Uint8Array, data: Uint8Array, padding: MacPadding = 'method2'): Uint8Array {
  // The data is the CDOL-related data plus whatever the scheme adds (AIP, ATC, IAD...); the MAC is
  // Annex A1.2.1's under the AC session key, padding method 2 unless the scheme says method 1.
  return retailMac(sessionKey, data, { padding, length: 8 });
}

/** True when the 8-byte cryptogram matches the one computed over the same data and session key. */
export function verifyApplicationCryptogram(
  sessionKey: Uint8Array,
  data: Uint8Array,
  cryptogram: Uint8Array,
  padding: MacPadding = 'method2',
): boolean {
  return cryptogram.length === 8 && verifyRetailMac(sessionKey, data, cryptogram, padding);
}

/** ARPC method 1 (EMV Book 2 §8.2.1): 3DES(SK)[ARQC xor (ARC || '00'x6)]; tag 91 is then ARPC || ARC. */
export function generateArpcMethod1(sessionKey: Uint8Array, arqc: Uint8Array, arc: Uint8Array): Uint8Array {
  checkLength(arqc, (n) => n === 8, 'ARQC');
  checkLength(arc, (n) => n === 2, 'ARC (8A)');
  const y = new Uint8Array(8);
  y.set(arc, 0);
  return tdesEncrypt(sessionKey, xorBytes(arqc, y));
}

/** True when an 8-byte method 1 ARPC was made from this ARQC and ARC (what the card checks). */
export function verifyArpcMethod1(sessionKey: Uint8Array, arqc: Uint8Array, arc: Uint8Array, arpc: Uint8Array): boolean {
  if (arpc.length !== 8 || arqc.length !== 8 || arc.length !== 2) return false;
  const x = xorBytes(tdesDecrypt(sessionKey, arpc), arqc);
  return x[0] === arc[0] && x[1] === arc[1] && x.subarray(2).every((b) => b === 0);
}

/** ARPC method 2 (EMV Book 2 §8.2.2): 4-byte MAC over ARQC || CSU || proprietary authentication data. */
export function generateArpcMethod2(
  sessionKey: Uint8Array,
  arqc: Uint8Array,
  csu: Uint8Array,
  proprietaryAuthenticationData: Uint8Array = new Uint8Array(0),
): Uint8Array {
  // Tag 91 is then ARPC || CSU || proprietary authentication data (0-8 bytes); MAC per Annex A1.2.1, padding method 2.
  checkLength(arqc, (n) => n === 8, 'ARQC');
  checkLength(csu, (n) => n === 4, 'CSU');
  checkLength(proprietaryAuthenticationData, (n) => n <= 8, 'proprietary authentication data');
  return retailMac(sessionKey, concatBytes(arqc, csu, proprietaryAuthenticationData), { padding: 'method2', length: 4 });
}

/** True when a 4-byte method 2 ARPC matches the ARQC, CSU and proprietary authentication data. */
export function verifyArpcMethod2(
  sessionKey: Uint8Array,
  arqc: Uint8Array,
  csu: Uint8Array,
  proprietaryAuthenticationData: Uint8Array,
  arpc: Uint8Array,
): boolean {
  if (arpc.length !== 4 || arqc.length !== 8 || csu.length !== 4 || proprietaryAuthenticationData.length > 8) return false;
  return verifyRetailMac(sessionKey, concatBytes(arqc, csu, proprietaryAuthenticationData), arpc, 'method2');
}
