import { PosbridgeError } from '../../errors.js';

/** Every code an EmvSimError can carry (to be documented in docs/errors.md with the other simulator codes). */
export const EMV_SIM_ERROR_CODES = ['SIM_PROFILE_INVALID', 'SIM_PROFILE_UNKNOWN', 'SIM_KEYS_MISSING'] as const;

/** A stable code of the virtual EMV card. */
export type EmvSimErrorCode = (typeof EMV_SIM_ERROR_CODES)[number];

/** Errors of the virtual EMV card: a bad profile (naming the key), an unknown profile, missing test keys. */
export class EmvSimError extends PosbridgeError {
  declare readonly code: EmvSimErrorCode;

  /** Builds a virtual-card error. */
  constructor(code: EmvSimErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
