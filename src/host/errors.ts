import { PosbridgeError } from '../errors.js';

/** Every code a HostError can carry (documented in docs/errors.md). */
export const HOST_ERROR_CODES = [
  'HOST_UNREACHABLE',
  'HOST_TIMEOUT',
  'HOST_DISCONNECTED',
  'HOST_FRAME_TOO_LARGE',
  'HOST_TLS_PIN_MISMATCH',
  'HOST_CLOSED',
  'HOST_RESPONSE_INVALID',
] as const;

/** A stable code of the acquirer host link. */
export type HostErrorCode = (typeof HOST_ERROR_CODES)[number];

const RETRIABLE: ReadonlySet<HostErrorCode> = new Set(['HOST_UNREACHABLE', 'HOST_TIMEOUT', 'HOST_DISCONNECTED']);

/** Errors of the host link's transport and request matching. */
export class HostError extends PosbridgeError {
  declare readonly code: HostErrorCode;

  /** Builds a host-link error; retriable follows the code. */
  constructor(code: HostErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: RETRIABLE.has(code), details, cause });
  }
}
