import { defaultDataDir } from '../../config/paths.js';
import { openDatabase } from '../../journal/database.js';
import { HostQueue, type QueueStatus } from '../../journal/host-queue.js';
import { Sealer } from '../../journal/sealed.js';
import { journalPath, sealKeyPath } from '../../host/stack.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

const STATUSES: readonly QueueStatus[] = ['armed', 'pending', 'in-flight', 'done', 'disarmed', 'manual'];

/** `posbridge host queue`: the store-and-forward queue (reversals and advices) from the journal; no message content. */
export async function hostQueueCommand(ctx: CliContext, opts: { status?: string; json?: boolean }): Promise<number> {
  const wanted = opts.status ? opts.status.split(',') : ['armed', 'pending', 'in-flight', 'manual'];
  for (const s of wanted) if (!STATUSES.includes(s as QueueStatus)) throw new UsageError(`--status takes ${STATUSES.join(', ')}; got "${s}"`);
  const dir = process.env.POSBRIDGE_DATA_DIR ?? defaultDataDir();
  const db = openDatabase(journalPath(dir));
  try {
    const items = new HostQueue(db, Sealer.fromKeyFile(sealKeyPath(dir))).list(wanted as QueueStatus[]).map((i) => ({
      id: i.id,
      kind: i.kind,
      ref: i.ref,
      mti: i.mti,
      status: i.status,
      attempts: i.attempts,
      createdAt: new Date(i.createdAt).toISOString(),
      nextAttemptAt: new Date(i.nextAttemptAt).toISOString(),
      reason: i.reason,
      lastError: i.lastError,
    }));
    if (opts.json) ctx.out(JSON.stringify({ items }));
    else if (items.length === 0) ctx.out('The host queue is empty.');
    else for (const i of items) ctx.out(`#${i.id} ${i.kind} ${i.mti} ${i.status} ref ${i.ref} — ${i.attempts} attempt(s)${i.reason ? `, reason: ${i.reason}` : ''}${i.lastError ? `, last error: ${i.lastError}` : ''}`);
    return items.some((i) => i.status === 'manual') ? EXIT.FAILED : EXIT.OK;
  } finally {
    db.close();
  }
}
