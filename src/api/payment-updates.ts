import type { Payment, PaymentChange, PaymentStore } from '../payments/payment-store.js';
import type { NotificationParams } from './contract/notifications.js';
import { paymentView } from './payment-methods.js';

/** What `payment.updated` carries: the payment as after the change, what changed, and the event's words. */
export function paymentUpdateView(c: PaymentChange): NotificationParams<'payment.updated'> {
  return {
    ...paymentView(c.payment),
    change: c.kind,
    from: c.from,
    detail: c.detail,
    ...(c.capturedAmount !== undefined ? { capturedAmount: c.capturedAmount } : {}),
  };
}

/**
 * Tells every change of a payment after its end as `payment.updated`: whatever moved it (the store-and-forward
 * worker's reversal, a supervisor's void, a capture, a note for a person). Until the lane has reported the payment's
 * end (`payment.completed`, `reporting` true) its changes are part of that report and are not told twice.
 * Returns the function that stops it.
 */
export function notifyPaymentUpdates(store: PaymentStore, reporting: (p: Payment) => boolean, notify: (method: string, params: Record<string, unknown>) => void): () => void {
  return store.onChange((c) => {
    if (!reporting(c.payment)) notify('payment.updated', paymentUpdateView(c));
  });
}
