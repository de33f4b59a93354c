import { PosbridgeError } from '../../errors.js';

/** Every code a DisplayError can carry. */
export const DISPLAY_ERROR_CODES = ['DISPLAY_UNREACHABLE', 'DISPLAY_TEXT_INVALID'] as const;

/** A stable code of the customer display driver. */
export type DisplayErrorCode = (typeof DISPLAY_ERROR_CODES)[number];

/** Errors of customer (pole) displays. */
export class DisplayError extends PosbridgeError {
  declare readonly code: DisplayErrorCode;

  /** Builds a display error; an unreachable display may work later, invalid text never will. */
  constructor(code: DisplayErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: code === 'DISPLAY_UNREACHABLE', details, cause });
  }
}
