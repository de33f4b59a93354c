import { PosbridgeError } from '../errors.js';

/** Every code a NexoError can carry (documented in docs/errors.md). */
export const NEXO_ERROR_CODES = ['NEXO_KEY_UNKNOWN', 'NEXO_KEY_VERSION', 'NEXO_HMAC_INVALID', 'NEXO_MESSAGE_INVALID', 'NEXO_TLS_UNUSABLE', 'NEXO_PASSPHRASE_UNREADABLE'] as const;

/** A stable code of the nexo (Adyen Terminal API, local mode) endpoint. */
export type NexoErrorCode = (typeof NEXO_ERROR_CODES)[number];

/**
 * The number a crypto failure is answered with, as "Nexo Service: crypto error (N)": the key identifier is not
 * ours (1), its version is not (2), the HMAC does not verify or the blob does not decrypt (3, a wrong passphrase), the
 * message is not a secured one or does not parse (4).
 */
export const CRYPTO_ERROR_NUMBERS: Readonly<Partial<Record<NexoErrorCode, number>>> = { NEXO_KEY_UNKNOWN: 1, NEXO_KEY_VERSION: 2, NEXO_HMAC_INVALID: 3, NEXO_MESSAGE_INVALID: 4 };

/** A failure of the nexo endpoint; never carries the message's content. */
export class NexoError extends PosbridgeError {
  declare readonly code: NexoErrorCode;

  /** Builds a nexo error with its stable code. */
  constructor(code: NexoErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { details, cause });
  }
}
