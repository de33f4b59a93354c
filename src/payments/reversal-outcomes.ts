import type { SafWorker } from '../host/saf-worker.js';
import type { HostQueue } from '../journal/host-queue.js';
import type { Logger } from '../log/logger.js';
import { PaymentError } from './errors.js';
import type { Payment, PaymentStore } from './payment-store.js';

/** Moves reversal-pending payments whose reversals the host acknowledged (queue items done) to reversed. */
export function settleReversals(store: PaymentStore, queue: HostQueue, pending: readonly Payment[], now: number): string[] {
  const moved: string[] = [];
  for (const p of pending) {
    if (p.state !== 'reversal-pending') continue;
    const statuses = queue.statusesOf(p.id, 'reversal');
    // Done: the host took the reversal. No item, or only a disarmed one: the request never left or the host declined
    // it (the reversal is armed before the request is sent), so there is nothing to undo.
    const settled = statuses.every((s) => s === 'done' || s === 'disarmed');
    if (settled) {
      const reason = statuses.includes('done') ? 'reversal acknowledged by the host' : 'nothing to reverse: the host never approved it';
      // Nothing was charged: a payment without a verdict yet ends failed (a card decline keeps its 'declined').
      store.move(p.id, 'reversed', now, { reason, ...(p.result ? {} : { result: 'failed' }) });
      moved.push(p.id);
    }
  }
  return moved;
}

/** What `followReversals` needs. */
export interface ReversalFollowing {
  readonly store: PaymentStore;
  readonly queue: HostQueue;
  readonly worker: SafWorker;
  readonly clock: () => number;
  readonly logger?: Logger;
}

/**
 * Keeps reversal-pending payments in step with their reversals without polling: when the store-and-forward worker
 * ends a reversal (acknowledged → the payment goes `reversed`; flagged manual → a `reversal-manual` note, the payment
 * stays `reversal-pending` for a person), and whenever a payment becomes reversal-pending (its reversal may be over
 * already, or never needed). At once, settles what a previous run left. Returns the function that stops following.
 */
export function followReversals(o: ReversalFollowing): () => void {
  const { store, queue, clock } = o;
  // Read afresh: the change that triggered this may be older than the payment's state now.
  const settle = (p: Payment): void => {
    settleReversals(store, queue, [store.get(p.id)], clock());
  };
  // A restart: reversals delivered (or found needless) before the payment could move, in the run that crashed.
  for (const p of store.inState('reversal-pending')) settle(p);
  const offItem = o.worker.onItemEnd(({ item, outcome, why }) => {
    if (item.kind !== 'reversal') return;
    const p = paymentOf(store, item.ref);
    if (!p || p.state !== 'reversal-pending') return;
    if (outcome === 'done') settle(p);
    else store.note(p.id, clock(), `reversal needs manual handling: ${why ?? 'flagged'}`, { kind: 'reversal-manual' });
  });
  const offChange = store.onChange((c) => {
    if (c.kind === 'state' && c.payment.state === 'reversal-pending') settle(c.payment);
  });
  return () => {
    offItem();
    offChange();
  };
}

/** The payment a queue item refers to, or null (items of host-only tests and tools refer to no payment). */
function paymentOf(store: PaymentStore, ref: string): Payment | null {
  try {
    return store.get(ref);
  } catch (err) {
    if (err instanceof PaymentError && err.code === 'PAYMENT_NOT_FOUND') return null;
    throw err;
  }
}
