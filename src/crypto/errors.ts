import { PosbridgeError } from '../errors.js';

/**
 * Every code an EmvCryptoError can carry. These are programmer errors (wrong key or field sizes
 * passed by our own code); bad card data never throws, ODA returns a failure reason instead.
 */
export const EMV_CRYPTO_ERROR_CODES = [
  'KEY_LENGTH_INVALID',
  'DATA_LENGTH_INVALID',
  'PAN_INVALID',
  'RSA_KEY_INVALID',
  'RSA_INPUT_OUT_OF_RANGE',
  'CERT_FIELD_INVALID',
] as const;

/** A stable code of the EMV crypto layer. */
export type EmvCryptoErrorCode = (typeof EMV_CRYPTO_ERROR_CODES)[number];

/** Errors from EMV symmetric and RSA primitives when called with unusable arguments. */
export class EmvCryptoError extends PosbridgeError {
  declare readonly code: EmvCryptoErrorCode;

  /** Builds an EMV crypto error with a stable code and structured details. */
  constructor(code: EmvCryptoErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
