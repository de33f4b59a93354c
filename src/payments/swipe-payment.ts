// Swiped cards in a payment: whether a swipe may pay (stripe-rules), and the online authorisation of one that may —
// no kernel, no field 55; the host's answer is final. Each state is committed before the next side effect, as in
// the chip flow (payment-flow.ts).
import { ReaderError } from '../drivers/pcsc/errors.js';
import type { SwipeResult } from '../drivers/hid/types.js';
import { EmvError } from '../emv/errors.js';
import { onlinePinBlockOf } from '../emv/pin-result.js';
import type { OnlinePinBlock, PinEntry } from '../emv/types.js';
import type { Authorization } from './authorization.js';
import { PaymentError } from './errors.js';
import type { Payment, PaymentStore } from './payment-store.js';
import { decideSwipe, magstripeAuthFields, swipeFacts, type MagstripeAuthFields, type SwipeAccepted } from './stripe-rules.js';

/** What a swiped payment needs of its lane. */
export interface SwipeParts {
  readonly store: PaymentStore;
  readonly pin: PinEntry;
  readonly clock: () => number;
}

/** Chip failures after which a swipe is allowed as technical fallback (the chip could not be read, not a refusal). */
const FALLBACK_CODES: ReadonlySet<string> = new Set(['EMV_NO_APPLICATION', 'EMV_READER_FAILED', 'EMV_CARD_DATA_INVALID']);

/** A chip that could not be read (technical failure): no answer to reset, no supported application, unreadable data. */
export function isChipFailure(err: unknown): err is { readonly code: string } {
  if (err instanceof EmvError) return FALLBACK_CODES.has(err.code);
  return err instanceof ReaderError && err.code === 'CARD_UNRESPONSIVE';
}

/**
 * A swipe during the wait: refused (the flow keeps waiting, false) or paid online (true). `fallback` is set after
 * the chip failed in this payment: only the same card may then be swiped (its PAN, when the chip gave it).
 */
export async function swipedPayment(o: SwipeParts, auth: Authorization | null, payment: Payment, swipe: SwipeResult, fallback: { readonly pan: string | null } | null, signal: AbortSignal, progress: (step: string, message?: string) => void): Promise<boolean> {
  if (!swipe.ok || !swipe.track2) {
    progress('swipe-again');
    return false;
  }
  const t = new Date(o.clock());
  const d = decideSwipe(swipeFacts(swipe.card, { chipFailedThisPayment: fallback !== null, chipReaderPresent: true, today: { year: t.getFullYear(), month: t.getMonth() + 1 } }));
  if (d.kind === 'refuse') {
    progress(d.code, d.message);
    return false;
  }
  const fields = magstripeAuthFields(d, swipe.track2);
  if (d.entry === 'fallback' && fallback?.pan && fallback.pan !== fields.pan) {
    progress('STRIPE_NOT_FALLBACK_CARD', 'Swipe the card whose chip failed');
    return false;
  }
  await authorizeSwipe(o, auth, payment, fields, d, signal, progress);
  return true;
}

/**
 * An accepted swipe goes online (no kernel, no field 55); the host's answer is final. A service code asking for a
 * PIN gets an online PIN from the lane's PIN pad first (none given: the payment is cancelled).
 */
async function authorizeSwipe(o: SwipeParts, auth: Authorization | null, payment: Payment, fields: MagstripeAuthFields, decision: SwipeAccepted, signal: AbortSignal, progress: (step: string) => void): Promise<void> {
  const { store } = o;
  if (!auth) throw new PaymentError('PAYMENT_INVALID', 'a swiped card is authorised online only, and this lane has no host link');
  const entryMode = decision.entry === 'fallback' ? 'fallback' : 'swiped';
  store.move(payment.id, 'card-read', o.clock());
  let pin: OnlinePinBlock | null = null;
  if (decision.pinRequired) {
    // The cancel key or nobody at the pad ends the payment (EMV_CANCELLED), as in the chip flow.
    pin = onlinePinBlockOf(await o.pin.onlinePin({ amount: payment.amount, currency: `0${payment.currency}`, pan: fields.pan, signal, swiped: true }));
    // The pad answered no PIN without a cancel (a bypass, or a reader keypad that cannot make online PIN blocks).
    if (!pin) throw new PaymentError('PAYMENT_INVALID', "this swiped card needs an online PIN, which the lane's PIN pad did not give: insert the card, or use a lane with a PIN pad for online PIN");
  }
  // Committed before the request leaves: a crash from here on is resolved by a reversal.
  store.move(payment.id, 'authorizing', o.clock(), { pan: fields.pan, entryMode });
  progress('authorizing');
  const answer = await auth.send({ entry: entryMode, fields, pin });
  const now = o.clock();
  const details = { responseCode: answer.responseCode ?? '', ...(answer.authCode ? { authCode: answer.authCode } : {}), cvm: pin ? 'online-pin' : 'signature' };
  if (answer.reversalId !== null) {
    if (signal.aborted) {
      store.atomically(() => {
        auth.reverse('cancelled after host approval');
        store.move(payment.id, 'reversal-pending', now, { ...details, result: 'cancelled', reason: 'cancelled after host approval' });
      });
      return;
    }
    store.atomically(() => {
      auth.complete();
      store.move(payment.id, 'completed', now, { ...details, result: 'approved' });
    });
    return;
  }
  if (answer.reversalQueued) {
    store.move(payment.id, 'reversal-pending', now, { reason: `host did not answer (${answer.error ?? 'unknown'})` });
    return;
  }
  if (answer.outcome === 'unable') {
    // The request never left (host unreachable): nothing to undo, and not the card's refusal.
    store.move(payment.id, 'failed', now, { result: 'failed', reason: `host unreachable (${answer.error ?? 'unknown'}): try again` });
    return;
  }
  store.move(payment.id, 'declined', now, { ...details, result: 'declined' });
}
