import { ApduError } from '../apdu/errors.js';
import { ReaderError } from '../drivers/pcsc/errors.js';
import { PosbridgeError } from '../errors.js';
import { DaemonError } from '../config/daemon-errors.js';
import { JournalError } from '../journal/errors.js';

/** CLI exit codes (docs/cli.md): 0 ok, 1 refused or failed, 2 bad usage or input, 3 no reader or no PC/SC service. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NO_SERVICE: 3 } as const;

/** A usage error raised by a command itself (a bad option value, an ambiguous default reader). */
export class UsageError extends PosbridgeError {
  /** Builds a usage error with a message saying what is wrong. */
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ApduError) return EXIT.USAGE;
  if (err instanceof PosbridgeError && err.code === 'CONFIG_INVALID') return EXIT.USAGE;
  // What keeps the daemon (or a command) from starting: a port in use, an unusable data directory, a locked journal.
  if (err instanceof DaemonError) return EXIT.USAGE;
  if (err instanceof JournalError && (err.code === 'JOURNAL_LOCKED' || err.code === 'JOURNAL_OPEN_FAILED' || err.code === 'JOURNAL_TOO_NEW')) return EXIT.USAGE;
  // A backup refused for what the operator must change (the key, the posbridge version, a running daemon, --force);
  // a damaged backup (BACKUP_CORRUPT) is a failure.
  if (err instanceof JournalError && err.code.startsWith('BACKUP_') && err.code !== 'BACKUP_CORRUPT') return EXIT.USAGE;
  if (err instanceof ReaderError) {
    switch (err.code) {
      case 'PCSC_NO_SERVICE':
      case 'PCSC_BINDING_MISSING':
      case 'NO_READER':
      case 'READER_NOT_FOUND':
        return EXIT.NO_SERVICE;
      default:
        return EXIT.FAILED;
    }
  }
  return EXIT.FAILED;
}

export { errorLine } from '../errors.js';
