// The reader's side of FEATURE_VERIFY_PIN_DIRECT / VERIFY_PIN_START: PC/SC Part 10 v2.02.09 §2.5.2 PIN_VERIFY_STRUCTURE
// (field layout = USB CCID 1.1 §6.1.11.4 "PIN Verification Data Structure", packed, multi-byte fields little-endian),
// parsed strictly as a class-3 reader must before it touches the keypad, and the APDU with the entered digits
// written in as bmFormatString / bmPINBlockString / bmPINLengthFormat say. Used by the in-process reader emulation;
// src/drivers/pinpad/pcsc-part10.ts builds the structure on the terminal's side.
import { ReaderPinPadError } from '../../drivers/pinpad/reader-pin-pad-errors.js';

/** Bytes before abData (bTimerOut .. ulDataLength), CCID 1.1 §6.1.11.4. */
const HEADER_LENGTH = 19;
/** Largest abData we accept: a short APDU header, Lc and 255 data bytes (CCID abPINApdu is a short command). */
const MAX_APDU_LENGTH = 5 + 255;

/** A PIN_VERIFY_STRUCTURE, decoded. Positions are in bits from the start of the APDU's data field. */
export interface PinVerifyStructure {
  /** bTimerOut: seconds to wait for entry, 0 = the reader's default. */
  readonly timeoutS: number;
  /** bTimerOut2: seconds after the first key, 0 = the reader's default. */
  readonly timeout2S: number;
  /** bmFormatString b1-0: how each digit is written. */
  readonly encoding: 'binary' | 'bcd' | 'ascii';
  /** bmFormatString b2. */
  readonly justify: 'left' | 'right';
  /** bmFormatString b6-3 with b7's unit, as bits. */
  readonly pinOffsetBits: number;
  /** bmPINBlockString b3-0: the PIN block's size in bytes, from the data start. */
  readonly blockBytes: number;
  /** bmPINBlockString b7-4: size of the PIN length field in bits (0 = no length field). */
  readonly lengthFieldBits: number;
  /** bmPINLengthFormat b3-0 with b4's unit, as bits. */
  readonly lengthOffsetBits: number;
  /** wPINMaxExtraDigit high byte. */
  readonly minDigits: number;
  /** wPINMaxExtraDigit low byte. */
  readonly maxDigits: number;
  /** bEntryValidationCondition: 01 max size reached, 02 validation key, 04 timeout. */
  readonly validation: number;
  /** bNumberMessage: 0..3, or 0xFF for the reader's default. */
  readonly messageCount: number;
  /** wLangId. */
  readonly langId: number;
  /** bMsgIndex. */
  readonly messageIndex: number;
  /** abData: the command APDU template (CLA INS P1 P2 Lc data). */
  readonly apdu: Uint8Array;
}

function invalid(message: string, details: Record<string, unknown>): ReaderPinPadError {
  return new ReaderPinPadError('PIN_VERIFY_STRUCTURE_INVALID', message, details);
}

const ENCODINGS = ['binary', 'bcd', 'ascii'] as const;

/** Bits one digit takes in the block. */
export function bitsPerDigit(encoding: PinVerifyStructure['encoding']): number {
  return encoding === 'bcd' ? 4 : 8;
}

/**
 * Decodes a PIN_VERIFY_STRUCTURE and checks that it can be carried out: lengths agree, RFU bits are 0, the APDU is a
 * short case 3 command, min ≤ max digits, and the longest PIN and the length field fit in the PIN block, which fits in
 * the APDU data. Throws PIN_VERIFY_STRUCTURE_INVALID (a reader answers 6B80) otherwise.
 */
export function parsePinVerifyStructure(bytes: Uint8Array): PinVerifyStructure {
  if (bytes.length < HEADER_LENGTH + 5) throw invalid('structure shorter than its header and an APDU header with Lc', { length: bytes.length });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataLength = dv.getUint32(15, true);
  if (dataLength !== bytes.length - HEADER_LENGTH) throw invalid('ulDataLength does not match the structure length', { ulDataLength: dataLength, length: bytes.length });
  if (dataLength > MAX_APDU_LENGTH) throw invalid('abData is longer than a short APDU', { ulDataLength: dataLength });
  const apdu = bytes.slice(HEADER_LENGTH);
  const lc = apdu[4];
  if (lc === 0 || apdu.length !== 5 + lc) throw invalid('abData is not a short case 3 APDU (header, Lc, Lc data bytes)', { lc, apduLength: apdu.length });

  const format = bytes[2];
  const type = format & 0x03;
  if (type === 0x03) throw invalid('bmFormatString PIN type 11 is reserved', { bmFormatString: format });
  const encoding = ENCODINGS[type];
  const pinOffsetBits = ((format >> 3) & 0x0f) * ((format & 0x80) !== 0 ? 8 : 1);

  const block = bytes[3];
  const blockBytes = block & 0x0f;
  const lengthFieldBits = block >> 4;
  if (blockBytes === 0 || blockBytes > lc) throw invalid('the PIN block is empty or larger than the APDU data', { bmPINBlockString: block, lc });

  const lengthFormat = bytes[4];
  if ((lengthFormat & 0xe0) !== 0) throw invalid('bmPINLengthFormat RFU bits are set', { bmPINLengthFormat: lengthFormat });
  const lengthOffsetBits = (lengthFormat & 0x0f) * ((lengthFormat & 0x10) !== 0 ? 8 : 1);
  if (lengthFieldBits > 0 && lengthOffsetBits + lengthFieldBits > blockBytes * 8) {
    throw invalid('the PIN length field does not fit in the PIN block', { bmPINBlockString: block, bmPINLengthFormat: lengthFormat });
  }

  const maxDigits = bytes[5];
  const minDigits = bytes[6];
  if (minDigits === 0 || maxDigits < minDigits) throw invalid('wPINMaxExtraDigit: min must be 1 or more and not exceed max', { minDigits, maxDigits });
  if (pinOffsetBits + maxDigits * bitsPerDigit(encoding) > blockBytes * 8) {
    throw invalid('the longest PIN does not fit in the PIN block', { maxDigits, bmFormatString: format, bmPINBlockString: block });
  }
  if (lengthFieldBits > 0 && maxDigits >= 2 ** lengthFieldBits) throw invalid('the PIN length field is too small for the longest PIN', { maxDigits, lengthFieldBits });

  const validation = bytes[7];
  if (validation === 0 || (validation & 0xf8) !== 0) throw invalid('bEntryValidationCondition must be a non-empty combination of 01, 02, 04', { bEntryValidationCondition: validation });
  const messageCount = bytes[8];
  if (messageCount > 3 && messageCount !== 0xff) throw invalid('bNumberMessage must be 0..3 or FF', { bNumberMessage: messageCount });

  return {
    timeoutS: bytes[0],
    timeout2S: bytes[1],
    encoding,
    justify: (format & 0x04) !== 0 ? 'right' : 'left',
    pinOffsetBits,
    blockBytes,
    lengthFieldBits,
    lengthOffsetBits,
    minDigits,
    maxDigits,
    validation,
    messageCount,
    langId: dv.getUint16(9, true),
    messageIndex: bytes[11],
    apdu,
  };
}

/** Writes `value` MSB first into `bitCount` bits of `data` starting at bit `offset` (bit 0 = MSB of byte 0). */
function writeBits(data: Uint8Array, offset: number, bitCount: number, value: number): void {
  for (let i = 0; i < bitCount; i++) {
    const bit = (value >> (bitCount - 1 - i)) & 1;
    const pos = offset + i;
    const mask = 0x80 >> (pos % 8);
    data[pos >> 3] = bit ? data[pos >> 3] | mask : data[pos >> 3] & ~mask;
  }
}

/**
 * The command APDU the reader sends to the card: the template with `digits` written into the PIN block (left- or
 * right-justified, as BCD nibbles, ASCII or binary bytes) and their count into the length field. The caller checks
 * the digit count against min/max first; this throws PIN_VERIFY_STRUCTURE_INVALID when it does not fit.
 */
export function pinApdu(s: PinVerifyStructure, digits: readonly number[]): Uint8Array {
  if (digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9)) throw invalid('PIN digits must be 0..9', { count: digits.length });
  const per = bitsPerDigit(s.encoding);
  const blockBits = s.blockBytes * 8;
  const used = digits.length * per;
  if (s.pinOffsetBits + used > blockBits) throw invalid('the PIN does not fit in the PIN block', { count: digits.length });
  const out = s.apdu.slice();
  const data = out.subarray(5);
  let at = s.justify === 'left' ? s.pinOffsetBits : blockBits - used;
  for (const d of digits) {
    writeBits(data, at, per, s.encoding === 'ascii' ? 0x30 + d : d);
    at += per;
  }
  if (s.lengthFieldBits > 0) writeBits(data, s.lengthOffsetBits, s.lengthFieldBits, digits.length);
  return out;
}
