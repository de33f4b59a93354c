import { PosbridgeError } from '../errors.js';

/**
 * Every code a DukptError can carry. PIN-pad crypto is fed by our own code and by operator
 * configuration (BDKs, KSNs), so these are argument errors; none is retriable.
 */
export const DUKPT_ERROR_CODES = [
  'KEY_LENGTH_INVALID',
  'KSN_INVALID',
  'KSN_COUNTER_INVALID',
  'INITIAL_KEY_ID_INVALID',
  'PIN_INVALID',
  'PAN_INVALID',
  'PIN_BLOCK_INVALID',
  'RANDOM_FILL_INVALID',
] as const;

/** A stable code of the PIN-pad crypto layer. */
export type DukptErrorCode = (typeof DUKPT_ERROR_CODES)[number];

/** Errors from DUKPT key derivation and ISO 9564-1 PIN block handling. Details never hold PINs or keys. */
export class DukptError extends PosbridgeError {
  declare readonly code: DukptErrorCode;

  /** Builds a DUKPT / PIN block error with a stable code and structured, secret-free details. */
  constructor(code: DukptErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
