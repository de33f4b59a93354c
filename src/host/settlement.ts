import type { Logger } from '../log/logger.js';
import type { Batches, CurrencyTotals } from '../journal/batches.js';
import { nextStan } from '../journal/counters.js';
import type { Db } from '../journal/database.js';
import { HostError } from './errors.js';
import { Iso8583Message, unpack, type Iso8583Spec } from './iso8583/index.js';
import type { RequestMatcher } from './matcher.js';
import { transmissionDateTime, type TerminalIdentity } from './messages.js';

/** Settlement rules (config). */
export interface SettlementPolicy {
  readonly responseTimeoutMs: number;
  /** On "totals not agreed" (95): upload every transaction (0320) and settle again (processing code 960000). */
  readonly uploadOnMismatch: boolean;
}

/** What one settlement run did, per currency (a currency agreed in an earlier run shows that run's code, uploaded 0). */
export interface SettlementResult {
  readonly batchId: number;
  readonly closed: boolean;
  readonly currencies: { readonly totals: CurrencyTotals; readonly responseCode: string; readonly uploaded: number; readonly agreed: boolean }[];
}

const n = (v: number, len: number): string => String(v).padStart(len, '0');

/**
 * Our convention for the answer to a batch upload (0330, field 39), which acquirers word differently
 * (docs/host.md): every one of these means the host now counts the item as the terminal sent it; the others refuse
 * the upload. The host's amount before the upload goes in field 4 of an N2 answer.
 */
export const UPLOAD_CODES = {
  /** The host had counted the item with the same amount. */
  matched: '00',
  /** The host had not counted the item. */
  hostMissing: 'N1',
  /** The host had counted it with another amount (its amount in field 4). */
  amountDiffers: 'N2',
  /** The host had counted it as reversed. */
  hostReversed: 'N3',
} as const;

const UPLOAD_ACCEPTED: ReadonlySet<string> = new Set(Object.values(UPLOAD_CODES));

/** The totals fields of a 0510 (74-77, 86-89) as our totals shape; null when the host sent none of them. */
export function hostTotalsOf(r: Iso8583Message): Omit<CurrencyTotals, 'currency'> | null {
  const f = (k: number): number => Number(r.text(k) ?? '0');
  if ([74, 75, 76, 77, 86, 87, 88, 89].every((k) => r.text(k) === undefined)) return null;
  return {
    salesCount: f(76),
    salesAmount: f(88),
    refundsCount: f(74),
    refundsAmount: f(86),
    salesReversedCount: f(77),
    salesReversedAmount: f(89),
    refundsReversedCount: f(75),
    refundsReversedAmount: f(87),
  };
}

/**
 * The reconciliation request (0500) for one currency's totals (ISO 8583:1987): credits (refunds) 74/86, their
 * reversals 75/87, debits (sales) 76/88, their reversals 77/89, and 97 the net as C/D + 16 digits — C when what
 * stands of the sales is at least what stands of the refunds, i.e. the acquirer owes the merchant. The amounts are
 * in the minor units of one currency, which field 50 (currency code, settlement) names: ISO 8583 has no field for
 * a second currency in one reconciliation, so a batch in several currencies is reconciled once per currency
 * (amounts are never converted: the terminal holds no exchange rates and the acquirer settles each currency).
 * Field 49 (currency code, transaction) belongs to a transaction's field 4 and is not sent.
 */
export function buildReconciliation(t: CurrencyTotals, batchId: number, id: TerminalIdentity, stan: string, now: Date, afterUpload: boolean): Iso8583Message {
  const net = t.salesAmount - t.salesReversedAmount - (t.refundsAmount - t.refundsReversedAmount);
  return Iso8583Message.of(
    '0500',
    {
      3: afterUpload ? '960000' : '920000',
      7: transmissionDateTime(now),
      11: stan,
      41: id.terminalId,
      42: id.merchantId,
      50: t.currency,
      60: n(batchId, 6),
      74: n(t.refundsCount, 10),
      75: n(t.refundsReversedCount, 10),
      76: n(t.salesCount, 10),
      77: n(t.salesReversedCount, 10),
      86: n(t.refundsAmount, 16),
      87: n(t.refundsReversedAmount, 16),
      88: n(t.salesAmount, 16),
      89: n(t.salesReversedAmount, 16),
      97: `${net >= 0 ? 'C' : 'D'}${n(Math.abs(net), 16)}`,
    },
    id.header,
  );
}

/**
 * Settles the pending batch (ISO 8583 0500/0510): per currency the totals go to the host; "totals not agreed" (95)
 * triggers, when configured, a batch upload (0320 per transaction of that currency) and a second 0500. Each
 * currency the host agrees to is recorded at once and never reconciled again (the host closed its totals for it);
 * the batch closes only when the host agreed for every currency, otherwise it stays settling, to be tried again.
 */
export class Settlement {
  /** Binds settlement to the link's matcher, the journal and the terminal identity. */
  constructor(
    private readonly matcher: RequestMatcher,
    private readonly batches: Batches,
    private readonly db: Db,
    private readonly spec: Iso8583Spec,
    private readonly identity: TerminalIdentity,
    private readonly policy: SettlementPolicy,
    private readonly clock: () => Date,
    private readonly logger?: Logger,
  ) {}

  /** Settles the waiting batch; null when there is none. Host trouble leaves the batch settling (HostError thrown). */
  async settle(): Promise<SettlementResult | null> {
    const batch = this.batches.toSettle();
    if (!batch) return null;
    this.batches.startSettling(batch.id);
    const currencies: SettlementResult['currencies'][number][] = [];
    const agreedBefore = this.batches.agreedCurrencies(batch.id);
    for (const totals of this.batches.totals(batch.id)) {
      const earlier = agreedBefore.get(totals.currency);
      if (earlier !== undefined) {
        currencies.push({ totals, responseCode: earlier, uploaded: 0, agreed: true });
        continue;
      }
      let code = await this.reconcile(totals, batch.id, false);
      let uploaded = 0;
      if (code === '95' && this.policy.uploadOnMismatch) {
        uploaded = await this.upload(batch.id, totals.currency);
        code = await this.reconcile(totals, batch.id, true);
      }
      const agreed = code === '00';
      if (agreed) this.batches.agree(batch.id, totals.currency, code, this.clock().getTime());
      currencies.push({ totals, responseCode: code, uploaded, agreed });
    }
    const closed = currencies.every((c) => c.agreed);
    const summary = currencies.map((c) => `${c.totals.currency}:${c.responseCode}`).join(' ') || 'empty batch';
    if (closed) this.batches.close(batch.id, this.clock().getTime(), summary);
    else this.batches.note(batch.id, summary);
    this.logger?.info('settlement', { batch: batch.id, closed, summary });
    return { batchId: batch.id, closed, currencies };
  }

  /** One 0500; the host's answer (its code and the totals it sent back) is recorded for the report's reconciliation. */
  private async reconcile(t: CurrencyTotals, batchId: number, afterUpload: boolean): Promise<string> {
    const msg = buildReconciliation(t, batchId, this.identity, nextStan(this.db), this.clock(), afterUpload);
    const r = await this.matcher.request(msg, this.policy.responseTimeoutMs);
    const code = r.text(39) ?? '';
    this.batches.hostAnswer(batchId, t.currency, afterUpload ? 'final' : 'first', code, hostTotalsOf(r), r.text(97) ?? null, this.clock().getTime());
    return code;
  }

  /** Sends each unreversed transaction of the currency as a batch upload (0320); returns how many went. */
  private async upload(batchId: number, currency: string): Promise<number> {
    let count = 0;
    for (const item of this.batches.items(batchId)) {
      if (item.reversed || item.currency !== currency) continue;
      const original = unpack(this.spec, item.request);
      // The upload carries the original STAN, so the host recognises what it already counted.
      const msg = original.withMti('0320').with(38, (item.authCode ?? '').padEnd(6, ' ').slice(0, 6));
      const r = await this.matcher.request(msg, this.policy.responseTimeoutMs);
      const code = r.text(39) ?? '';
      if (!UPLOAD_ACCEPTED.has(code)) throw new HostError('HOST_RESPONSE_INVALID', `batch upload of ${item.ref} refused (${code || '?'})`, { ref: item.ref });
      // What the host had of this item before: the report names each item it had otherwise (docs/host.md).
      const hostAmount = code === UPLOAD_CODES.amountDiffers && r.text(4) !== undefined ? Number(r.text(4)) : null;
      this.batches.itemAnswer(batchId, item.ref, item.kind, code, hostAmount, this.clock().getTime());
      count++;
    }
    return count;
  }
}
