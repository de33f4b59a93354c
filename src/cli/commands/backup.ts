import { readFileSync } from 'node:fs';
import { defaultDataDir } from '../../config/paths.js';
import { backupKeyPath, journalFileOf, runBackup, type RunBackupResult } from '../../daemon/backups.js';
import { parseConfig, type DaemonConfig } from '../../daemon/config.js';
import { hostLeasePath } from '../../host/stack.js';
import { openJournalForBackup, restoreBackup, verifyBackup, type BackupReport } from '../../journal/backup.js';
import { loadBackupKey } from '../../journal/backup-key.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge backup` (and of `posbridge journal backup`, its older name for `backup now`). */
export interface BackupOptions {
  readonly config?: string;
  readonly dataDir?: string;
  readonly key?: string;
  readonly dir?: string;
  readonly keep?: string;
  readonly copyTo?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

function loadConfig(path: string | undefined): DaemonConfig | null {
  if (!path) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new UsageError(`cannot read the config ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseConfig(raw);
}

function settings(opts: BackupOptions): { dataDir: string; keyFile: string; keep: number; copyTo?: string } {
  const config = loadConfig(opts.config);
  const keep = opts.keep === undefined ? (config?.backup?.keep ?? 7) : Number(opts.keep);
  if (!Number.isInteger(keep) || keep < 1) throw new UsageError('--keep must be a whole number of at least 1');
  const copyTo = opts.copyTo ?? config?.backup?.copyTo;
  return { dataDir: opts.dataDir ?? config?.dataDir ?? defaultDataDir(), keyFile: opts.key ?? backupKeyPath(config?.backup ?? null), keep, ...(copyTo ? { copyTo } : {}) };
}

function readBackupFile(file: string | undefined): Buffer {
  if (!file) throw new UsageError('give the backup FILE');
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `posbridge backup now|verify FILE|restore FILE`: encrypted backups of the data directory (docs/backups.md). */
export async function backupCommand(ctx: CliContext, action: string, file: string | undefined, opts: BackupOptions): Promise<number> {
  switch (action) {
    case 'now':
      return backupNow(ctx, opts);
    case 'verify': {
      const bytes = readBackupFile(file);
      const { keyFile } = settings(opts);
      const { report } = verifyBackup(bytes, loadBackupKey(keyFile, false).key);
      if (opts.json) ctx.out(JSON.stringify({ file, ...reportView(report) }));
      else {
        ctx.out(`${file}: OK, made ${report.header.createdAt.toISOString()} with backup key ${report.header.keyId}`);
        printReport(ctx, report);
      }
      return EXIT.OK;
    }
    case 'restore': {
      const bytes = readBackupFile(file);
      const { dataDir, keyFile } = settings(opts);
      const r = restoreBackup(bytes, loadBackupKey(keyFile, false).key, { dataDir, leaseFile: hostLeasePath(dataDir), force: opts.force ?? false, now: new Date() });
      if (opts.json) ctx.out(JSON.stringify({ file, dataDir, restored: r.restored, keptAside: r.keptAside, schemaVersion: r.schemaVersion, ...reportView(r.report) }));
      else {
        ctx.out(`Restored ${file} into ${dataDir}: ${r.restored.join(', ')}`);
        for (const a of r.keptAside) ctx.out(`  kept aside: ${a}`);
        printReport(ctx, r.report);
        ctx.out(`Journal at schema version ${r.schemaVersion}. Start the daemon.`);
      }
      return EXIT.OK;
    }
    default:
      throw new UsageError(`backup takes now, verify FILE or restore FILE; not "${action}"`);
  }
}

/** `posbridge backup now` (and `journal backup`): one encrypted backup, copied to copyTo; exit 1 when the copy failed. */
export async function backupNow(ctx: CliContext, opts: BackupOptions): Promise<number> {
  const s = settings(opts);
  // A read-only connection of our own: the daemon may hold the journal and write meanwhile (SQLite's backup API gives
  // one consistent state either way), and nothing of the daemon's (its lease, its queue) is touched.
  const db = openJournalForBackup(journalFileOf(s.dataDir));
  let r: RunBackupResult;
  try {
    r = await runBackup({ db, dataDir: s.dataDir, keep: s.keep, ...(s.copyTo ? { copyTo: s.copyTo } : {}), keyFile: s.keyFile, ...(opts.dir ? { dir: opts.dir } : {}), now: new Date() });
  } finally {
    db.close();
  }
  const copyFailed = r.copy !== null && 'error' in r.copy;
  if (opts.json) {
    ctx.out(JSON.stringify({ backup: r.file, bytes: r.bytes, schemaVersion: r.schemaVersion, keyId: r.keyId, keyFile: r.keyFile, keyCreated: r.keyCreated, files: r.files, copy: r.copy }));
  } else {
    ctx.out(`Backed up ${r.files.join(', ')} to ${r.file} (${r.bytes} bytes, encrypted with backup key ${r.keyId})`);
    if (r.copy && 'file' in r.copy) ctx.out(`Copied to ${r.copy.file}`);
  }
  if (r.keyCreated) ctx.err(`posbridge: a new backup key was created at ${r.keyFile}: keep a copy of it somewhere safe, away from this machine; without it no backup can be restored`);
  if (r.copy && 'error' in r.copy) ctx.err(`posbridge: ${r.copy.error.code}: ${r.copy.error.message} (the local backup ${r.file} was made)`);
  return copyFailed ? EXIT.FAILED : EXIT.OK;
}

function reportView(r: BackupReport): Record<string, unknown> {
  return { createdAt: r.header.createdAt.toISOString(), keyId: r.header.keyId, backupSchemaVersion: r.header.schemaVersion, knownSchemaVersion: r.known, integrity: r.integrity, files: r.files, counts: r.counts };
}

function printReport(ctx: CliContext, r: BackupReport): void {
  ctx.out(`  journal integrity ${r.integrity}, schema version ${r.header.schemaVersion} (this posbridge: ${r.known})`);
  ctx.out(`  files: ${r.files.join(', ')}`);
  const list = (o: Readonly<Record<string, number>>): string => Object.entries(o).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  ctx.out(`  payments: ${r.counts.payments}; host queue: ${list(r.counts.hostQueue)}; batches: ${list(r.counts.batches)}`);
}
