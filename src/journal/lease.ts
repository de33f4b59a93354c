import { hostname } from 'node:os';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { JournalError } from './errors.js';

/** The exclusive right of one process to drive the host link and its queue from a data directory. */
export interface Lease {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else; ESRCH: it is gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the journal's lease (`<file>` holding the owner's pid), so that only one process recovers and forwards the
 * host queue: a second process (a CLI command while the daemon runs) would otherwise fire the daemon's armed
 * reversals of sales still in progress. A lease left by a dead process is taken over. JOURNAL_LOCKED otherwise.
 */
export function acquireLease(file: string, purpose: string): Lease {
  const me = JSON.stringify({ pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, me, { flag: 'wx', mode: 0o600 });
      return {
        release() {
          try {
            if (readFileSync(file, 'utf8') === me) unlinkSync(file);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: { pid?: number; host?: string; purpose?: string } = {};
      try {
        owner = JSON.parse(readFileSync(file, 'utf8')) as typeof owner;
      } catch {
        owner = {}; // an unreadable lease file is treated as stale
      }
      const sameHost = owner.host === undefined || owner.host === hostname();
      if (typeof owner.pid === 'number' && sameHost && alive(owner.pid) && owner.pid !== process.pid) {
        throw new JournalError('JOURNAL_LOCKED', `the journal is in use by process ${owner.pid} (${owner.purpose ?? 'unknown'}): use the running daemon's API, or stop it first`, { pid: owner.pid });
      }
      unlinkSync(file);
    }
  }
  throw new JournalError('JOURNAL_LOCKED', `could not take the journal lease ${file}`);
}

/** Who holds the lease `file` right now (a live process, this one included), or null when nobody does. */
export function leaseHolder(file: string): { pid: number; purpose: string } | null {
  let owner: { pid?: number; host?: string; purpose?: string };
  try {
    owner = JSON.parse(readFileSync(file, 'utf8')) as typeof owner;
  } catch {
    return null; // no lease file, or an unreadable one (which acquireLease treats as stale too)
  }
  const sameHost = owner.host === undefined || owner.host === hostname();
  return typeof owner.pid === 'number' && sameHost && alive(owner.pid) ? { pid: owner.pid, purpose: owner.purpose ?? 'unknown' } : null;
}
