// ISO 9564-1:2017 PIN blocks: format 0 (§9.3.1, 64-bit, PIN field XOR PAN field) and
// format 4 (§9.4.2, 128-bit AES, PIN field and PAN field combined by encipherment).
import { randomBytes } from 'node:crypto';
import { xorBytes } from './bytes.js';
import { aesEcbDecrypt, aesEcbEncrypt } from './dukpt-aes.js';
import { DukptError } from './dukpt-errors.js';

const PIN_RE = /^[0-9]{4,12}$/;
const PAN_RE = /^[0-9]{1,19}$/;

function checkPin(pin: string): void {
  // Never put the PIN itself in details; its length is safe.
  if (!PIN_RE.test(pin)) {
    throw new DukptError('PIN_INVALID', 'PIN must be 4 to 12 decimal digits', { length: pin.length });
  }
}

function checkPan(pan: string): void {
  if (!PAN_RE.test(pan)) {
    throw new DukptError('PAN_INVALID', 'PAN must be 1 to 19 decimal digits', { length: pan.length });
  }
}

function nibblesToBytes(nibbles: string): Uint8Array {
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(nibbles.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToNibbles(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b >> 4).toString(16).toUpperCase() + (b & 15).toString(16).toUpperCase();
  return s;
}

/** Format 0 PIN field: control 0, PIN length, PIN digits, fill F (ISO 9564-1:2017 §9.3.1.2). */
export function format0PinField(pin: string): Uint8Array {
  checkPin(pin);
  return nibblesToBytes(('0' + pin.length.toString(16).toUpperCase() + pin).padEnd(16, 'F'));
}

/** Format 0 PAN field: 0000 then the rightmost 12 PAN digits excluding the check digit, zero-padded left (ISO 9564-1:2017 §9.3.1.3). */
export function format0PanField(pan: string): Uint8Array {
  checkPan(pan);
  const digits = pan.slice(0, -1).slice(-12).padStart(12, '0');
  return nibblesToBytes('0000' + digits);
}

/** Encodes a clear ISO 9564-1 format 0 PIN block (PIN field XOR PAN field), 8 bytes. */
export function encodeFormat0(pin: string, pan: string): Uint8Array {
  return xorBytes(format0PinField(pin), format0PanField(pan));
}

function parsePinField(nibbles: string, control: string, fill: string): string {
  const len = parseInt(nibbles[1], 16);
  const pin = nibbles.slice(2, 2 + len);
  const rest = nibbles.slice(2 + len);
  if (nibbles[0] !== control || len < 4 || len > 12 || !/^[0-9]+$/.test(pin) || rest !== fill.repeat(rest.length)) {
    throw new DukptError('PIN_BLOCK_INVALID', 'PIN field does not match the PIN block format', { control: nibbles[0] });
  }
  return pin;
}

/** Decodes a clear format 0 PIN block with its PAN; throws PIN_BLOCK_INVALID on a malformed field. */
export function decodeFormat0(block: Uint8Array, pan: string): string {
  if (block.length !== 8) {
    throw new DukptError('PIN_BLOCK_INVALID', 'Format 0 PIN block must be 8 bytes', { length: block.length });
  }
  return parsePinField(bytesToNibbles(xorBytes(block, format0PanField(pan))), '0', 'F');
}

/**
 * Format 4 plain-text PIN field (ISO 9564-1:2017 §9.4.2.2): control 4, PIN length, PIN digits,
 * fill A up to 16 nibbles, then 8 bytes of random fill (injectable for tests).
 */
export function format4PinField(pin: string, randomFill: Uint8Array = randomBytes(8)): Uint8Array {
  checkPin(pin);
  if (randomFill.length !== 8) {
    throw new DukptError('RANDOM_FILL_INVALID', 'Format 4 random fill must be 8 bytes', { length: randomFill.length });
  }
  const out = new Uint8Array(16);
  out.set(nibblesToBytes(('4' + pin.length.toString(16).toUpperCase() + pin).padEnd(16, 'A')), 0);
  out.set(randomFill, 8);
  return out;
}

/**
 * Format 4 plain-text PAN field (ISO 9564-1:2017 §9.4.2.3): PAN length minus 12 (0 for shorter PANs,
 * which are zero-padded left to 12 digits), then the PAN, zero-filled to 32 nibbles.
 */
export function format4PanField(pan: string): Uint8Array {
  checkPan(pan);
  const digits = pan.padStart(12, '0');
  return nibblesToBytes(((digits.length - 12).toString() + digits).padEnd(32, '0'));
}

/** Enciphers a format 4 PIN block: AES(K, AES(K, PIN field) XOR PAN field) (ISO 9564-1:2017 §9.4.2.4). */
export function encipherFormat4(key: Uint8Array, pin: string, pan: string, randomFill?: Uint8Array): Uint8Array {
  const panField = format4PanField(pan);
  const inner = aesEcbEncrypt(key, format4PinField(pin, randomFill));
  return aesEcbEncrypt(key, xorBytes(inner, panField));
}

/** Deciphers a format 4 PIN block with its PAN and returns the PIN (ISO 9564-1:2017 §9.4.2.4, reversed). */
export function decipherFormat4(key: Uint8Array, block: Uint8Array, pan: string): string {
  if (block.length !== 16) {
    throw new DukptError('PIN_BLOCK_INVALID', 'Format 4 PIN block must be 16 bytes', { length: block.length });
  }
  const panField = format4PanField(pan);
  const pinField = aesEcbDecrypt(key, xorBytes(aesEcbDecrypt(key, block), panField));
  return parsePinField(bytesToNibbles(pinField.subarray(0, 8)), '4', 'A');
}
