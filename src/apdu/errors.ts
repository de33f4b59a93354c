import { PosbridgeError } from '../errors.js';

/** Every code an ApduError can carry (documented in docs/errors.md). */
export const APDU_ERROR_CODES = [
  'HEX_INVALID',
  'APDU_INVALID',
  'APDU_MALFORMED',
  'RESPONSE_TOO_SHORT',
  'T0_GET_RESPONSE_LIMIT',
  'T0_WRONG_LENGTH_REPEATED',
  'TLV_TRUNCATED',
  'TLV_OVERLONG',
  'TLV_TRAILING',
  'TLV_BAD_TAG',
  'TLV_BAD_LENGTH',
  'TLV_TOO_DEEP',
  'DOL_TRUNCATED',
  'ATR_INVALID',
  'ATR_TRUNCATED',
  'ATR_TRAILING',
  'TRANSCRIPT_INVALID',
] as const;

/** A stable code of the apdu layer. */
export type ApduErrorCode = (typeof APDU_ERROR_CODES)[number];

/** Errors from pure byte handling: hex, APDUs, TLV, DOL, ATR. Offsets are in bytes from the input's start. */
export class ApduError extends PosbridgeError {
  declare readonly code: ApduErrorCode;

  /** Builds an apdu-layer error; `offset` is put in details when given. */
  constructor(code: ApduErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
