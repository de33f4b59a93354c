import { PosbridgeError } from '../errors.js';

/** Every code a PaymentError can carry (documented in docs/errors.md). */
export const PAYMENT_ERROR_CODES = ['PAYMENT_NOT_FOUND', 'PAYMENT_STATE_CONFLICT', 'PAYMENT_LANE_BUSY', 'PAYMENT_INVALID', 'PAYMENT_NO_CARD'] as const;

/** A stable code of the payments layer. */
export type PaymentErrorCode = (typeof PAYMENT_ERROR_CODES)[number];

/** Errors of the payments layer. */
export class PaymentError extends PosbridgeError {
  declare readonly code: PaymentErrorCode;

  /** Builds a payments error; a busy lane and a card not presented in time are retriable. */
  constructor(code: PaymentErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { retriable: code === 'PAYMENT_LANE_BUSY' || code === 'PAYMENT_NO_CARD', details });
  }
}
