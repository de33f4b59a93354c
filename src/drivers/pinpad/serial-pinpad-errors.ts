import { PosbridgeError } from '../../errors.js';

/**
 * Every code a PinPadError can carry (the serial PIN pad of docs/hardware.md, "Serial PIN pad protocol").
 * Link failures (timeout, disconnected, NAK limit) are retriable: the pad may answer after a replug.
 */
export const PINPAD_ERROR_CODES = [
  'PINPAD_TIMEOUT',
  'PINPAD_DISCONNECTED',
  'PINPAD_NAK_LIMIT',
  'PINPAD_PROTOCOL_ERROR',
  'PINPAD_REFUSED',
  'PINPAD_FRAME_INVALID',
  'PINPAD_FRAME_TRUNCATED',
  'PINPAD_FRAME_OVERSIZE',
  'PINPAD_FRAME_LRC',
  'PINPAD_MESSAGE_INVALID',
  'PINPAD_URL_INVALID',
] as const;

/** A stable code of the serial PIN pad driver. */
export type PinPadErrorCode = (typeof PINPAD_ERROR_CODES)[number];

const RETRIABLE: ReadonlySet<PinPadErrorCode> = new Set(['PINPAD_TIMEOUT', 'PINPAD_DISCONNECTED', 'PINPAD_NAK_LIMIT']);

/** Errors of the serial PIN pad: framing, link, and the pad's refusals. Details never hold PINs, PANs or keys. */
export class PinPadError extends PosbridgeError {
  declare readonly code: PinPadErrorCode;

  /** Builds a PIN pad error; link failures are retriable, malformed bytes and refusals are not. */
  constructor(code: PinPadErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: RETRIABLE.has(code), details, cause });
  }
}
