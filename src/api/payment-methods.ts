import { currencyAlpha, currencyNumeric, CURRENCY_CODES } from '../util/currency.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { PaymentError } from '../payments/errors.js';
import type { PaymentFlow } from '../payments/payment-flow.js';
import type { Payment, PaymentStore } from '../payments/payment-store.js';
import { ApiError } from './errors.js';
import type { Merchant } from '../receipts/receipt-document.js';
import { receiptViews } from '../receipts/receipt-views.js';
import { stringParam, type MethodSpec } from './rpc.js';
import { PrinterError } from '../drivers/printer/errors.js';
import { ReceiptError, type ReceiptPrinting } from '../receipts/receipt-printing.js';

/** A payment as the API shows it: no PAN beyond the masked one, no card data. */
export function paymentView(p: Payment): Record<string, unknown> {
  return {
    paymentId: p.id,
    reference: p.reference,
    lane: p.lane,
    type: p.type,
    amount: p.amount,
    currency: currencyAlpha(p.currency),
    state: p.state,
    result: p.result,
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

/** Payment errors as API errors (the one error table). */
export function apiErrorOf(err: unknown): unknown {
  if (err instanceof PrinterError) return new ApiError('DEVICE_UNAVAILABLE', err.message, { device: 'printer', deviceCode: err.code, ...err.details });
  if (err instanceof ReceiptError) return new ApiError('ALREADY_PRINTED', err.message, err.details);
  if (!(err instanceof PaymentError)) return err;
  switch (err.code) {
    case 'PAYMENT_LANE_BUSY':
      return new ApiError('BUSY', err.message, { paymentId: err.details.paymentId });
    case 'PAYMENT_NOT_FOUND':
      return new ApiError('NOT_FOUND', err.message);
    default:
      return new ApiError('INVALID_PARAMS', err.message);
  }
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

function wrap(fn: MethodSpec['handler']): MethodSpec['handler'] {
  return async (params, session) => {
    try {
      return await fn(params, session);
    } catch (err) {
      throw apiErrorOf(err);
    }
  };
}

/** payment.start, payment.status, payment.cancel, payment.list, receipt.get, receipt.print. */
export function paymentMethods(d: PaymentMethodDeps): Map<string, MethodSpec> {
  const laneOf = (params: Record<string, unknown>) => {
    const name = stringParam(params, 'lane', { max: 40 }) ?? '';
    const lane = d.lanes.get(name);
    if (!lane) throw new ApiError('NOT_FOUND', `no lane "${name}"; lanes: ${[...d.lanes.keys()].join(', ')}`, { param: 'lane' });
    return lane;
  };
  return new Map<string, MethodSpec>([
    [
      'payment.start',
      {
        role: 'cashier',
        handler: wrap((params, session) => {
          const lane = laneOf(params);
          const type = params.type;
          if (type !== 'sale' && type !== 'refund' && type !== 'preauth') throw new ApiError('INVALID_PARAMS', 'type must be "sale", "refund" or "preauth"', { param: 'type' });
          const amount = params.amount;
          if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || amount > 99_999_999) throw new ApiError('INVALID_PARAMS', 'amount must be a positive integer in minor units', { param: 'amount' });
          const alpha = stringParam(params, 'currency', { max: 3 }) ?? '';
          const currency = currencyNumeric(alpha);
          if (!currency) throw new ApiError('INVALID_PARAMS', `currency must be an ISO 4217 alpha code (${CURRENCY_CODES.join(', ')})`, { param: 'currency' });
          const reference = stringParam(params, 'reference', { max: 64 }) ?? '';
          if (type === 'refund' && amount > d.refundLimitForCashier && session.client?.role === 'cashier') {
            throw new ApiError('FORBIDDEN', `refunds above ${d.refundLimitForCashier} need a supervisor token`);
          }
          const r = lane.flow.start({ type, amount, currency, reference });
          return { paymentId: r.payment.id, created: r.created, state: r.payment.state };
        }),
      },
    ],
    [
      'payment.status',
      {
        role: 'cashier',
        handler: wrap((params) => {
          const id = stringParam(params, 'paymentId', { optional: true, max: 64 });
          const ref = stringParam(params, 'reference', { optional: true, max: 64 });
          if (!id && !ref) throw new ApiError('INVALID_PARAMS', 'give paymentId or reference');
          const p = id ? d.store.get(id) : d.store.byReference(ref ?? '');
          if (!p) throw new ApiError('NOT_FOUND', `no payment with reference ${ref ?? ''}`);
          return paymentView(p);
        }),
      },
    ],
    [
      'payment.cancel',
      {
        role: 'cashier',
        handler: wrap((params) => {
          const id = stringParam(params, 'paymentId', { max: 64 }) ?? '';
          const p = d.store.get(id);
          const lane = d.lanes.get(p.lane);
          if (!lane) throw new ApiError('NOT_FOUND', `lane ${p.lane} is gone`);
          lane.flow.cancel(id);
          return { paymentId: id, cancelling: true };
        }),
      },
    ],
    [
      'payment.list',
      {
        role: 'cashier',
        handler: wrap((params) => {
          const from = Date.parse(String(params.from ?? '1970-01-01T00:00:00Z'));
          const to = Date.parse(String(params.to ?? '9999-12-31T00:00:00Z'));
          if (Number.isNaN(from) || Number.isNaN(to)) throw new ApiError('INVALID_PARAMS', 'from and to are ISO 8601 times');
          return { payments: d.store.list(from, to).map(paymentView) };
        }),
      },
    ],
    [
      'receipt.get',
      {
        role: 'cashier',
        handler: wrap((params) => {
          const p = d.store.get(stringParam(params, 'paymentId', { max: 64 }) ?? '');
          const copy = params.copy ?? 'customer';
          if (copy !== 'customer' && copy !== 'merchant') throw new ApiError('INVALID_PARAMS', 'copy must be "customer" or "merchant"', { param: 'copy' });
          if (p.state !== 'completed' && p.state !== 'declined' && p.state !== 'reversed') throw new ApiError('NOT_FOUND', `no receipt for a payment that is ${p.state}`);
          // One receiptline document for the text and the SVG, laid out for the lane's printer when it has one.
          const r = receiptViews(p, d.merchant, copy, d.printingFor?.(p.lane)?.layout);
          return { paymentId: p.id, copy, text: r.text, svg: r.svg };
        }),
      },
    ],
    [
      'receipt.print',
      {
        role: 'cashier',
        handler: wrap(async (params) => {
          const p = d.store.get(stringParam(params, 'paymentId', { max: 64 }) ?? '');
          const copy = params.copy ?? 'customer';
          if (copy !== 'customer' && copy !== 'merchant') throw new ApiError('INVALID_PARAMS', 'copy must be "customer" or "merchant"', { param: 'copy' });
          if (params.reprint !== undefined && typeof params.reprint !== 'boolean') throw new ApiError('INVALID_PARAMS', 'reprint must be true or false', { param: 'reprint' });
          if (p.state !== 'completed' && p.state !== 'declined' && p.state !== 'reversed') throw new ApiError('NOT_FOUND', `no receipt for a payment that is ${p.state}`);
          const printing = d.printingFor?.(p.lane);
          if (!printing) throw new ApiError('DEVICE_UNAVAILABLE', `lane ${p.lane} has no receipt printer ("printers" and the lane's "printer" in the daemon config)`, { device: 'printer', lane: p.lane });
          return printing.request(p, copy, params.reprint === true, (d.clock ?? Date.now)());
        }),
      },
    ],
  ]);
}
