import { defaultDataDir } from '../../config/paths.js';
import { journalPath, sealKeyPath } from '../../host/stack.js';
import { Batches } from '../../journal/batches.js';
import { openDatabase } from '../../journal/database.js';
import { Sealer } from '../../journal/sealed.js';
import { GROUP_KEYS, LINE_KINDS, type GroupKey } from '../../reports/report.js';
import { reportCsv } from '../../reports/report-csv.js';
import { buildReport } from '../../reports/report-source.js';
import { reportView } from '../../api/report-methods.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge report`. */
export interface ReportOptions {
  readonly day?: string;
  readonly from?: string;
  readonly to?: string;
  readonly utc?: boolean;
  readonly lane?: string;
  readonly cashier?: string;
  readonly groupBy?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly dataDir?: string;
}

/**
 * The period asked for: --day YYYY-MM-DD is that day from midnight to midnight in the machine's local time zone
 * (UTC with --utc); --from/--to are ISO 8601 times and override the day's ends.
 */
export function reportPeriod(opts: Pick<ReportOptions, 'day' | 'from' | 'to' | 'utc'>): [number, number] {
  let from: number | null = null;
  let to: number | null = null;
  if (opts.day !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(opts.day);
    if (!m) throw new UsageError('--day takes a date as YYYY-MM-DD');
    const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
    from = opts.utc ? Date.UTC(y, mo, d) : new Date(y, mo, d).getTime();
    to = opts.utc ? Date.UTC(y, mo, d + 1) : new Date(y, mo, d + 1).getTime();
    const day = opts.utc ? new Date(from).getUTCDate() : new Date(from).getDate();
    if (day !== d) throw new UsageError(`--day ${opts.day} is not a date`);
  }
  const time = (v: string, name: string): number => {
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new UsageError(`${name} takes an ISO 8601 time, e.g. 2026-12-05T08:00:00Z`);
    return t;
  };
  if (opts.from !== undefined) from = time(opts.from, '--from');
  if (opts.to !== undefined) to = time(opts.to, '--to');
  if (from === null || to === null) throw new UsageError('give --day YYYY-MM-DD, or --from and --to');
  if (to <= from) throw new UsageError('the period is empty: --to must be after --from');
  return [from, to];
}

function groupKeys(v: string | undefined): GroupKey[] | undefined {
  if (v === undefined) return undefined;
  const keys = v.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const k of keys) if (!(GROUP_KEYS as readonly string[]).includes(k)) throw new UsageError(`--group-by takes ${GROUP_KEYS.join(', ')}; not "${k}"`);
  return keys as GroupKey[];
}

/**
 * `posbridge report`: the day's (or a period's) totals and reconciliation, read from the journal directly (read
 * queries only, so it works with the daemon running — the journal is in WAL mode — and with it stopped).
 */
export function reportCommand(ctx: CliContext, opts: ReportOptions): number {
  if (opts.json && opts.csv) throw new UsageError('give --json or --csv, not both');
  const [from, to] = reportPeriod(opts);
  const groupBy = groupKeys(opts.groupBy);
  const dataDir = opts.dataDir ?? process.env.POSBRIDGE_DATA_DIR ?? defaultDataDir();
  const db = openDatabase(journalPath(dataDir));
  try {
    const batches = new Batches(db, Sealer.fromKeyFile(sealKeyPath(dataDir)));
    const r = buildReport(db, batches, { from, to, ...(opts.lane !== undefined ? { lane: opts.lane } : {}), ...(opts.cashier !== undefined ? { cashier: opts.cashier } : {}), ...(groupBy ? { groupBy } : {}) });
    if (opts.csv) {
      // Each record ends in CRLF (RFC 4180): the last one's LF is the line end ctx.out adds.
      ctx.out(reportCsv(r.payments).slice(0, -1));
      return EXIT.OK;
    }
    if (opts.json) {
      ctx.out(JSON.stringify(reportView(r)));
      return EXIT.OK;
    }
    ctx.out(`Report ${new Date(from).toISOString()} – ${new Date(to).toISOString()}${r.lane !== null ? `, lane ${r.lane}` : ''}${r.cashier !== null ? `, cashier ${r.cashier}` : ''}: ${r.payments.length} payment(s)`);
    for (const g of r.groups) {
      const key = Object.entries(g.key).map(([k, v]) => `${k}=${v ?? '-'}`).join(' ');
      ctx.out(`\n${key}`);
      for (const k of LINE_KINDS) ctx.out(`  ${k.padEnd(14)} ${String(g.lines[k].count).padStart(5)}  ${g.lines[k].decimal.padStart(14)} ${g.currency}`);
      ctx.out(`  ${'net'.padEnd(14)} ${String(g.net.count).padStart(5)}  ${g.net.decimal.padStart(14)} ${g.currency}`);
    }
    for (const s of r.settlement) {
      const state = s.differs ? `NOT AGREED at first (${s.responseCode ?? '?'}), after upload ${s.finalResponseCode ?? '-'}` : s.agreed ? 'agreed' : s.status;
      ctx.out(`\nbatch ${s.batchId} ${s.currency}: ${state}; ours net ${s.ours.net}${s.host ? `, host net ${s.host.net}, difference ${s.difference}` : ''} (minor units)`);
      for (const i of s.items) ctx.out(`  ${i.reference} (${i.paymentId}) ${i.kind}: ${i.issue}, ours ${i.amount}, host ${i.hostAmount}`);
      if (s.unattributed !== 0) ctx.out(`  unattributed ${s.unattributed}`);
    }
    return EXIT.OK;
  } finally {
    db.close();
  }
}
