// The JSON body an invoice request is delivered with (docs/invoices.md, "What the endpoint receives"): built once,
// when the request is recorded, and sent byte for byte the same on every attempt. The card appears only masked.
import { schemeOfPayment } from '../emv/scheme.js';
import { alphaOf, currencyExponent } from '../util/currency.js';
import type { Payment } from '../payments/payment-store.js';
import { decimalAmount, invoiceDate } from '../receipts/invoice-qr.js';
import { receiptPan } from '../receipts/receipt-pan.js';
import type { Buyer } from './buyer.js';

/** What is invoiced: an approved sale, or a pre-authorisation's capture (its captured amount and time). */
export interface Invoiceable {
  readonly payment: Payment;
  readonly kind: 'sale' | 'capture';
  /** Minor units. */
  readonly amount: number;
  /** When it was completed (sale) or captured, ms. */
  readonly at: number;
}

/** The shop as the body names it. */
export interface InvoiceMerchant {
  readonly merchantId: string;
  readonly name: string;
  readonly terminalId: string;
}

/** The body's fields, in the order they are sent. */
export interface InvoiceBody {
  readonly requestId: string;
  readonly idempotencyKey: string;
  readonly paymentId: string;
  readonly reference: string;
  readonly kind: 'sale' | 'capture';
  readonly amount: { readonly minor: number; readonly currency: string; readonly exponent: number; readonly value: string };
  readonly date: string;
  readonly terminalId: string;
  readonly merchant: { readonly id: string; readonly name: string };
  readonly card: { readonly maskedPan: string | null; readonly scheme: string | null; readonly authCode: string | null };
  readonly buyer: Buyer;
  readonly requestedAt: string;
}

/** The body of one request (the PAN masked again to first 6 / last 4, whatever the payment holds). */
export function invoiceBody(ids: { readonly requestId: string; readonly idempotencyKey: string }, what: Invoiceable, merchant: InvoiceMerchant, buyer: Buyer, now: number): InvoiceBody {
  const p = what.payment;
  const currency = alphaOf(p.currency);
  return {
    requestId: ids.requestId,
    idempotencyKey: ids.idempotencyKey,
    paymentId: p.id,
    reference: p.reference,
    kind: what.kind,
    amount: { minor: what.amount, currency, exponent: currencyExponent(currency), value: decimalAmount(what.amount, currency) },
    date: invoiceDate(what.at),
    terminalId: p.terminalId ?? merchant.terminalId,
    merchant: { id: merchant.merchantId, name: merchant.name },
    card: { maskedPan: p.maskedPan ? receiptPan(p.maskedPan) : null, scheme: schemeOfPayment(p), authCode: p.authCode },
    buyer,
    requestedAt: invoiceDate(now),
  };
}
