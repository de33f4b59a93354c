// What a posbridge backup holds and where its key and copies go: one place for the daemon's schedule and the CLI's
// `posbridge backup` commands (docs/backups.md).
import { join } from 'node:path';
import { defaultConfigDir } from '../config/paths.js';
import { journalPath, sealKeyPath } from '../host/stack.js';
import { createBackup, type BackupResult } from '../journal/backup.js';
import { loadBackupKey } from '../journal/backup-key.js';
import type { Db } from '../journal/database.js';
import type { Logger } from '../log/logger.js';
import type { BackupConfig } from './config.js';

/**
 * The data directory's files a restored journal needs besides itself, relative to the data directory: the host
 * queue's sealing key (without it the queued reversals and the batch's requests cannot be opened), the PAN hash key
 * (payment lookups by card), and the nexo endpoint's TLS pair (the cashier apps trust its certificate).
 */
export const DATA_DIR_KEY_FILES: readonly string[] = [sealKeyPath('.'), 'pan-hash.key', 'nexo/cert.pem', 'nexo/key.pem'];

/** The backup key file: the configured one, else `backup.key` in the configuration directory. */
export function backupKeyPath(config: Pick<BackupConfig, 'keyFile'> | null): string {
  return config?.keyFile ?? join(defaultConfigDir(), 'backup.key');
}

/** The journal file of a data directory. */
export function journalFileOf(dataDir: string): string {
  return journalPath(dataDir);
}

/** What `runBackup` needs: the journal's connection, the data directory and the backup settings. */
export interface RunBackupOptions {
  readonly db: Db;
  readonly dataDir: string;
  readonly keep: number;
  readonly copyTo?: string;
  readonly keyFile: string;
  /** The folder of the backups (default <dataDir>/backups). */
  readonly dir?: string;
  readonly now: Date;
  readonly logger?: Logger;
}

/** One backup with a new key's creation said: `keyCreated` is the key's path when this backup made it. */
export type RunBackupResult = BackupResult & { readonly keyFile: string; readonly keyCreated: boolean };

/**
 * Makes one encrypted backup (the backup key created on first use, said in the log) and its copy; a failed copy is
 * logged as an error and reported in the result, the local backup standing.
 */
export async function runBackup(o: RunBackupOptions): Promise<RunBackupResult> {
  const key = loadBackupKey(o.keyFile, true);
  if (key.created) o.logger?.warn('backup key created: keep a copy of it somewhere safe outside this machine; without it no backup can be restored', { keyFile: key.path });
  const result = await createBackup(o.db, { dataDir: o.dataDir, files: DATA_DIR_KEY_FILES, dir: o.dir ?? join(o.dataDir, 'backups'), keep: o.keep, ...(o.copyTo ? { copyTo: o.copyTo } : {}), key: key.key, now: o.now });
  o.logger?.info('backup made', { file: result.file, bytes: result.bytes, schemaVersion: result.schemaVersion, keyId: result.keyId });
  if (result.copy && 'error' in result.copy) o.logger?.error('backup copy failed', { code: result.copy.error.code, message: result.copy.error.message });
  return { ...result, keyFile: key.path, keyCreated: key.created };
}
