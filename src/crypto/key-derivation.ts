import { concatBytes, fromHex } from '../apdu/hex.js';
import { panDigits, xorBytes } from './bytes.js';
import { adjustKeyParity, tdesEncrypt } from './des.js';
import { EmvCryptoError } from './errors.js';

function checkKey16(key: Uint8Array, what: string): void {
  if (key.length !== 16) {
    throw new EmvCryptoError('KEY_LENGTH_INVALID', `${what} must be a 16-byte double-length key, got ${key.length}`, {
      length: key.length,
    });
  }
}

function psnDigits(psn: string | Uint8Array): string {
  const text = typeof psn === 'string' ? psn : Array.from(psn, (b) => b.toString(16).padStart(2, '0')).join('');
  if (!/^[0-9]{2}$/.test(text)) throw new EmvCryptoError('PAN_INVALID', 'PAN sequence number must be 2 decimal digits (5F34)');
  return text;
}

/** ICC master key from the issuer master key, PAN and PSN (5F34, '00' if absent), EMV Book 2 Annex A1.4.1 Option A. */
export function deriveIccMasterKeyOptionA(issuerMasterKey: Uint8Array, pan: string | Uint8Array, psn: string | Uint8Array = '00'): Uint8Array {
  // Y = rightmost 16 digits of PAN || PSN (left-padded with zeros when shorter);
  // MK = 3DES(IMK)[Y] || 3DES(IMK)[Y xor FF..FF], with odd parity set.
  checkKey16(issuerMasterKey, 'issuer master key');
  const digits = panDigits(pan);
  if (digits === undefined) throw new EmvCryptoError('PAN_INVALID', 'PAN must be 1-19 decimal digits');
  const x = digits + psnDigits(psn);
  const y = fromHex(x.length >= 16 ? x.slice(-16) : x.padStart(16, '0'));
  const zl = tdesEncrypt(issuerMasterKey, y);
  const zr = tdesEncrypt(issuerMasterKey, xorBytes(y, new Uint8Array(8).fill(0xff)));
  return adjustKeyParity(concatBytes(zl, zr));
}

/** Session key for an 8-byte diversification value R, EMV Book 2 Annex A1.3.1 (common session key derivation). */
export function deriveSessionKey(masterKey: Uint8Array, diversification: Uint8Array): Uint8Array {
  // SK = 3DES(MK)[R0 R1 'F0' R3..R7] || 3DES(MK)[R0 R1 '0F' R3..R7]. Odd parity is set on the result
  // (DES ignores parity bits, so MACs are unchanged by it).
  checkKey16(masterKey, 'ICC master key');
  if (diversification.length !== 8) {
    throw new EmvCryptoError('DATA_LENGTH_INVALID', `diversification value must be 8 bytes, got ${diversification.length}`);
  }
  const left = Uint8Array.from(diversification);
  left[2] = 0xf0;
  const right = Uint8Array.from(diversification);
  right[2] = 0x0f;
  return adjustKeyParity(concatBytes(tdesEncrypt(masterKey, left), tdesEncrypt(masterKey, right)));
}

/** AC session key for a 2-byte ATC (9F36): Book 2 Annex A1.3.1 with R = ATC || '00'x6 (Book 2 §8.1.2). */
export function deriveCommonSessionKey(masterKey: Uint8Array, atc: Uint8Array): Uint8Array {
  if (atc.length !== 2) throw new EmvCryptoError('DATA_LENGTH_INVALID', `ATC must be 2 bytes, got ${atc.length}`);
  const r = new Uint8Array(8);
  r.set(atc, 0);
  return deriveSessionKey(masterKey, r);
}
