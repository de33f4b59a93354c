import { CARD_CHANNEL_ERROR_CODES, CardChannelError } from '../../apdu/card-channel-errors.js';

/** Every code a ReaderError can carry (documented in docs/errors.md): the card channel's codes and the reader's own. */
export const READER_ERROR_CODES = [
  ...CARD_CHANNEL_ERROR_CODES,
  'PCSC_NO_SERVICE',
  'PCSC_BINDING_MISSING',
  'NO_READER',
  'READER_NOT_FOUND',
  'READER_UNAVAILABLE',
  'SHARING_VIOLATION',
  'PROTOCOL_MISMATCH',
  'NOT_CONNECTED',
  'CONTROL_UNSUPPORTED',
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

/** Errors of chip-card reader drivers, real or simulated (a card channel's errors: CardChannelError). */
export class ReaderError extends CardChannelError {
  declare readonly code: ReaderErrorCode;

  /** Builds a reader error; retriable is set from the code. */
  constructor(code: ReaderErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: RETRIABLE.has(code), details, cause });
  }
}

/** The error an aborted exchange rejects with (`reason`: the abort signal's reason, kept as the cause). */
export function readerCancelled(reason: unknown): ReaderError {
  return new ReaderError('CANCELLED', 'the exchange was cancelled', {}, reason);
}
