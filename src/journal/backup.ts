import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './database.js';

/**
 * An online backup of the journal (SQLite's backup API: consistent while the daemon writes) into `dir` as
 * `journal-<UTC time>.db`, keeping the newest `keep` copies. Resolves with the new file's path.
 */
export async function backupJournal(db: Db, dir: string, keep: number, now: Date): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `journal-${stamp}.db`);
  await db.backup(file);
  const copies = readdirSync(dir)
    .filter((f) => /^journal-.*\.db$/.test(f))
    .sort();
  for (const old of copies.slice(0, Math.max(0, copies.length - keep))) rmSync(join(dir, old), { force: true });
  return file;
}
