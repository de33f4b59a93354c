// What the metrics read at scrape time, where no event says it: the host queue and the print queue in the journal,
// the journal's size and the newest backup's age on disk. Counts, ages and names from closed sets only: never a
// payment's reference, a card number or a message.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../journal/database.js';
import type { QueueKind } from '../journal/host-queue.js';
import { isBackupFileName } from '../journal/backup.js';

/** The host queue's kinds: reversals, and advices (store-and-forward). */
export const QUEUE_KINDS: readonly QueueKind[] = ['reversal', 'advice'];

/** One kind of queued host message: how many wait to go, how old the oldest is, how many need a person. */
export interface QueueFacts {
  readonly waiting: number;
  readonly oldestAgeSeconds: number;
  readonly manual: number;
}

/** The reversal and advice queues: items due or in flight, the oldest one's age (0 when none), items for a person. */
export function hostQueueFacts(db: Db, now: number): Record<QueueKind, QueueFacts> {
  const rows = db
    .prepare(
      `SELECT kind, SUM(status IN ('pending', 'in-flight')) AS waiting, MIN(CASE WHEN status IN ('pending', 'in-flight') THEN created_at END) AS oldest,
              SUM(status = 'manual') AS manual
         FROM host_queue WHERE status IN ('pending', 'in-flight', 'manual') GROUP BY kind`,
    )
    .all() as { kind: QueueKind; waiting: number; oldest: number | null; manual: number }[];
  const out: Record<QueueKind, QueueFacts> = { reversal: { waiting: 0, oldestAgeSeconds: 0, manual: 0 }, advice: { waiting: 0, oldestAgeSeconds: 0, manual: 0 } };
  for (const r of rows) {
    if (!QUEUE_KINDS.includes(r.kind)) continue;
    out[r.kind] = { waiting: r.waiting, oldestAgeSeconds: r.oldest === null ? 0 : Math.max(0, (now - r.oldest) / 1000), manual: r.manual };
  }
  return out;
}

/** Receipts waiting to print, by printer name (every printer of `names` listed, 0 when none waits). */
export function printQueueDepths(db: Db, names: readonly string[]): Map<string, number> {
  const out = new Map(names.map((n) => [n, 0]));
  const rows = db.prepare(`SELECT printer, COUNT(*) AS n FROM print_jobs WHERE state = 'pending' GROUP BY printer`).all() as { printer: string; n: number }[];
  // Only configured printers: a name no longer in the config is not a label value anyone chose.
  for (const r of rows) if (out.has(r.printer)) out.set(r.printer, r.n);
  return out;
}

/** The journal's size on disk: the database file and its write-ahead log. */
export function journalSizeBytes(journalFile: string): number {
  let total = 0;
  for (const f of [journalFile, `${journalFile}-wal`]) {
    try {
      total += statSync(f).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // no WAL right after a checkpoint
    }
  }
  return total;
}

/**
 * The backups in `dir` (files named `posbridge-<time>.backup`, as `posbridge backup now` and the schedule write them): how many,
 * and the newest one's modification time in ms (null when there is none or no directory).
 */
export function backupFacts(dir: string): { readonly files: number; readonly newestMs: number | null } {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isBackupFileName);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, newestMs: null };
    throw err;
  }
  let newest: number | null = null;
  let files = 0;
  for (const n of names) {
    let t: number;
    try {
      t = statSync(join(dir, n)).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // rotated away between the listing and now
      throw err;
    }
    files++;
    if (newest === null || t > newest) newest = t;
  }
  return { files, newestMs: newest };
}
