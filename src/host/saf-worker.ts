import type { Logger } from '../log/logger.js';
import type { HostQueue, QueueItem } from '../journal/host-queue.js';
import { HostError } from './errors.js';
import { unpack, type Iso8583Message, type Iso8583Spec } from './iso8583/index.js';
import type { RequestMatcher } from './matcher.js';
import { repeatMti, RETRY_CODES, REVERSAL_DONE_CODES } from './messages.js';

/** Retry rules of the store-and-forward queue (config, not code). */
export interface SafPolicy {
  readonly responseTimeoutMs: number;
  /** Backoff between attempts: first delay and cap, ms. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** After this many attempts the item is flagged for manual handling. */
  readonly maxAttempts: number;
}

/** What one step of the worker did. */
export type SafStep = 'idle' | 'done' | 'retry' | 'manual';

/** How a queued item ended: delivered (`done`), or flagged for a person (`manual`, with why). */
export interface SafItemEnd {
  readonly item: QueueItem;
  readonly outcome: 'done' | 'manual';
  readonly why: string | null;
}

/**
 * Sends queued reversals and advices to the host, oldest first, one in flight (store and forward). The first try
 * goes as queued (0400/0220); repeats as 0421/0221. A definitive answer ends the item; a timeout, a lost line or a
 * host "retry" code (91, 96, 19) keeps it at the head with backoff; expiry or the attempt limit flags it for a
 * person. Nothing is ever dropped.
 */
export class SafWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly enders = new Set<(e: SafItemEnd) => void>();

  /** Binds the worker to the queue, the matcher and the clock. */
  constructor(
    private readonly queue: HostQueue,
    private readonly matcher: RequestMatcher,
    private readonly spec: Iso8583Spec,
    private readonly policy: SafPolicy,
    private readonly clock: () => number,
    private readonly logger?: Logger,
  ) {}

  /**
   * Calls `fn` each time an item ends — acknowledged by the host, or flagged manual — right after that is committed
   * to the queue (the payment's reversal-pending → reversed is driven by it). Returns the unsubscribe function.
   */
  onItemEnd(fn: (e: SafItemEnd) => void): () => void {
    this.enders.add(fn);
    return () => this.enders.delete(fn);
  }

  /** Tells the listeners; a listener's failure is logged: the item's end is committed and stays so. */
  private ended(item: QueueItem, outcome: SafItemEnd['outcome'], why: string | null): void {
    for (const fn of this.enders) {
      try {
        fn({ item, outcome, why });
      } catch (err) {
        this.logger?.error('store-and-forward item listener failed', { id: item.id, kind: item.kind, ref: item.ref, err });
      }
    }
  }

  /** Processes the head of the queue once. */
  async step(): Promise<SafStep> {
    const now = this.clock();
    const item = this.queue.nextDue(now);
    if (!item) return 'idle';
    if (now > item.expiresAt) {
      const why = `expired after ${item.attempts} attempt(s)${item.lastError ? `; last: ${item.lastError}` : ''}`;
      this.queue.markManual(item.id, why);
      this.logger?.error('queued host message expired: manual handling needed', { id: item.id, kind: item.kind, ref: item.ref });
      this.ended(item, 'manual', why);
      return 'manual';
    }
    let message: Iso8583Message;
    try {
      message = this.messageFor(item);
    } catch (err) {
      // A payload the current spec cannot read (the acquirer spec changed): a person must look, the queue goes on.
      const why = `cannot read the queued message: ${err instanceof Error ? err.message : String(err)}`;
      this.queue.markManual(item.id, why);
      this.ended(item, 'manual', why);
      return 'manual';
    }
    this.queue.markInFlight(item.id);
    try {
      const response = await this.matcher.request(message, this.policy.responseTimeoutMs);
      const code = response.text(39) ?? '';
      if (RETRY_CODES.has(code)) return this.retry(item, `host asked to retry (${code})`);
      const accepted = item.kind === 'reversal' ? REVERSAL_DONE_CODES.has(code) : code === '00';
      if (!accepted) {
        // A refusal (format error, invalid transaction…) is not a delivery: a person must look at it.
        const why = `host refused the ${item.kind} with ${code || 'no response code'}`;
        this.queue.markManual(item.id, why);
        this.logger?.error('queued host message refused: manual handling needed', { id: item.id, kind: item.kind, ref: item.ref, code });
        this.ended(item, 'manual', why);
        return 'manual';
      }
      this.queue.markDone(item.id, this.clock());
      this.logger?.info('queued host message acknowledged', { id: item.id, kind: item.kind, ref: item.ref, code });
      this.ended(item, 'done', null);
      return 'done';
    } catch (err) {
      return this.retry(item, err instanceof HostError ? err.code : String(err));
    }
  }

  /** Runs steps until the queue is idle or only waiting items remain. */
  async drain(): Promise<void> {
    while (!this.stopped) {
      const s = await this.step();
      if (s === 'idle') return;
    }
  }

  /** Starts polling every `intervalMs` (and at once). */
  start(intervalMs = 1000): void {
    this.stopped = false;
    const tick = (): void => {
      this.kick();
      if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
    };
    tick();
  }

  /** Runs a drain now (after something was queued). */
  kick(): void {
    this.running ??= this.drain()
      .catch((err: unknown) => {
        this.logger?.error('store-and-forward step failed', { err });
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Stops polling and waits for the step in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private messageFor(item: QueueItem): Iso8583Message {
    const m = unpack(this.spec, item.message);
    return item.attempts > 0 ? m.withMti(repeatMti(m.mti)) : m;
  }

  private retry(item: QueueItem, why: string): SafStep {
    if (item.attempts + 1 >= this.policy.maxAttempts) {
      const reason = `gave up after ${item.attempts + 1} attempts: ${why}`;
      this.queue.markManual(item.id, reason);
      this.logger?.error('queued host message over its retry limit: manual handling needed', { id: item.id, kind: item.kind, ref: item.ref, why });
      this.ended(item, 'manual', reason);
      return 'manual';
    }
    const delay = Math.min(this.policy.maxBackoffMs, this.policy.initialBackoffMs * 2 ** item.attempts);
    this.queue.markRetry(item.id, this.clock() + delay, why);
    return 'retry';
  }
}
