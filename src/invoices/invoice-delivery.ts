// The delivery worker of invoice requests: sends the due ones one at a time, oldest first, each attempt committed
// as `delivering` before it leaves; woken by a new request or by a timer set for the next due retry (no polling).
// At least once on the wire; the Idempotency-Key makes it once at the receiver.
import type { Logger } from '../log/logger.js';
import type { SendAttempt } from './invoice-sender.js';
import type { DueRequest, InvoiceRequest, InvoiceStore } from './invoice-store.js';

/** The retry delays: the first, doubled after each failed attempt up to the cap, ms. */
export interface RetryPolicy {
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
}

/** How a request ended: taken by the endpoint, or refused by it for good. */
export interface InvoiceEnd {
  readonly request: InvoiceRequest;
  readonly outcome: 'delivered' | 'failed-permanent';
}

/** The delay before attempt n+1 after n failed ones: first × 2^(n−1), at most the cap. */
export function retryDelay(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxRetryMs, policy.firstRetryMs * 2 ** Math.min(Math.max(0, attempts - 1), 30));
}

/** Sends the journal's pending invoice requests to the endpoint. */
export class InvoiceDelivery {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** The journal failed under the worker: it stops sending until the next start (no busy loop of failures). */
  private broken = false;
  private readonly stopping = new AbortController();
  private readonly enders = new Set<(e: InvoiceEnd) => void>();

  /** Binds the worker to the store, the sender, the retry delays and the clock. */
  constructor(
    private readonly store: InvoiceStore,
    private readonly send: SendAttempt,
    private readonly policy: RetryPolicy,
    private readonly clock: () => number,
    private readonly logger?: Logger,
  ) {}

  /** Calls `fn` when a request ends (after the commit); returns the unsubscribe function. */
  onEnd(fn: (e: InvoiceEnd) => void): () => void {
    this.enders.add(fn);
    return () => this.enders.delete(fn);
  }

  /** Puts requests left in flight by a stop or crash back to pending (same key) and starts sending; returns how many. */
  start(): number {
    const recovered = this.store.recover(this.clock());
    this.wake();
    return recovered;
  }

  /** Looks for due requests now (a new one was recorded, or a retry's time came). */
  wake(): void {
    if (this.stopped || this.broken) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.wake();
      } else this.arm();
    });
  }

  /**
   * Stops: an attempt in flight is abandoned (pending again, due at once: sent again with its key at the next start);
   * a request is left `delivering` only when the process dies, and is recovered on start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Sets the one timer for the next due retry. */
  private arm(): void {
    if (this.stopped || this.broken) return;
    let at: number | null;
    try {
      at = this.store.nextDueAt();
    } catch (err) {
      this.broken = true;
      this.logger?.error('invoice delivery cannot read the journal: it stops until the daemon starts again', { err });
      return;
    }
    if (at === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, Math.max(0, at - this.clock()));
  }

  private async drain(): Promise<void> {
    while (!this.stopped && !this.broken) {
      let due: DueRequest | null;
      try {
        due = this.store.nextDue(this.clock());
      } catch (err) {
        this.broken = true;
        this.logger?.error('invoice delivery cannot read the journal: it stops until the daemon starts again', { err });
        return;
      }
      if (!due) return;
      try {
        await this.attempt(due.request, due.body);
      } catch (err) {
        // The journal failed under us: logged, and delivery stops until the next start, which recovers the request.
        this.broken = true;
        this.logger?.error('invoice delivery failed to update the journal: it stops until the daemon starts again', { requestId: due.request.id, err });
        return;
      }
    }
  }

  private async attempt(r: InvoiceRequest, body: string): Promise<void> {
    this.store.begin(r.id);
    const out = await this.send(r.idempotencyKey, body, this.stopping.signal);
    const now = this.clock();
    if (out.kind === 'delivered') {
      this.ended({ request: this.store.delivered(r.id, now, out.invoiceNumber), outcome: 'delivered' });
      this.logger?.info('invoice request delivered', { requestId: r.id, paymentId: r.paymentId, attempts: r.attempts + 1 });
    } else if (out.kind === 'permanent') {
      this.ended({ request: this.store.failed(r.id, out.error), outcome: 'failed-permanent' });
      this.logger?.error('invoice request refused by the endpoint', { requestId: r.id, paymentId: r.paymentId, error: out.error });
    } else {
      const delay = out.retryAfterMs ?? retryDelay(this.policy, r.attempts + 1);
      this.store.retryAt(r.id, now + delay, out.error);
      this.logger?.warn('invoice request not delivered: will retry', { requestId: r.id, paymentId: r.paymentId, attempts: r.attempts + 1, inMs: delay, error: out.error });
    }
  }

  /** Tells the listeners; a listener's failure is logged (the end is committed and stays so). */
  private ended(e: InvoiceEnd): void {
    for (const fn of this.enders) {
      try {
        fn(e);
      } catch (err) {
        this.logger?.error('invoice end listener failed', { requestId: e.request.id, err });
      }
    }
  }
}
