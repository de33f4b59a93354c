// Reads the journal into a report: the payments created in the period (filtered by lane and cashier), the captures
// made in it, and the batches closed in it (or still settling) with the host's answers. Read-only queries.
import { schemeOfPayment } from '../emv/scheme.js';
import type { Db } from '../journal/database.js';
import type { Batches } from '../journal/batches.js';
import type { EntryMode } from '../payments/payment-store.js';
import { reconcile, reportGroups, type GroupKey, type ReconciliationInput, type ReconciliationLine, type ReportCapture, type ReportGroup, type ReportPayment } from './report.js';

/** What a report covers. */
export interface ReportQuery {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  readonly lane?: string;
  readonly cashier?: string;
  readonly groupBy?: readonly GroupKey[];
}

/** A payment as the report and its CSV see it. */
export interface ReportPaymentRow extends ReportPayment {
  readonly maskedPan: string | null;
  readonly authCode: string | null;
  readonly terminalId: string | null;
  /** The batch that counts it (the latest, for a captured pre-authorisation the capture's); null when none. */
  readonly batchId: number | null;
  /** True when that batch closed (the host agreed). */
  readonly settled: boolean;
  /** The captured amount of a pre-authorisation; null when not captured. */
  readonly capturedAmount: number | null;
}

/** A whole report. */
export interface Report {
  readonly from: number;
  readonly to: number;
  readonly lane: string | null;
  readonly cashier: string | null;
  readonly groupBy: readonly GroupKey[];
  readonly groups: readonly ReportGroup[];
  /** The same totals per currency only. */
  readonly totals: readonly ReportGroup[];
  /** The terminal's batches closed in the period or still settling (all lanes and cashiers: a batch is the terminal's). */
  readonly settlement: readonly ReconciliationLine[];
  readonly payments: readonly ReportPaymentRow[];
}

interface Row {
  id: string;
  reference: string;
  lane: string;
  cashier: string | null;
  type: ReportPayment['type'];
  state: ReportPayment['state'];
  result: string | null;
  amount: number;
  currency: string;
  scheme: string | null;
  aid: string | null;
  entry_mode: Exclude<EntryMode, 'contactless'> | null;
  card_interface: 'contact' | 'contactless' | null;
  created_at: number;
  masked_pan: string | null;
  auth_code: string | null;
  terminal_id: string | null;
  batch_id: number | null;
  batch_status: string | null;
  captured_amount: number | null;
  captured_at: number | null;
}

const SELECT = `SELECT p.id, p.reference, p.lane, p.cashier, p.type, p.state, p.result, p.amount, p.currency, p.scheme, p.aid, p.entry_mode,
    p.card_interface, p.created_at, p.masked_pan, p.auth_code, p.terminal_id, pa.captured_amount, pa.captured_at,
    (SELECT i.batch_id FROM batch_items i WHERE i.ref = p.id ORDER BY i.id DESC LIMIT 1) AS batch_id,
    (SELECT b.status FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE i.ref = p.id ORDER BY i.id DESC LIMIT 1) AS batch_status
  FROM payments p LEFT JOIN preauthorizations pa ON pa.ref = p.id`;

function toRow(r: Row): ReportPaymentRow {
  return {
    id: r.id,
    reference: r.reference,
    lane: r.lane,
    cashier: r.cashier,
    type: r.type,
    state: r.state,
    result: r.result,
    amount: r.amount,
    currency: r.currency,
    // Rows from before the scheme was recorded: named from the AID, or the BIN of a swipe.
    scheme: schemeOfPayment({ scheme: r.scheme, aid: r.aid, maskedPan: r.masked_pan }),
    entryMode: r.card_interface === 'contactless' ? 'contactless' : r.entry_mode,
    createdAt: r.created_at,
    maskedPan: r.masked_pan,
    authCode: r.auth_code,
    terminalId: r.terminal_id,
    batchId: r.batch_id,
    settled: r.batch_status === 'closed',
    capturedAmount: r.captured_amount,
  };
}

function filtered(q: ReportQuery): { where: string; args: (string | number)[] } {
  const parts: string[] = [];
  const args: (string | number)[] = [];
  if (q.lane !== undefined) {
    parts.push('p.lane = ?');
    args.push(q.lane);
  }
  if (q.cashier !== undefined) {
    parts.push('p.cashier = ?');
    args.push(q.cashier);
  }
  return { where: parts.map((p) => ` AND ${p}`).join(''), args };
}

/** The reconciliation inputs of the batches closed in [from, to) or still settling. */
function batchInputs(db: Db, batches: Batches, from: number, to: number): ReconciliationInput[] {
  return batches.settledIn(from, to).map((b) => ({
    batchId: b.id,
    status: b.status,
    closedAt: b.closedAt,
    totals: batches.totals(b.id),
    hostAnswers: batches.hostAnswers(b.id),
    itemAnswers: batches.itemAnswers(b.id),
    items: (db.prepare(`SELECT i.ref, COALESCE(p.reference, i.ref) AS reference, i.kind, i.amount, i.currency FROM batch_items i LEFT JOIN payments p ON p.id = i.ref WHERE i.batch_id = ? ORDER BY i.id`).all(b.id) as ReconciliationInput['items'][number][]).map((i) => ({ ...i })),
    agreed: new Set(batches.agreedCurrencies(b.id).keys()),
  }));
}

/**
 * The report of a period from the journal: payments created in [from, to) of the lane and cashier asked for (all
 * when not given), captures made in [from, to) of such payments, grouped as asked, and the settlement's
 * reconciliation of the batches closed in the period.
 */
export function buildReport(db: Db, batches: Batches, q: ReportQuery): Report {
  const f = filtered(q);
  const payments = (db.prepare(`${SELECT} WHERE p.created_at >= ? AND p.created_at < ?${f.where} ORDER BY p.created_at, p.id`).all(q.from, q.to, ...f.args) as Row[]).map(toRow);
  const captureRows = db.prepare(`${SELECT} WHERE pa.captured_at >= ? AND pa.captured_at < ?${f.where} ORDER BY pa.captured_at`).all(q.from, q.to, ...f.args) as Row[];
  const captures: ReportCapture[] = captureRows.map((r) => ({ payment: toRow(r), amount: r.captured_amount ?? 0, at: r.captured_at ?? 0 }));
  const groupBy = q.groupBy?.length ? q.groupBy : (['currency'] as const);
  return {
    from: q.from,
    to: q.to,
    lane: q.lane ?? null,
    cashier: q.cashier ?? null,
    groupBy,
    groups: reportGroups(payments, captures, groupBy),
    totals: reportGroups(payments, captures, ['currency']),
    settlement: reconcile(batchInputs(db, batches, q.from, q.to)),
    payments,
  };
}
