import { PosbridgeError } from '../../errors.js';

/** Every code a ReaderError can carry (documented in docs/errors.md). */
export const READER_ERROR_CODES = [
  'PCSC_NO_SERVICE',
  'PCSC_BINDING_MISSING',
  'NO_READER',
  'READER_NOT_FOUND',
  'READER_UNAVAILABLE',
  'NO_CARD',
  'CARD_REMOVED',
  'CARD_RESET',
  'CARD_UNRESPONSIVE',
  'SHARING_VIOLATION',
  'PROTOCOL_MISMATCH',
  'TRANSMIT_TIMEOUT',
  'NOT_CONNECTED',
  'CONTROL_UNSUPPORTED',
  'CANCELLED',
  'PCSC_ERROR',
] as const;

/** A stable code of the reader driver layer. */
export type ReaderErrorCode = (typeof READER_ERROR_CODES)[number];

const RETRIABLE: ReadonlySet<ReaderErrorCode> = new Set([
  'PCSC_NO_SERVICE',
  'NO_READER',
  'READER_UNAVAILABLE',
  'NO_CARD',
  'CARD_REMOVED',
  'CARD_RESET',
  'SHARING_VIOLATION',
  'TRANSMIT_TIMEOUT',
]);

/** Errors of chip-card reader drivers, real or simulated. */
export class ReaderError extends PosbridgeError {
  declare readonly code: ReaderErrorCode;

  /** Builds a reader error; retriable is set from the code. */
  constructor(code: ReaderErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: RETRIABLE.has(code), details, cause });
  }
}
