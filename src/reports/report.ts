// The day and shift report as pure arithmetic: payments, captures and the settled batches in, totals per group and
// currency and the reconciliation with the host out. No I/O: report-source.ts reads the journal into these inputs.
// docs/reports.md says what each line means.
import { currencyAlpha, currencyExponent } from '../util/currency.js';
import type { CurrencyTotals, HostAnswer } from '../journal/batches.js';
import type { EntryMode } from '../payments/payment-store.js';
import type { PaymentState } from '../payments/states.js';

/** What the report needs of a payment. */
export interface ReportPayment {
  readonly id: string;
  readonly reference: string;
  readonly lane: string;
  readonly cashier: string | null;
  readonly type: 'sale' | 'refund' | 'preauth';
  readonly state: PaymentState;
  readonly result: string | null;
  /** Minor units. */
  readonly amount: number;
  /** ISO 4217 numeric. */
  readonly currency: string;
  readonly scheme: string | null;
  readonly entryMode: EntryMode | null;
  readonly createdAt: number;
}

/** A capture of a pre-authorisation, counted in the period it was made in (whenever the pre-authorisation was). */
export interface ReportCapture {
  readonly payment: ReportPayment;
  /** Minor units. */
  readonly amount: number;
  readonly at: number;
}

/** What a report can be grouped by, besides the currency (always). */
export const GROUP_KEYS = ['currency', 'scheme', 'entryMode', 'cashier', 'lane'] as const;
/** A grouping key. */
export type GroupKey = (typeof GROUP_KEYS)[number];

/** A report line: how many and how much (minor units), with the amount as a decimal string in its currency. */
export interface ReportLine {
  readonly count: number;
  readonly amount: number;
  readonly decimal: string;
}

/** The line kinds, in report order. */
export const LINE_KINDS = ['sales', 'refunds', 'preauths', 'captures', 'reversals', 'declines', 'cancellations', 'inProgress'] as const;
/** A line kind. */
export type LineKind = (typeof LINE_KINDS)[number];

/** One group's totals in one currency. */
export interface ReportGroup {
  /** The group's values of the grouping keys (null: not known, e.g. no cashier for a nexo payment). */
  readonly key: Readonly<Partial<Record<GroupKey, string | null>>>;
  /** ISO 4217 alpha. */
  readonly currency: string;
  readonly exponent: number;
  readonly lines: Readonly<Record<LineKind, ReportLine>>;
  /** sales + captures - refunds (minor units): what the period moved to the shop. */
  readonly net: ReportLine;
}

/** The one line a payment counts in, by its state (and, when completed, its result and type). */
export function lineOf(p: Pick<ReportPayment, 'state' | 'result' | 'type'>): Exclude<LineKind, 'captures'> {
  switch (p.state) {
    case 'completed':
      if (p.result === 'approved' || p.result === null) return p.type === 'sale' ? 'sales' : p.type === 'refund' ? 'refunds' : 'preauths';
      return p.result === 'declined' ? 'declines' : 'cancellations';
    case 'reversed':
    case 'reversal-pending':
      return 'reversals';
    case 'declined':
      return 'declines';
    case 'cancelled':
    case 'failed':
      return 'cancellations';
    default:
      return 'inProgress';
  }
}

/** An amount in minor units as a decimal string of its currency's exponent ("12.34", "-0.05", "1234" for JPY). */
export function decimalOf(amount: number, exponent: number): string {
  const abs = Math.abs(amount).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? abs : `${abs.slice(0, -exponent)}.${abs.slice(-exponent)}`;
  return `${amount < 0 ? '-' : ''}${whole}`;
}

/** The ISO 4217 alpha code of a payment's currency (stored numeric). */
export function alphaOf(currency: string): string {
  return /^\d{3}$/.test(currency) ? currencyAlpha(currency) : currency;
}

function keyOf(p: ReportPayment, groupBy: readonly GroupKey[]): Partial<Record<GroupKey, string | null>> {
  const key: Partial<Record<GroupKey, string | null>> = {};
  for (const k of groupBy) {
    if (k === 'currency') key.currency = alphaOf(p.currency);
    else if (k === 'scheme') key.scheme = p.scheme;
    else if (k === 'entryMode') key.entryMode = p.entryMode;
    else if (k === 'cashier') key.cashier = p.cashier;
    else key.lane = p.lane;
  }
  return key;
}

/**
 * Totals per group and currency: each payment in the one line of its state (`lineOf`), each capture in captures.
 * The currency is always a grouping key (amounts of different currencies are never added); `groupBy` adds others.
 * Groups come sorted by their key values, then currency.
 */
export function reportGroups(payments: readonly ReportPayment[], captures: readonly ReportCapture[], groupBy: readonly GroupKey[] = ['currency']): ReportGroup[] {
  const keys = groupBy.includes('currency') ? groupBy : (['currency', ...groupBy] as GroupKey[]);
  const acc = new Map<string, { key: Partial<Record<GroupKey, string | null>>; currency: string; counts: Record<LineKind, [number, number]> }>();
  const bucket = (p: ReportPayment) => {
    const key = keyOf(p, keys);
    const id = JSON.stringify(keys.map((k) => key[k] ?? null));
    let b = acc.get(id);
    if (!b) {
      b = { key, currency: alphaOf(p.currency), counts: Object.fromEntries(LINE_KINDS.map((k) => [k, [0, 0]])) as Record<LineKind, [number, number]> };
      acc.set(id, b);
    }
    return b;
  };
  for (const p of payments) {
    const c = bucket(p).counts[lineOf(p)];
    c[0]++;
    c[1] += p.amount;
  }
  for (const cap of captures) {
    const c = bucket(cap.payment).counts.captures;
    c[0]++;
    c[1] += cap.amount;
  }
  const sortKey = (k: Partial<Record<GroupKey, string | null>>): string => keys.map((g) => k[g] ?? '\uffff').join('\u0000');
  return [...acc.values()]
    .sort((a, b) => (sortKey(a.key) < sortKey(b.key) ? -1 : sortKey(a.key) > sortKey(b.key) ? 1 : 0))
    .map((b) => {
      const exponent = currencyExponent(b.currency);
      const line = (count: number, amount: number): ReportLine => ({ count, amount, decimal: decimalOf(amount, exponent) });
      const lines = Object.fromEntries(LINE_KINDS.map((k) => [k, line(b.counts[k][0], b.counts[k][1])])) as Record<LineKind, ReportLine>;
      const net = lines.sales.amount + lines.captures.amount - lines.refunds.amount;
      return { key: b.key, currency: b.currency, exponent, lines, net: line(lines.sales.count + lines.captures.count + lines.refunds.count, net) };
    });
}

/** Why the host's count of one batch item differed from ours (docs/host.md, the batch upload's answers). */
export type ItemIssue = 'host-missing' | 'amount-differs' | 'host-reversed';

/** One batch item the host had otherwise, named by its payment's reference. */
export interface ReconciliationItem {
  readonly reference: string;
  readonly paymentId: string;
  readonly kind: 'sale' | 'refund';
  readonly issue: ItemIssue;
  /** Our amount (minor units). */
  readonly amount: number;
  /** What the host had: its amount, 0 when it had not counted it. */
  readonly hostAmount: number;
  /** What this item explains of the net difference (ours - host's), minor units. */
  readonly difference: number;
}

/** Settlement totals as the report shows them (ours or the host's). */
export type SettlementTotals = Omit<CurrencyTotals, 'currency'> & { readonly net: number };

/** One currency of one settled batch: our totals beside the host's, the difference and what explains it. */
export interface ReconciliationLine {
  readonly batchId: number;
  readonly status: 'open' | 'settling' | 'closed';
  readonly closedAt: number | null;
  /** ISO 4217 alpha. */
  readonly currency: string;
  readonly exponent: number;
  readonly ours: SettlementTotals;
  /** The host's totals at its first answer (before any batch upload); null when it sent none. */
  readonly host: SettlementTotals | null;
  /** The response code of the first 0510, and of the one after the upload (null when there was no upload). */
  readonly responseCode: string | null;
  readonly finalResponseCode: string | null;
  /** True when the host agreed (at first or after the upload). */
  readonly agreed: boolean;
  /** True when the host's first totals differed from ours. */
  readonly differs: boolean;
  /** Our net minus the host's (minor units); 0 when agreed at once. */
  readonly difference: number;
  readonly items: readonly ReconciliationItem[];
  /** The part of `difference` no item explains (minor units). */
  readonly unattributed: number;
}

/** A batch item as the reconciliation needs it. */
export interface ReconciliationInputItem {
  readonly ref: string;
  readonly reference: string;
  readonly kind: 'sale' | 'refund';
  readonly amount: number;
  readonly currency: string;
}

/** What the journal holds of one batch for the reconciliation. */
export interface ReconciliationInput {
  readonly batchId: number;
  readonly status: 'open' | 'settling' | 'closed';
  readonly closedAt: number | null;
  readonly totals: readonly CurrencyTotals[];
  readonly hostAnswers: readonly HostAnswer[];
  readonly itemAnswers: readonly { ref: string; kind: 'sale' | 'refund'; responseCode: string; hostAmount: number | null }[];
  readonly items: readonly ReconciliationInputItem[];
  /** Currencies the host agreed to (batch_currencies), by numeric code. */
  readonly agreed: ReadonlySet<string>;
}

/** The batch upload answer codes (UPLOAD_CODES of the host layer) as issues. */
const ISSUE_OF: Readonly<Record<string, ItemIssue>> = { N1: 'host-missing', N2: 'amount-differs', N3: 'host-reversed' };

const netOf = (t: Omit<CurrencyTotals, 'currency'>): number => t.salesAmount - t.salesReversedAmount - (t.refundsAmount - t.refundsReversedAmount);

/**
 * Per batch and currency: our totals, the host's first answer, the difference of the nets, each item the host had
 * otherwise (from its answers to the batch upload) and what no item explains.
 */
export function reconcile(batches: readonly ReconciliationInput[]): ReconciliationLine[] {
  const out: ReconciliationLine[] = [];
  for (const b of batches) {
    for (const t of b.totals) {
      const alpha = alphaOf(t.currency);
      const exponent = currencyExponent(alpha);
      const first = b.hostAnswers.find((h) => h.currency === t.currency && h.round === 'first') ?? null;
      const final = b.hostAnswers.find((h) => h.currency === t.currency && h.round === 'final') ?? null;
      const { currency: _c, ...rest } = t;
      const ours: SettlementTotals = { ...rest, net: netOf(t) };
      const host: SettlementTotals | null = first?.totals ? { ...first.totals, net: netOf(first.totals) } : null;
      const differs = first !== null && first.responseCode !== '00';
      const difference = host && differs ? ours.net - host.net : 0;
      const items: ReconciliationItem[] = [];
      for (const a of b.itemAnswers) {
        const issue = ISSUE_OF[a.responseCode];
        const item = b.items.find((i) => i.ref === a.ref && i.kind === a.kind && i.currency === t.currency);
        if (!issue || !item) continue;
        const hostAmount = issue === 'amount-differs' ? (a.hostAmount ?? 0) : issue === 'host-missing' ? 0 : item.amount;
        const sign = item.kind === 'sale' ? 1 : -1;
        // Counted as reversed, the host's net lacked the whole amount; missing, likewise; else the amounts' gap.
        const gap = issue === 'amount-differs' ? item.amount - hostAmount : item.amount;
        items.push({ reference: item.reference, paymentId: item.ref, kind: item.kind, issue, amount: item.amount, hostAmount, difference: sign * gap });
      }
      const explained = items.reduce((s, i) => s + i.difference, 0);
      out.push({
        batchId: b.batchId,
        status: b.status,
        closedAt: b.closedAt,
        currency: alpha,
        exponent,
        ours,
        host,
        responseCode: first?.responseCode ?? null,
        finalResponseCode: final?.responseCode ?? null,
        agreed: b.agreed.has(t.currency),
        differs,
        difference,
        items,
        unattributed: difference - explained,
      });
    }
  }
  return out;
}
