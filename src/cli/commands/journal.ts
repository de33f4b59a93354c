import { join } from 'node:path';
import { defaultDataDir } from '../../config/paths.js';
import { journalPath } from '../../host/stack.js';
import { openDatabase } from '../../journal/database.js';
import { loadKeyFile } from '../../journal/sealed.js';
import { paymentView } from '../../api/payment-methods.js';
import { PaymentStore } from '../../payments/payment-store.js';
import type { CliContext } from '../context.js';
import { backupNow } from './backup.js';
import { formatMinor } from '../../util/currency.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge journal`. */
export interface JournalOptions {
  readonly from?: string;
  readonly to?: string;
  readonly csv?: boolean;
  readonly json?: boolean;
  readonly keep?: string;
  readonly dir?: string;
}

const CSV_COLUMNS = ['paymentId', 'reference', 'lane', 'type', 'amount', 'currency', 'state', 'result', 'maskedPan', 'aid', 'cvm', 'authCode', 'responseCode', 'reason', 'createdAt', 'updatedAt'] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function range(opts: JournalOptions): [number, number] {
  const from = opts.from ? Date.parse(opts.from) : 0;
  const to = opts.to ? Date.parse(opts.to) : Number.MAX_SAFE_INTEGER;
  if (Number.isNaN(from) || Number.isNaN(to)) throw new UsageError('--from and --to take ISO 8601 dates, e.g. 2026-11-26 or 2026-11-26T08:00:00Z');
  return [from, to];
}

/** `posbridge journal list|show ID|export --csv|backup`: the payments journal (masked PANs only). */
export async function journalCommand(ctx: CliContext, action: string, id: string | undefined, opts: JournalOptions): Promise<number> {
  // The older name of `posbridge backup now` (encrypted, docs/backups.md), with its --keep and --dir.
  if (action === 'backup') return backupNow(ctx, { ...(opts.keep !== undefined ? { keep: opts.keep } : {}), ...(opts.dir ? { dir: opts.dir } : {}), ...(opts.json ? { json: true } : {}) });
  const dataDir = process.env.POSBRIDGE_DATA_DIR ?? defaultDataDir();
  const db = openDatabase(journalPath(dataDir));
  try {
    const store = new PaymentStore(db, new Uint8Array(loadKeyFile(join(dataDir, 'pan-hash.key'))));
    switch (action) {
      case 'list':
      case 'export': {
        const payments = store.list(...range(opts)).map(paymentView);
        if (opts.csv || action === 'export') {
          ctx.out(CSV_COLUMNS.join(','));
          for (const p of payments) ctx.out(CSV_COLUMNS.map((c) => csvCell(p[c])).join(','));
        } else if (opts.json) ctx.out(JSON.stringify({ payments }));
        else for (const p of payments) ctx.out(`${String(p.createdAt)}  ${String(p.reference).padEnd(20)} ${String(p.type).padEnd(7)} ${formatMinor(Number(p.amount), String(p.currency)).padStart(14)}  ${String(p.state).padEnd(16)} ${String(p.maskedPan ?? '')}`);
        return EXIT.OK;
      }
      case 'show': {
        if (!id) throw new UsageError('journal show takes a payment id (see `posbridge journal list --json`)');
        const p = store.get(id);
        const events = store.events(id).map((e) => ({ at: new Date(e.at).toISOString(), state: e.state, detail: e.detail }));
        if (opts.json) ctx.out(JSON.stringify({ payment: paymentView(p), events }));
        else {
          for (const [k, v] of Object.entries(paymentView(p))) ctx.out(`${k.padEnd(13)} ${v === null ? '' : String(v)}`);
          ctx.out('events:');
          for (const e of events) ctx.out(`  ${e.at}  ${e.state}${e.detail ? `  (${e.detail})` : ''}`);
        }
        return EXIT.OK;
      }
      default:
        throw new UsageError(`journal takes list, show ID, export --csv or backup; not "${action}"`);
    }
  } finally {
    db.close();
  }
}
