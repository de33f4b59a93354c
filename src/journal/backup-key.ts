import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { JournalError } from './errors.js';

/** A backup key read from its file; `created` when this call made the file. */
export interface BackupKey {
  readonly key: Buffer;
  readonly path: string;
  readonly created: boolean;
}

/**
 * The backup key (32 random bytes) at `path`. Making a backup creates it (mode 0600) when missing; reading a backup
 * never does: BACKUP_KEY_MISSING then, since a new key could not open any existing backup.
 */
export function loadBackupKey(path: string, create: boolean): BackupKey {
  let created = false;
  if (!existsSync(path)) {
    if (!create) throw new JournalError('BACKUP_KEY_MISSING', `the backup key ${path} does not exist: give the key the backups were made with (--key FILE, or "backup.keyFile" in the config)`, { path });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
    created = true;
  }
  if (process.platform !== 'win32' && created) chmodSync(path, 0o600);
  const key = readFileSync(path);
  if (key.length !== 32) throw new JournalError('BACKUP_KEY_MISSING', `the backup key ${path} is not a 32-byte key file`, { path });
  return { key, path, created };
}
