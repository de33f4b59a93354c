// PC/SC Part 10 v2.02.09 secure PIN entry for EMV plaintext offline PIN: the PIN_VERIFY_STRUCTURE
// sent with FEATURE_VERIFY_PIN_DIRECT (§2.5.2, field layout = CCID 1.1 §6.1.11.4 PIN Verification
// Data Structure, packed, multi-byte fields little-endian), and the SPE status words (§2.5.2 / §2.5.3).
// The card command is EMV Book 3 §6.5.12 VERIFY (00 20 00 80, Lc 08) with the plaintext PIN block of
// EMV Book 3 §6.5.12.2 / ISO 9564-1 format 2: C=2, N=PIN length, PIN BCD digits, F filler.
import { Part10Error } from './part10-errors.js';

export {
  ctlCode,
  FEATURE_TAGS,
  GET_FEATURE_REQUEST_FUNCTION,
  getFeatureRequestCode,
  parseFeatures,
  parseTlvProperties,
  type FeatureName,
  type TlvProperties,
} from './pcsc-part10-features.js';

/** Options of an EMV offline plaintext PIN VERIFY through the reader's PIN pad. */
export interface VerifyPinDirectOptions {
  /** bTimerOut: seconds to wait for entry, 0 = reader default (0..255, default 30). */
  timeoutS?: number;
  /** bTimerOut2: seconds after the first key, 0 = reader default (0..255, default 0). */
  timeout2S?: number;
  /** Minimum PIN digits (EMV: 4..12, default 4). */
  minDigits?: number;
  /** Maximum PIN digits (EMV: 4..12, default 12). */
  maxDigits?: number;
  /** wLangId for the reader's prompts (0..0xFFFF, default 0x0409 English US). */
  langId?: number;
  /** bNumberMessage: 0 none, 1..3, or 0xFF reader default (default 1). */
  messageCount?: number;
  /** bMsgIndex: prompt index (0..255, default 0 = "Enter PIN"). */
  messageIndex?: number;
}

/** EMV allows 4..12 PIN digits (EMV Book 3 §6.5.12.2, format 2 N field). */
export const EMV_PIN_MIN_DIGITS = 4;
/** Maximum EMV PIN digits. */
export const EMV_PIN_MAX_DIGITS = 12;

/** Length of the PIN_VERIFY_STRUCTURE before abData (bTimerOut .. ulDataLength). */
export const PIN_VERIFY_HEADER_LENGTH = 19;

/** EMV VERIFY (plaintext offline PIN) with the format 2 template the reader fills in: 00 20 00 80 08 20 FF.. */
export const EMV_VERIFY_PLAINTEXT_TEMPLATE: readonly number[] = Object.freeze([
  0x00, 0x20, 0x00, 0x80, // CLA INS P1 P2: EMV Book 3 §6.5.12.2, P2 80 = plaintext PIN
  0x08, //                   Lc: 8-byte PIN block
  0x20, //                   control nibble 2, PIN length nibble 0 (the reader writes the length)
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // PIN / filler nibbles: all F until the reader writes digits
]);

function intIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Part10Error('PART10_OPTIONS_INVALID', `${name} must be an integer ${min}..${max}`, { option: name, value });
  }
  return value;
}

/** Builds the FEATURE_VERIFY_PIN_DIRECT PIN_VERIFY_STRUCTURE for EMV VERIFY with a format 2 plaintext PIN block. */
export function buildVerifyPinDirect(opts: VerifyPinDirectOptions = {}): Uint8Array {
  const timeout = intIn('timeoutS', opts.timeoutS ?? 30, 0, 0xff);
  const timeout2 = intIn('timeout2S', opts.timeout2S ?? 0, 0, 0xff);
  const min = intIn('minDigits', opts.minDigits ?? EMV_PIN_MIN_DIGITS, EMV_PIN_MIN_DIGITS, EMV_PIN_MAX_DIGITS);
  const max = intIn('maxDigits', opts.maxDigits ?? EMV_PIN_MAX_DIGITS, EMV_PIN_MIN_DIGITS, EMV_PIN_MAX_DIGITS);
  if (min > max) {
    throw new Part10Error('PART10_OPTIONS_INVALID', 'minDigits must not exceed maxDigits', { minDigits: min, maxDigits: max });
  }
  const langId = intIn('langId', opts.langId ?? 0x0409, 0, 0xffff);
  const count = opts.messageCount ?? 1;
  if (count !== 0xff) intIn('messageCount', count, 0, 3);
  const msgIndex = intIn('messageIndex', opts.messageIndex ?? 0, 0, 0xff);

  const apdu = EMV_VERIFY_PLAINTEXT_TEMPLATE;
  const out = new Uint8Array(PIN_VERIFY_HEADER_LENGTH + apdu.length);
  const dv = new DataView(out.buffer);
  out[0] = timeout; //  bTimerOut
  out[1] = timeout2; // bTimerOut2
  // bmFormatString: b7=1 units are bytes; b6-3=0001 PIN starts 1 byte after the APDU data start
  // (after the C/N byte); b2=0 left-justified; b1-0=01 BCD. = 0x89.
  out[2] = 0x80 | (1 << 3) | (0 << 2) | 0x01;
  // bmPINBlockString: b7-4=4 the PIN length field is 4 bits; b3-0=8 the PIN block is 8 bytes. = 0x48.
  out[3] = (4 << 4) | 8;
  // bmPINLengthFormat: b4=0 units are bits; b3-0=4 the length field starts 4 bits into the block
  // (low nibble of its first byte, the N of C|N). = 0x04.
  out[4] = (0 << 4) | 4;
  // wPINMaxExtraDigit = 0xXXYY, XX = min, YY = max; little-endian so bytes are [max, min].
  dv.setUint16(5, (min << 8) | max, true);
  out[7] = 0x02; // bEntryValidationCondition: 02 = validation key pressed
  out[8] = count; // bNumberMessage
  dv.setUint16(9, langId, true); // wLangId
  out[11] = msgIndex; // bMsgIndex
  // bTeoPrologue[3] (bytes 12..14) stay 00: T=1 prologue, filled by the reader/driver.
  dv.setUint32(15, apdu.length, true); // ulDataLength
  out.set(apdu, PIN_VERIFY_HEADER_LENGTH); // abData
  return out;
}

/** Outcome of a secure PIN VERIFY, from the card or the SPE (Part 10 §2.5.2). */
export type VerifyResult =
  | { kind: 'verified' }
  | { kind: 'wrong-pin'; triesLeft: number }
  | { kind: 'blocked' }
  | { kind: 'timeout' }
  | { kind: 'cancelled' }
  | { kind: 'pin-mismatch' }
  | { kind: 'too-short-or-long' }
  | { kind: 'spe-invalid-parameter' }
  | { kind: 'card-error'; sw: number };

/** Maps SW1SW2 of a VERIFY_PIN_DIRECT answer: 9000, 63Cx, 6983 (card, EMV Book 3 §6.5.12.4) and 6400–6403, 6B80 (SPE, Part 10). */
export function mapVerifyResult(sw: number): VerifyResult {
  if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) {
    throw new Part10Error('PART10_STATUS_INVALID', 'status word must be an integer 0..0xFFFF', { sw });
  }
  if (sw === 0x9000) return { kind: 'verified' };
  // 63Cx: wrong PIN, x tries left (x = 0 means the PIN try limit is now exhausted).
  if ((sw & 0xfff0) === 0x63c0) return { kind: 'wrong-pin', triesLeft: sw & 0x0f };
  switch (sw) {
    case 0x6983: return { kind: 'blocked' }; //             authentication method blocked
    case 0x6400: return { kind: 'timeout' }; //             SPE: entry timed out
    case 0x6401: return { kind: 'cancelled' }; //           SPE: Cancel key pressed
    case 0x6402: return { kind: 'pin-mismatch' }; //        SPE: two new-PIN entries differ (modify)
    case 0x6403: return { kind: 'too-short-or-long' }; //   SPE: PIN length outside min/max
    case 0x6b80: return { kind: 'spe-invalid-parameter' }; // SPE: invalid parameter in the structure
    default: return { kind: 'card-error', sw };
  }
}
