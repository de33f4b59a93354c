import { byteHex } from './hex.js';

/** How a status word is to be read: success, warning (data may be valid) or error. */
export type StatusCategory = 'ok' | 'warning' | 'error';

/** What a status word means, with the counts some SWs carry. */
export interface StatusWordInfo {
  readonly sw: string;
  readonly category: StatusCategory;
  readonly meaning: string;
  /** 63Cx: verification failed, x tries left (ISO 7816-4 §10.1.2; EMV Book 3 §6.5.12). */
  readonly triesLeft?: number;
  /** 61xx: bytes still available; 6Cxx: the exact Le to resend with (0 means 256). */
  readonly available?: number;
}

// ISO 7816-4 §5.1.3 Tables 5-6 and the EMV meanings (EMV Book 3 §6.3.5, Book 1 §12).
const EXACT: ReadonlyMap<number, [StatusCategory, string]> = new Map([
  [0x9000, ['ok', 'success']],
  [0x6200, ['warning', 'no information given, non-volatile memory unchanged']],
  [0x6281, ['warning', 'part of returned data may be corrupted']],
  [0x6282, ['warning', 'end of file or record reached before reading Ne bytes']],
  [0x6283, ['warning', 'selected file deactivated (application blocked)']],
  [0x6284, ['warning', 'file control information not formatted per ISO 7816-4']],
  [0x6285, ['warning', 'selected file in termination state']],
  [0x6286, ['warning', 'no input data available from a sensor on the card']],
  [0x6300, ['warning', 'no information given, non-volatile memory changed (authentication failed)']],
  [0x6381, ['warning', 'file filled up by the last write']],
  [0x6400, ['error', 'execution error, non-volatile memory unchanged']],
  [0x6401, ['error', 'immediate response required by the card']],
  [0x6500, ['error', 'execution error, non-volatile memory changed']],
  [0x6581, ['error', 'memory failure']],
  [0x6700, ['error', 'wrong length (Lc or Le)']],
  [0x6800, ['error', 'functions in CLA not supported']],
  [0x6881, ['error', 'logical channel not supported']],
  [0x6882, ['error', 'secure messaging not supported']],
  [0x6883, ['error', 'last command of the chain expected']],
  [0x6884, ['error', 'command chaining not supported']],
  [0x6900, ['error', 'command not allowed']],
  [0x6981, ['error', 'command incompatible with file structure']],
  [0x6982, ['error', 'security status not satisfied']],
  [0x6983, ['error', 'authentication method blocked (PIN blocked)']],
  [0x6984, ['error', 'reference data not usable (referenced data invalidated)']],
  [0x6985, ['error', 'conditions of use not satisfied']],
  [0x6986, ['error', 'command not allowed (no current EF)']],
  [0x6987, ['error', 'expected secure messaging data objects missing']],
  [0x6988, ['error', 'incorrect secure messaging data objects']],
  [0x6a00, ['error', 'wrong parameters P1-P2']],
  [0x6a80, ['error', 'incorrect parameters in the command data field']],
  [0x6a81, ['error', 'function not supported (card or application blocked)']],
  [0x6a82, ['error', 'file or application not found']],
  [0x6a83, ['error', 'record not found']],
  [0x6a84, ['error', 'not enough memory space in the file']],
  [0x6a85, ['error', 'Nc inconsistent with TLV structure']],
  [0x6a86, ['error', 'incorrect parameters P1-P2']],
  [0x6a87, ['error', 'Nc inconsistent with parameters P1-P2']],
  [0x6a88, ['error', 'referenced data or reference data not found']],
  [0x6a89, ['error', 'file already exists']],
  [0x6a8a, ['error', 'DF name already exists']],
  [0x6b00, ['error', 'wrong parameters P1-P2 (offset outside the EF)']],
  [0x6d00, ['error', 'instruction code not supported or invalid']],
  [0x6e00, ['error', 'class not supported']],
  [0x6f00, ['error', 'no precise diagnosis']],
  [0x9408, ['error', 'selected file or key not found']],
]);

/** The status word of SW1 and SW2 as one number, e.g. 0x9000. */
export function statusWord(sw1: number, sw2: number): number {
  return ((sw1 & 0xff) << 8) | (sw2 & 0xff);
}

/** Describes a status word: its category, meaning, and for 61xx/6Cxx/63Cx the count it carries. */
export function describeStatusWord(sw: number): StatusWordInfo {
  const sw1 = (sw >> 8) & 0xff;
  const sw2 = sw & 0xff;
  const hex = byteHex(sw1) + byteHex(sw2);
  const exact = EXACT.get(sw);
  if (exact) return { sw: hex, category: exact[0], meaning: exact[1] };
  if (sw1 === 0x61) {
    return { sw: hex, category: 'ok', meaning: `${sw2 === 0 ? 256 : sw2} more response bytes available (GET RESPONSE)`, available: sw2 === 0 ? 256 : sw2 };
  }
  if (sw1 === 0x6c) {
    return { sw: hex, category: 'error', meaning: `wrong Le: resend with Le=${byteHex(sw2)}`, available: sw2 === 0 ? 256 : sw2 };
  }
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) {
    const tries = sw2 & 0x0f;
    return { sw: hex, category: 'warning', meaning: `verification failed, ${tries} ${tries === 1 ? 'try' : 'tries'} left`, triesLeft: tries };
  }
  if (sw1 === 0x62 && sw2 >= 0x02 && sw2 <= 0x80) {
    return { sw: hex, category: 'warning', meaning: 'triggering by the card' };
  }
  if (sw1 === 0x64 && sw2 >= 0x02 && sw2 <= 0x80) {
    return { sw: hex, category: 'error', meaning: 'triggering by the card' };
  }
  if (sw1 === 0x62 || sw1 === 0x63) return { sw: hex, category: 'warning', meaning: 'warning (unknown qualifier)' };
  if (sw1 === 0x67) return { sw: hex, category: 'error', meaning: 'wrong length' };
  if (sw1 === 0x68) return { sw: hex, category: 'error', meaning: 'functions in CLA not supported' };
  if (sw1 === 0x69) return { sw: hex, category: 'error', meaning: 'command not allowed' };
  if (sw1 === 0x6a) return { sw: hex, category: 'error', meaning: 'wrong parameters' };
  if (sw1 >= 0x90 && sw1 <= 0x9f) {
    return { sw: hex, category: 'error', meaning: 'proprietary (application-specific) status' };
  }
  return { sw: hex, category: 'error', meaning: 'unknown status word' };
}
