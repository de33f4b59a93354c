import { PosbridgeError } from '../../errors.js';

/**
 * Every code a ReaderPinPadError can carry. They describe a reader that answers outside PC/SC part 10, a structure
 * the reader (or its emulation) refuses, or a lane asked for a PIN kind a reader PIN pad cannot produce; none is
 * retriable.
 */
export const READER_PIN_PAD_ERROR_CODES = [
  'PIN_VERIFY_STRUCTURE_INVALID',
  'READER_PIN_PAD_STRUCTURE_REJECTED',
  'READER_PIN_PAD_ANSWER_INVALID',
  'READER_PIN_PAD_STATUS_UNEXPECTED',
  'READER_PIN_PAD_NO_ONLINE_PIN',
] as const;

/** A stable code of the reader PIN pad (PC/SC part 10 secure PIN entry on the reader's keypad). */
export type ReaderPinPadErrorCode = (typeof READER_PIN_PAD_ERROR_CODES)[number];

/** Errors of PIN entry on the reader's own keypad. Details never hold PIN digits (they never reach this process). */
export class ReaderPinPadError extends PosbridgeError {
  declare readonly code: ReaderPinPadErrorCode;

  /** Builds an error with a stable code and structured, secret-free details. */
  constructor(code: ReaderPinPadErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
