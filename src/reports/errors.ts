import { PosbridgeError } from '../errors.js';

/** Every code a ShiftError can carry (documented in docs/errors.md). */
export const SHIFT_ERROR_CODES = ['SHIFT_ALREADY_OPEN', 'SHIFT_NOT_OPEN'] as const;

/** A stable code of the shifts. */
export type ShiftErrorCode = (typeof SHIFT_ERROR_CODES)[number];

/** Errors of opening and closing shifts. */
export class ShiftError extends PosbridgeError {
  declare readonly code: ShiftErrorCode;

  /** Builds a shift error (never retriable: the shift's state has to change first). */
  constructor(code: ShiftErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
