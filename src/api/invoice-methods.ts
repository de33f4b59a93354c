// invoice.request, invoice.status and invoice.list: the cashier app's side of invoice requests (docs/invoices.md).
import { checkBuyer } from '../invoices/buyer.js';
import { InvoiceError } from '../invoices/errors.js';
import type { InvoiceRequest, InvoiceStore } from '../invoices/invoice-store.js';
import { defineMethod } from './contract/define.js';
import { ApiError } from './errors.js';
import type { MethodSpec } from './rpc.js';

/** What the invoice methods need. */
export interface InvoiceMethodDeps {
  readonly store: InvoiceStore;
  /** Whether an endpoint is configured (invoice.request is DISABLED without one; status and list still answer). */
  readonly enabled: boolean;
  /** Tells the delivery worker a request was recorded. */
  readonly recorded: () => void;
  readonly clock: () => number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** An invoice request as the API shows it. */
export function invoiceView(r: InvoiceRequest): {
  requestId: string;
  paymentId: string;
  idempotencyKey: string;
  buyer: { name: string; taxId?: string; email?: string };
  state: InvoiceRequest['state'];
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  invoiceNumber: string | null;
  createdAt: string;
  deliveredAt: string | null;
} {
  return {
    requestId: r.id,
    paymentId: r.paymentId,
    idempotencyKey: r.idempotencyKey,
    buyer: { ...r.buyer },
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? iso(r.nextAttemptAt) : null,
    lastError: r.lastError,
    invoiceNumber: r.invoiceNumber,
    createdAt: iso(r.createdAt),
    deliveredAt: r.deliveredAt === null ? null : iso(r.deliveredAt),
  };
}

/** The invoice methods, bound to the store. */
export function invoiceMethods(d: InvoiceMethodDeps): Map<string, MethodSpec> {
  return new Map<string, MethodSpec>([
    defineMethod('invoice.request', ({ paymentId, buyer }) => {
      if (!d.enabled) throw new InvoiceError('INVOICE_DISABLED', 'invoice requests are off: configure invoice.endpoint (docs/configuration.md)');
      // Committed before the answer: a crash after it still delivers the request (recovered on start).
      const { request, created } = d.store.request(paymentId, checkBuyer(buyer), d.clock());
      if (created) d.recorded();
      return { ...invoiceView(request), created };
    }),
    defineMethod('invoice.status', ({ paymentId }) => {
      return { paymentId, requests: d.store.forPayment(paymentId).map(invoiceView) };
    }),
    defineMethod('invoice.list', (params) => {
      const time = (name: 'from' | 'to', dflt: string): number => {
        const t = Date.parse(params[name] ?? dflt);
        if (Number.isNaN(t)) throw new ApiError('INVALID_PARAMS', `${name} must be an ISO 8601 time`, { param: name });
        return t;
      };
      return { requests: d.store.list(time('from', '1970-01-01T00:00:00Z'), time('to', '9999-12-31T00:00:00Z'), params.state).map(invoiceView) };
    }),
  ]);
}
