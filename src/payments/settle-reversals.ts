import type { HostQueue } from '../journal/host-queue.js';
import type { Payment, PaymentStore } from './payment-store.js';

/** Moves reversal-pending payments whose reversals the host acknowledged (queue items done) to reversed. */
export function settleReversals(store: PaymentStore, queue: HostQueue, pending: readonly Payment[], now: number): string[] {
  const moved: string[] = [];
  for (const p of pending) {
    if (p.state !== 'reversal-pending') continue;
    const items = queue.list().filter((i) => i.ref === p.id && i.kind === 'reversal');
    // Done: the host took the reversal. No item, or only a disarmed one: the request never left or the host declined
    // it (the reversal is armed before the request is sent), so there is nothing to undo.
    const settled = items.every((i) => i.status === 'done' || i.status === 'disarmed');
    if (settled) {
      const reason = items.some((i) => i.status === 'done') ? 'reversal acknowledged by the host' : 'nothing to reverse: the host never approved it';
      // Nothing was charged: a payment without a verdict yet ends failed (a card decline keeps its 'declined').
      store.move(p.id, 'reversed', now, { reason, ...(p.result ? {} : { result: 'failed' }) });
      moved.push(p.id);
    }
  }
  return moved;
}
