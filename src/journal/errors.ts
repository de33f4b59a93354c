import { PosbridgeError } from '../errors.js';

/** Every code a JournalError can carry (documented in docs/errors.md). */
export const JOURNAL_ERROR_CODES = ['JOURNAL_OPEN_FAILED', 'JOURNAL_MIGRATION_FAILED', 'JOURNAL_SEAL_FAILED', 'JOURNAL_NOT_FOUND', 'JOURNAL_LOCKED', 'JOURNAL_TOO_NEW', 'BACKUP_KEY_MISSING', 'BACKUP_KEY_WRONG', 'BACKUP_CORRUPT', 'BACKUP_TOO_NEW', 'BACKUP_TARGET_IN_USE', 'BACKUP_TARGET_NOT_EMPTY', 'BACKUP_COPY_FAILED'] as const;

/** A stable code of the journal. */
export type JournalErrorCode = (typeof JOURNAL_ERROR_CODES)[number];

/** Errors of the durable journal (SQLite). */
export class JournalError extends PosbridgeError {
  declare readonly code: JournalErrorCode;

  /** Builds a journal error. */
  constructor(code: JournalErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { details, cause });
  }
}
