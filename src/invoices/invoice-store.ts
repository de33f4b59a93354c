// Invoice requests in the journal (table invoice_requests): each recorded, with the exact body to send, before the
// API answers; then moved by the delivery worker pending → delivering → delivered, or back to pending with a later
// due time, or to failed-permanent. One live request per payment (a unique index); a new one only after a permanent
// failure.
import { randomUUID } from 'node:crypto';
import type { Db } from '../journal/database.js';
import type { PaymentStore } from '../payments/payment-store.js';
import type { Buyer } from './buyer.js';
import { invoiceBody, type Invoiceable, type InvoiceMerchant } from './invoice-body.js';
import { InvoiceError } from './errors.js';

/** Where a request is: waiting (first try or a retry), being sent, received by the endpoint, or refused by it for good. */
export type InvoiceState = 'pending' | 'delivering' | 'delivered' | 'failed-permanent';

/** One invoice request as stored. */
export interface InvoiceRequest {
  readonly id: string;
  readonly paymentId: string;
  /** Sent as the `Idempotency-Key` header on every attempt. */
  readonly idempotencyKey: string;
  readonly buyer: Buyer;
  readonly state: InvoiceState;
  readonly attempts: number;
  /** When the next attempt is due (pending), ms. */
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  /** What the endpoint answered as the invoice's number, when it did. */
  readonly invoiceNumber: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

interface Row {
  id: string;
  payment_id: string;
  idempotency_key: string;
  buyer_name: string;
  buyer_tax_id: string | null;
  buyer_email: string | null;
  body: string;
  state: InvoiceState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  invoice_number: string | null;
  created_at: number;
  delivered_at: number | null;
}

function toRequest(r: Row): InvoiceRequest {
  return {
    id: r.id,
    paymentId: r.payment_id,
    idempotencyKey: r.idempotency_key,
    buyer: { name: r.buyer_name, ...(r.buyer_tax_id !== null ? { taxId: r.buyer_tax_id } : {}), ...(r.buyer_email !== null ? { email: r.buyer_email } : {}) },
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    invoiceNumber: r.invoice_number,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

/** A request due for sending: the request and the body to send. */
export interface DueRequest {
  readonly request: InvoiceRequest;
  readonly body: string;
}

/** The invoice requests of the journal. */
export class InvoiceStore {
  /** Binds to the journal, its payments and the shop the bodies name. */
  constructor(
    private readonly db: Db,
    private readonly payments: PaymentStore,
    private readonly merchant: InvoiceMerchant,
  ) {}

  /**
   * What of the payment can be invoiced: an approved, completed sale, or a captured pre-authorisation (its captured
   * amount). INVOICE_NOT_INVOICEABLE for anything else (declined, cancelled, reversed, a refund, an uncaptured
   * pre-authorisation); PAYMENT_NOT_FOUND when there is no such payment.
   */
  invoiceable(paymentId: string): Invoiceable {
    const p = this.payments.get(paymentId);
    if (p.state === 'completed' && p.result === 'approved') {
      if (p.type === 'sale') return { payment: p, kind: 'sale', amount: p.amount, at: p.updatedAt };
      if (p.type === 'preauth') {
        const capture = this.payments.events(p.id).filter((e) => /^captured \d+$/.test(e.detail ?? '')).at(-1);
        if (capture) return { payment: p, kind: 'capture', amount: Number((capture.detail ?? '').slice('captured '.length)), at: capture.at };
        throw new InvoiceError('INVOICE_NOT_INVOICEABLE', 'this pre-authorisation is not captured yet: capture it first', { paymentId, type: p.type, state: p.state });
      }
    }
    throw new InvoiceError('INVOICE_NOT_INVOICEABLE', `only an approved, completed sale or a captured pre-authorisation can be invoiced; this ${p.type} is ${p.state}${p.result ? ` (${p.result})` : ''}`, { paymentId, type: p.type, state: p.state });
  }

  /**
   * Records a request (committed when this returns), or returns the payment's live one (`created: false`): a second
   * call for a payment whose request is pending, being sent or delivered is answered with that one, whatever its buyer.
   */
  request(paymentId: string, buyer: Buyer, now: number): { request: InvoiceRequest; created: boolean } {
    return this.db.transaction(() => {
      const live = this.live(paymentId);
      if (live) return { request: live, created: false };
      const what = this.invoiceable(paymentId);
      const ids = { requestId: randomUUID(), idempotencyKey: randomUUID() };
      const body = JSON.stringify(invoiceBody(ids, what, this.merchant, buyer, now));
      this.db
        .prepare(`INSERT INTO invoice_requests (id, payment_id, idempotency_key, buyer_name, buyer_tax_id, buyer_email, body, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`)
        .run(ids.requestId, paymentId, ids.idempotencyKey, buyer.name, buyer.taxId ?? null, buyer.email ?? null, body, now, now);
      return { request: this.get(ids.requestId), created: true };
    }).immediate();
  }

  /** One request by id; INVOICE_NOT_FOUND when there is none. */
  get(id: string): InvoiceRequest {
    const row = this.db.prepare(`SELECT * FROM invoice_requests WHERE id = ?`).get(id) as Row | undefined;
    if (!row) throw new InvoiceError('INVOICE_NOT_FOUND', `no invoice request ${id}`, { requestId: id });
    return toRequest(row);
  }

  /** The payment's request that is not failed-permanent, or null. */
  live(paymentId: string): InvoiceRequest | null {
    const row = this.db.prepare(`SELECT * FROM invoice_requests WHERE payment_id = ? AND state <> 'failed-permanent'`).get(paymentId) as Row | undefined;
    return row ? toRequest(row) : null;
  }

  /** Every request of a payment, newest first (a live one, then the permanently failed ones); PAYMENT_NOT_FOUND when no such payment. */
  forPayment(paymentId: string): InvoiceRequest[] {
    this.payments.get(paymentId);
    return (this.db.prepare(`SELECT * FROM invoice_requests WHERE payment_id = ? ORDER BY created_at DESC, rowid DESC`).all(paymentId) as Row[]).map(toRequest);
  }

  /** Requests created in [from, to), optionally in one state, oldest first. */
  list(from: number, to: number, state?: InvoiceState): InvoiceRequest[] {
    const rows = state
      ? this.db.prepare(`SELECT * FROM invoice_requests WHERE created_at >= ? AND created_at < ? AND state = ? ORDER BY created_at, rowid`).all(from, to, state)
      : this.db.prepare(`SELECT * FROM invoice_requests WHERE created_at >= ? AND created_at < ? ORDER BY created_at, rowid`).all(from, to);
    return (rows as Row[]).map(toRequest);
  }

  /** The oldest pending request due at `now`, with its body; null when none is. */
  nextDue(now: number): DueRequest | null {
    const row = this.db.prepare(`SELECT * FROM invoice_requests WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at, rowid LIMIT 1`).get(now) as Row | undefined;
    return row ? { request: toRequest(row), body: row.body } : null;
  }

  /** When the next pending request falls due, ms; null when none is pending. */
  nextDueAt(): number | null {
    const row = this.db.prepare(`SELECT MIN(next_attempt_at) AS at FROM invoice_requests WHERE state = 'pending'`).get() as { at: number | null };
    return row.at;
  }

  /** Marks a request as being sent (one attempt more), committed before the bytes leave. */
  begin(id: string): void {
    this.db.prepare(`UPDATE invoice_requests SET state = 'delivering', attempts = attempts + 1 WHERE id = ? AND state = 'pending'`).run(id);
  }

  /** The endpoint took it. */
  delivered(id: string, now: number, invoiceNumber: string | null): InvoiceRequest {
    this.db.prepare(`UPDATE invoice_requests SET state = 'delivered', delivered_at = ?, invoice_number = ?, last_error = NULL WHERE id = ?`).run(now, invoiceNumber, id);
    return this.get(id);
  }

  /** Not this time: pending again, due at `at`, with why. */
  retryAt(id: string, at: number, error: string): InvoiceRequest {
    this.db.prepare(`UPDATE invoice_requests SET state = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?`).run(at, error, id);
    return this.get(id);
  }

  /** The endpoint refused it for good (a 4xx other than 408 and 429): kept with the reason, never sent again. */
  failed(id: string, error: string): InvoiceRequest {
    this.db.prepare(`UPDATE invoice_requests SET state = 'failed-permanent', last_error = ? WHERE id = ?`).run(error, id);
    return this.get(id);
  }

  /** After a restart: requests left being sent are pending again, due now (resent with the same key); returns how many. */
  recover(now: number): number {
    return this.db.prepare(`UPDATE invoice_requests SET state = 'pending', next_attempt_at = ? WHERE state = 'delivering'`).run(now).changes;
  }
}
