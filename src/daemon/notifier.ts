// What the daemon tells API clients: one notifier the parts talk to before the API server exists (it is bound once
// the server is up), the reader events as card.* and device.changed notifications, and the payment.completed message.
import { paymentView } from '../api/payment-methods.js';
import type { DaemonConfig } from './config.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { Payment } from '../payments/payment-store.js';
import { textReceipt } from '../receipts/text-receipt.js';
import { schemeOfPayment } from '../emv/scheme.js';


/** Where notifications go: the API server's notify. */
export type NotifySink = (method: string, params: Record<string, unknown>) => void;

/** Notifications of the daemon's parts, delivered once a sink is bound (dropped before: no client can listen yet). */
export class Notifier {
  private sink: NotifySink | null = null;
  private readonly taps = new Set<NotifySink>();

  /** Sends from now on to `sink` (the API server). */
  bind(sink: NotifySink): void {
    this.sink = sink;
  }

  /** Also gives every notification to `fn` (in-process listeners: the demo's auto card); returns the removal. */
  tap(fn: NotifySink): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  /** Sends one notification to the connected clients (and the taps). */
  notify(method: string, params: Record<string, unknown>): void {
    for (const fn of this.taps) fn(method, params);
    this.sink?.(method, params);
  }
}

/** Forwards the driver's reader events as card.inserted/card.removed and device.changed; returns the unsubscribe. */
export function forwardReaderEvents(driver: ReaderDriver, lanes: DaemonConfig['lanes'], notifier: Notifier): () => void {
  return driver.subscribe((e) => {
    const lane = 'reader' in e ? (lanes.find((l) => l.reader === e.reader || l.contactless === e.reader)?.name ?? null) : null;
    if (e.type === 'card-inserted') notifier.notify('card.inserted', { lane });
    else if (e.type === 'card-removed') notifier.notify('card.removed', { lane });
    else notifier.notify('device.changed', { event: e.type, lane });
  });
}

/** The params of payment.completed: the payment's view, its scheme and the customer receipt (as wide as the lane's paper) of a decided payment. */
export function completedParams(p: Payment, merchant: DaemonConfig['merchant'], width = 42): Record<string, unknown> {
  return {
    ...paymentView(p),
    scheme: schemeOfPayment(p),
    receipt: p.state === 'completed' || p.state === 'declined' ? textReceipt(p, merchant, 'customer', width).join('\n') : null,
  };
}
