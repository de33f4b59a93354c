// Encrypted backups of a data directory: the journal (SQLite's online backup API, consistent while the daemon writes)
// and the key files its rows need (the host queue's sealing key, the PAN hash key…), one file per backup sealed with
// a backup key kept elsewhere (backup-archive.ts). Verify opens one in memory; restore writes it into a data directory
// no daemon holds, keeping what was there aside.
import Database from 'better-sqlite3';
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backupKeyId, openBackup, packEntries, sealBackup, type ArchiveEntry, type BackupHeader } from './backup-archive.js';
import { openDatabase, SCHEMA_VERSION, type Db } from './database.js';
import { JournalError } from './errors.js';
import { acquireLease, leaseHolder } from './lease.js';

/** The journal's name inside a backup (and in the data directory). */
export const JOURNAL_ENTRY = 'journal.db';
const BACKUP_NAME = /^posbridge-.*\.backup$/;

/** Whether a file name is one of our backups (`posbridge-<UTC time>.backup`). */
export function isBackupFileName(name: string): boolean {
  return BACKUP_NAME.test(name);
}

/** Where a backup goes and what else it carries. */
export interface CreateBackupOptions {
  /** The data directory's files besides the journal, relative names (`saf.key`); a missing one is left out. */
  readonly dataDir: string;
  readonly files: readonly string[];
  /** The folder of the backups, keeping the newest `keep`. */
  readonly dir: string;
  readonly keep: number;
  /** A second folder (a mounted share) receiving a copy, with the same retention. */
  readonly copyTo?: string;
  readonly key: Uint8Array;
  readonly now: Date;
}

/** What one backup made. */
export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  readonly schemaVersion: number;
  readonly keyId: string;
  /** The files inside, journal first. */
  readonly files: readonly string[];
  /** The copy to `copyTo`: its path, or why it failed (the local backup stands either way); null without copyTo. */
  readonly copy: { readonly file: string } | { readonly error: { readonly code: 'BACKUP_COPY_FAILED'; readonly message: string } } | null;
}

/**
 * Makes an encrypted backup of the journal behind `db` plus the data directory's `files` into `o.dir`, then copies it
 * to `o.copyTo` when set. `db` may be the daemon's own connection or a read-only one of another process.
 */
export async function createBackup(db: Db, o: CreateBackupOptions): Promise<BackupResult> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const stamp = o.now.toISOString().replace(/[:.]/g, '-');
  const { data, schemaVersion } = await snapshot(db, join(o.dir, `.snapshot-${stamp}-${process.pid}.db`));
  const entries: ArchiveEntry[] = [{ name: JOURNAL_ENTRY, data }];
  for (const name of o.files) {
    const path = join(o.dataDir, name);
    if (existsSync(path)) entries.push({ name, data: readFileSync(path) });
  }
  const sealed = sealBackup(packEntries(entries), o.key, schemaVersion, o.now);
  const name = `posbridge-${stamp}.backup`;
  const file = join(o.dir, name);
  writeAtomically(file, sealed);
  prune(o.dir, o.keep);
  let copy: BackupResult['copy'] = null;
  if (o.copyTo) {
    try {
      mkdirSync(o.copyTo, { recursive: true });
      writeAtomically(join(o.copyTo, name), sealed);
      prune(o.copyTo, o.keep);
      copy = { file: join(o.copyTo, name) };
    } catch (err) {
      // Reported to the caller (logged by the daemon, printed by the CLI): the share may be unmounted for a while.
      copy = { error: { code: 'BACKUP_COPY_FAILED', message: `the copy to ${o.copyTo} failed: ${err instanceof Error ? err.message : String(err)}` } };
    }
  }
  return { file, bytes: sealed.length, schemaVersion, keyId: backupKeyId(o.key), files: entries.map((e) => e.name), copy };
}

/** Opens a journal read-only for a backup (another process, the daemon, may hold it and write meanwhile). */
export function openJournalForBackup(path: string): Db {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new JournalError('JOURNAL_OPEN_FAILED', `cannot open the journal at ${path}: ${err instanceof Error ? err.message : String(err)}`, { path }, err);
  }
}

/** What `verifyBackup` found. */
export interface BackupReport {
  readonly header: BackupHeader;
  /** The schema version this posbridge writes; a backup above it cannot be restored here. */
  readonly known: number;
  readonly integrity: 'ok';
  readonly files: readonly string[];
  readonly counts: { readonly payments: number; readonly hostQueue: Readonly<Record<string, number>>; readonly batches: Readonly<Record<string, number>> };
}

/**
 * Decrypts a backup and checks its journal in memory: SQLite's integrity check, the schema version (BACKUP_TOO_NEW
 * above what this posbridge knows), and the counts of payments, host-queue items by status and batches by status.
 */
export function verifyBackup(bytes: Buffer, key: Uint8Array): { report: BackupReport; entries: ArchiveEntry[] } {
  const { header, entries } = openBackup(bytes, key);
  const journal = entries.find((e) => e.name === JOURNAL_ENTRY);
  if (!journal) throw new JournalError('BACKUP_CORRUPT', 'the backup holds no journal');
  let db: Db;
  try {
    db = new Database(Buffer.from(journal.data));
  } catch (err) {
    throw new JournalError('BACKUP_CORRUPT', `the backup's journal is not an SQLite database: ${err instanceof Error ? err.message : String(err)}`, {}, err);
  }
  try {
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (problems.length) throw new JournalError('BACKUP_CORRUPT', `the backup's journal fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`, { problems: problems.slice(0, 10) });
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version !== header.schemaVersion) throw new JournalError('BACKUP_CORRUPT', `the header says schema version ${header.schemaVersion}, the journal ${version}`);
    if (version > SCHEMA_VERSION) {
      throw new JournalError('BACKUP_TOO_NEW', `the backup has schema version ${version}, written by a newer posbridge; this one knows up to ${SCHEMA_VERSION}: restore it with that newer version`, { schemaVersion: version, known: SCHEMA_VERSION });
    }
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    const byStatus = (table: string): Record<string, number> =>
      tables.has(table) ? Object.fromEntries((db.prepare(`SELECT status, COUNT(*) AS n FROM ${table} GROUP BY status ORDER BY status`).all() as { status: string; n: number }[]).map((r) => [r.status, r.n])) : {};
    const payments = tables.has('payments') ? (db.prepare('SELECT COUNT(*) AS n FROM payments').get() as { n: number }).n : 0;
    return { report: { header, known: SCHEMA_VERSION, integrity: 'ok', files: entries.map((e) => e.name), counts: { payments, hostQueue: byStatus('host_queue'), batches: byStatus('batches') } }, entries };
  } finally {
    db.close();
  }
}

/** Where and how to restore. */
export interface RestoreOptions {
  readonly dataDir: string;
  /** The lease file a running daemon holds in `dataDir`. */
  readonly leaseFile: string;
  /** Restore over a data directory that already has a journal (which is kept aside, never deleted). */
  readonly force: boolean;
  readonly now: Date;
}

/** What a restore did. */
export interface RestoreResult {
  readonly report: BackupReport;
  readonly restored: readonly string[];
  /** What was in the way, renamed to `<name>.before-restore-<time>`. */
  readonly keptAside: readonly string[];
  /** The journal's schema version after opening it (migrated forward to this posbridge's). */
  readonly schemaVersion: number;
}

/**
 * Restores a backup into `o.dataDir`: refused while a process holds the data directory's lease
 * (BACKUP_TARGET_IN_USE) or, without `force`, when a journal is already there (BACKUP_TARGET_NOT_EMPTY). The journal
 * (with its WAL files) and every key file that differs are renamed aside, each file is written under a temporary
 * name (mode 0600) then renamed, and the journal is opened once so its migrations run.
 */
export function restoreBackup(bytes: Buffer, key: Uint8Array, o: RestoreOptions): RestoreResult {
  const holder = leaseHolder(o.leaseFile);
  if (holder) throw inUse(o.dataDir, holder.pid, holder.purpose);
  const { report, entries } = verifyBackup(bytes, key);
  const journalFile = join(o.dataDir, JOURNAL_ENTRY);
  if (existsSync(journalFile) && !o.force) {
    throw new JournalError('BACKUP_TARGET_NOT_EMPTY', `${o.dataDir} already has a journal: --force restores over it (keeping it aside as ${JOURNAL_ENTRY}.before-restore-<time>)`, { dataDir: o.dataDir });
  }
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  let lease;
  try {
    lease = acquireLease(o.leaseFile, 'posbridge backup restore');
  } catch (err) {
    if (err instanceof JournalError && err.code === 'JOURNAL_LOCKED') throw inUse(o.dataDir, Number(err.details.pid), 'another process');
    throw err;
  }
  try {
    const suffix = `.before-restore-${o.now.toISOString().replace(/[:.]/g, '-')}`;
    const keptAside: string[] = [];
    const aside = (name: string, asName: string): void => {
      renameSync(join(o.dataDir, name), join(o.dataDir, asName));
      keptAside.push(asName);
    };
    // The old journal's WAL belongs to it: left beside the restored file, SQLite would replay it into the restore.
    for (const part of ['', '-wal', '-shm']) if (existsSync(journalFile + part)) aside(JOURNAL_ENTRY + part, `${JOURNAL_ENTRY}${suffix}${part}`);
    for (const e of entries) {
      if (e.name === JOURNAL_ENTRY) continue;
      const target = join(o.dataDir, e.name);
      if (existsSync(target) && !readFileSync(target).equals(Buffer.from(e.data))) aside(e.name, e.name + suffix);
    }
    for (const e of entries) writeAtomically(join(o.dataDir, e.name), e.data);
    const db = openDatabase(journalFile);
    const schemaVersion = Number(db.pragma('user_version', { simple: true }));
    db.close();
    return { report, restored: entries.map((e) => e.name), keptAside, schemaVersion };
  } finally {
    lease.release();
  }
}

function inUse(dataDir: string, pid: number, purpose: string): JournalError {
  return new JournalError('BACKUP_TARGET_IN_USE', `${dataDir} is in use by process ${pid} (${purpose}): stop the daemon before restoring into its data directory`, { dataDir, pid });
}

/** A consistent copy of the journal as bytes (rollback-journal mode, so the file stands alone) and its schema version. */
async function snapshot(db: Db, tmp: string): Promise<{ data: Buffer; schemaVersion: number }> {
  try {
    // SQLite's backup API: a write by this same connection during the copy is carried into it, so the daemon's own
    // connection copies 100 pages per event-loop turn and keeps serving. A write by another connection restarts the
    // copy, so a read-only connection of another process (the CLI while the daemon runs) copies every remaining page
    // in one step, inside one read transaction: WAL lets the daemon write meanwhile, and the copy cannot be restarted
    // for ever by a busy daemon. Either way the result is one consistent state of the journal.
    await (db.readonly ? db.backup(tmp, { progress: () => 0x7fffffff }) : db.backup(tmp));
    const copy = new Database(tmp);
    let schemaVersion: number;
    try {
      copy.pragma('journal_mode = DELETE');
      schemaVersion = Number(copy.pragma('user_version', { simple: true }));
    } finally {
      copy.close();
    }
    return { data: readFileSync(tmp), schemaVersion };
  } finally {
    for (const part of ['', '-wal', '-shm', '-journal']) rmSync(tmp + part, { force: true });
  }
}

/** Writes `data` to `<dir>/.<name>.tmp` (mode 0600), syncs it, then renames it over `file`: never a half file. */
function writeAtomically(file: string, data: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(file), `.${file.slice(dirname(file).length + 1)}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    try {
      if (process.platform !== 'win32') fchmodSync(fd, 0o600);
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true }); // a full share keeps no half file under the temporary name either
    throw err;
  }
}

/** Keeps the newest `keep` backups in `dir` (names sort by time). */
function prune(dir: string, keep: number): void {
  const copies = readdirSync(dir).filter((f) => BACKUP_NAME.test(f)).sort();
  for (const old of copies.slice(0, Math.max(0, copies.length - keep))) rmSync(join(dir, old), { force: true });
}
