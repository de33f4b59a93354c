import { PosbridgeError } from '../../errors.js';

/**
 * Every code a Part10Error can carry. The inputs are reader answers (feature lists, TLV
 * properties), status words and our own options, so none is retriable.
 */
export const PART10_ERROR_CODES = [
  'PART10_FEATURES_MALFORMED',
  'PART10_TLV_PROPERTIES_MALFORMED',
  'PART10_OPTIONS_INVALID',
  'PART10_STATUS_INVALID',
] as const;

/** A stable code of the PC/SC Part 10 (secure PIN entry) layer. */
export type Part10ErrorCode = (typeof PART10_ERROR_CODES)[number];

/** Errors from encoding / decoding PC/SC Part 10 structures. Details never hold PINs. */
export class Part10Error extends PosbridgeError {
  declare readonly code: Part10ErrorCode;

  /** Builds a Part 10 error with a stable code and structured, secret-free details. */
  constructor(code: Part10ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
