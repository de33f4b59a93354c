import { ReaderError, type ReaderErrorCode } from './errors.js';

/**
 * The `smartcard` binding rejects with plain Errors whose message is its text for the PC/SC return code
 * (its src/pcsc_errors.h); this table maps those texts to our codes. PC/SC codes from pcsc-lite's pcsclite.h.
 */
const BY_MESSAGE: ReadonlyArray<[RegExp, ReaderErrorCode, number | null]> = [
  [/^PC\/SC service not running$/, 'PCSC_NO_SERVICE', 0x8010001d],
  [/^PC\/SC service stopped$/, 'PCSC_NO_SERVICE', 0x8010001e],
  [/^No readers available$/, 'NO_READER', 0x8010002e],
  [/^Unknown reader$/, 'READER_NOT_FOUND', 0x80100009],
  [/^Reader unavailable$/, 'READER_UNAVAILABLE', 0x80100017],
  [/^Reader not ready$/, 'READER_UNAVAILABLE', 0x80100010],
  [/^No smart card present$/, 'NO_CARD', 0x8010000c],
  [/^Card was removed$/, 'CARD_REMOVED', 0x80100069],
  [/^Card was reset$/, 'CARD_RESET', 0x80100068],
  [/^Card is unpowered$/, 'CARD_REMOVED', 0x80100067],
  [/^Card is unresponsive$/, 'CARD_UNRESPONSIVE', 0x80100066],
  [/^Card is not supported$/, 'CARD_UNRESPONSIVE', 0x80100065],
  [/^Sharing violation$/, 'SHARING_VIOLATION', 0x8010000b],
  [/^Protocol mismatch$/, 'PROTOCOL_MISMATCH', 0x8010000f],
  [/^Operation timed out$/, 'TRANSMIT_TIMEOUT', 0x8010000a],
  [/^Operation cancelled$/, 'CANCELLED', 0x80100002],
  [/^Invalid handle$/, 'NOT_CONNECTED', 0x80100003],
  [/^Context is not valid$/, 'PCSC_NO_SERVICE', null],
  [/^Card is not connected$/, 'NOT_CONNECTED', null],
  [/^Communication error$/, 'READER_UNAVAILABLE', 0x80100013],
  [/^Unsupported feature$|^Invalid parameter$|^Invalid value$/, 'CONTROL_UNSUPPORTED', null],
];

/** Translates an error thrown by the binding into a ReaderError; ReaderErrors pass through unchanged. */
export function translatePcscError(err: unknown, context: Record<string, unknown> = {}): ReaderError {
  if (err instanceof ReaderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  for (const [pattern, code, pcscCode] of BY_MESSAGE) {
    if (pattern.test(message)) {
      return new ReaderError(code, describe(code, message, context), { ...context, pcsc: message, ...(pcscCode ? { pcscCode: `0x${pcscCode.toString(16).toUpperCase()}` } : {}) }, err);
    }
  }
  return new ReaderError('PCSC_ERROR', `PC/SC error: ${message}`, { ...context, pcsc: message }, err);
}

function describe(code: ReaderErrorCode, message: string, context: Record<string, unknown>): string {
  const where = typeof context.reader === 'string' ? ` (reader "${context.reader}")` : '';
  switch (code) {
    case 'PCSC_NO_SERVICE':
      return `the PC/SC service is not running${where}: ${message}`;
    case 'CARD_REMOVED':
      return `the card was removed${where}`;
    case 'SHARING_VIOLATION':
      return `another process holds the card exclusively${where}`;
    case 'NO_CARD':
      return `no card in the reader${where}`;
    default:
      return `${message}${where}`;
  }
}
