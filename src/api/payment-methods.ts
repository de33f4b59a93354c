import type { Static } from '@sinclair/typebox';
import { currencyAlpha, currencyNumeric } from '../util/currency.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { PaymentFlow } from '../payments/payment-flow.js';
import type { Payment, PaymentStore } from '../payments/payment-store.js';
import { ApiError } from './errors.js';
import type { Merchant } from '../receipts/receipt-document.js';
import { receiptViews } from '../receipts/receipt-views.js';
import type { MethodSpec } from './rpc.js';
import type { ReceiptPrinting } from '../receipts/receipt-printing.js';
import { defineMethod } from './contract/define.js';
import type { Payment as PaymentShape } from './contract/shapes.js';

/** A payment as the API shows it (the contract's Payment shape). */
export type PaymentView = Static<typeof PaymentShape>;

/** A payment as the API shows it: no PAN beyond the masked one, no card data. */
export function paymentView(p: Payment): PaymentView {
  return {
    paymentId: p.id,
    reference: p.reference,
    lane: p.lane,
    type: p.type,
    amount: p.amount,
    currency: currencyAlpha(p.currency),
    state: p.state,
    // The store writes only these four (or null) as a result.
    result: p.result as PaymentView['result'],
    maskedPan: p.maskedPan,
    aid: p.aid,
    cvm: p.cvm,
    entryMode: p.entryMode,
    authCode: p.authCode,
    responseCode: p.responseCode,
    reason: p.reason,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

/** What the payment methods need. */
export interface PaymentMethodDeps {
  readonly merchant: Merchant;
  readonly store: PaymentStore;
  readonly lanes: ReadonlyMap<string, { readonly flow: PaymentFlow; readonly reader: string }>;
  readonly driver: ReaderDriver;
  /** Refunds above this (minor units) need a supervisor. */
  readonly refundLimitForCashier: number;
  /** The receipt printer of a lane, when it has one. */
  readonly printingFor?: (lane: string) => ReceiptPrinting | undefined;
  readonly clock?: () => number;
}

/** payment.start, payment.status, payment.cancel, payment.list, receipt.get, receipt.print. */
export function paymentMethods(d: PaymentMethodDeps): Map<string, MethodSpec> {
  const laneOf = (name: string) => {
    const lane = d.lanes.get(name);
    if (!lane) throw new ApiError('NOT_FOUND', `no lane "${name}"; lanes: ${[...d.lanes.keys()].join(', ')}`, { param: 'lane' });
    return lane;
  };
  const withReceipt = (p: Payment) => {
    if (p.state !== 'completed' && p.state !== 'declined' && p.state !== 'reversed') throw new ApiError('NOT_FOUND', `no receipt for a payment that is ${p.state}`);
    return p;
  };
  return new Map<string, MethodSpec>([
    defineMethod('payment.start', ({ lane: name, type, amount, currency: alpha, reference }, session) => {
      const lane = laneOf(name);
      // The schema admits only the API's currencies, each with its numeric code (a test keeps both lists equal).
      const currency = currencyNumeric(alpha);
      if (!currency) throw new ApiError('INVALID_PARAMS', `currency ${alpha} has no ISO 4217 numeric code here`, { param: 'currency' });
      if (type === 'refund' && amount > d.refundLimitForCashier && session.client?.role === 'cashier') {
        throw new ApiError('FORBIDDEN', `refunds above ${d.refundLimitForCashier} need a supervisor token`);
      }
      const r = lane.flow.start({ type, amount, currency, reference, cashier: session.client?.name ?? null });
      return { paymentId: r.payment.id, created: r.created, state: r.payment.state };
    }),
    defineMethod('payment.status', ({ paymentId, reference }) => {
      if (!paymentId && !reference) throw new ApiError('INVALID_PARAMS', 'give paymentId or reference', { param: 'paymentId' });
      const p = paymentId ? d.store.get(paymentId) : d.store.byReference(reference ?? '');
      if (!p) throw new ApiError('NOT_FOUND', `no payment with reference ${reference ?? ''}`);
      return paymentView(p);
    }),
    defineMethod('payment.cancel', ({ paymentId }) => {
      const p = d.store.get(paymentId);
      const lane = d.lanes.get(p.lane);
      if (!lane) throw new ApiError('NOT_FOUND', `lane ${p.lane} is gone`);
      lane.flow.cancel(paymentId);
      return { paymentId, cancelling: true };
    }),
    defineMethod('payment.list', (params) => {
      const time = (name: 'from' | 'to', dflt: string): number => {
        const t = Date.parse(params[name] ?? dflt);
        if (Number.isNaN(t)) throw new ApiError('INVALID_PARAMS', `${name} must be an ISO 8601 time`, { param: name });
        return t;
      };
      return { payments: d.store.list(time('from', '1970-01-01T00:00:00Z'), time('to', '9999-12-31T00:00:00Z')).map(paymentView) };
    }),
    defineMethod('receipt.get', ({ paymentId, copy = 'customer' }) => {
      const p = withReceipt(d.store.get(paymentId));
      // One receiptline document for the text and the SVG, laid out for the lane's printer when it has one.
      const r = receiptViews(p, d.merchant, copy, d.printingFor?.(p.lane)?.layout);
      return { paymentId: p.id, copy, text: r.text, svg: r.svg };
    }),
    defineMethod('receipt.print', ({ paymentId, copy = 'customer', reprint = false }) => {
      const p = withReceipt(d.store.get(paymentId));
      const printing = d.printingFor?.(p.lane);
      if (!printing) throw new ApiError('DEVICE_UNAVAILABLE', `lane ${p.lane} has no receipt printer ("printers" and the lane's "printer" in the daemon config)`, { device: 'printer', lane: p.lane });
      return printing.request(p, copy, reprint, (d.clock ?? Date.now)());
    }),
  ]);
}
