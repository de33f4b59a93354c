import { PosbridgeError } from '../errors.js';

/** Every code a DaemonError can carry (documented in docs/errors.md). */
export const DAEMON_ERROR_CODES = ['PORT_IN_USE', 'DATA_DIR_UNUSABLE'] as const;

/** A stable code of the daemon's start-up. */
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[number];

/** The daemon cannot start: what is in the way and what to do, in one line. */
export class DaemonError extends PosbridgeError {
  declare readonly code: DaemonErrorCode;

  /** Builds a start-up error. */
  constructor(code: DaemonErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { details, cause });
  }
}
