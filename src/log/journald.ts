import { fstatSync } from 'node:fs';

/** syslog priorities of winston's npm levels, the prefix journald reads from a line ("<3>…" is an error). */
const PRIORITY: Readonly<Record<string, number>> = { error: 3, warn: 4, info: 6, http: 7, verbose: 7, debug: 7, silly: 7 };

/** The syslog priority journald should record for a winston level (debug for an unknown one). */
export function journalPriority(level: string): number {
  return PRIORITY[level] ?? 7;
}

/**
 * True when this process's stderr is systemd's journal stream: systemd sets JOURNAL_STREAM to the stream's
 * "device:inode", and only a stderr with that same device and inode is the journal (a child whose output was
 * redirected inherits the variable, not the stream).
 */
export function stderrIsJournal(env: Readonly<Record<string, string | undefined>> = process.env, fd = 2): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  let st;
  try {
    st = fstatSync(fd, { bigint: true });
  } catch (err) {
    // A closed stderr is no journal; anything else is unexpected.
    if ((err as NodeJS.ErrnoException).code === 'EBADF') return false;
    throw err;
  }
  return st.dev === BigInt(m[1]) && st.ino === BigInt(m[2]);
}
