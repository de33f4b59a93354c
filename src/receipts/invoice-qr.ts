// The invoice-request link a customer receipt carries as a QR code (docs/invoices.md): the shop's URL template with
// the sale's values put in. Pure: the template, the payment and the terminal id in, the URL out. There is no
// placeholder for the card number: only these values can ever reach the URL.
import { alphaOf, decimalMinor } from '../util/currency.js';
import type { Payment } from '../payments/payment-store.js';

/** The placeholders an invoice QR template may use; any other `{…}` is refused by the configuration. */
export const INVOICE_PLACEHOLDERS = ['reference', 'amount', 'currency', 'date', 'terminalId', 'paymentId'] as const;

/** One placeholder name. */
export type InvoicePlaceholder = (typeof INVOICE_PLACEHOLDERS)[number];

/** The `{name}` placeholders of a template, in order, and any brace that is not part of one. */
export function templateParts(template: string): { readonly names: readonly string[]; readonly strayBrace: boolean } {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
  return { names, strayBrace: /[{}]/.test(template.replace(/\{[^{}]*\}/g, '')) };
}

/** An amount in minor units as a decimal with the currency's exponent: 1234 CNY → "12.34", 1234 JPY → "1234". */
export const decimalAmount = decimalMinor;

/** A time as the invoice's date: ISO 8601 UTC to the second ("2026-01-02T10:04:09Z"). */
export function invoiceDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** True for a payment a customer may ask an invoice for from its receipt: an approved, completed sale. */
export function hasInvoiceQr(p: Payment): boolean {
  return p.type === 'sale' && p.state === 'completed' && p.result === 'approved';
}

/** The template with each placeholder replaced by the payment's value, URL-encoded. */
export function invoiceQrUrl(template: string, p: Payment, terminalId: string): string {
  const values: Record<InvoicePlaceholder, string> = {
    reference: p.reference,
    amount: decimalAmount(p.amount, p.currency),
    currency: alphaOf(p.currency),
    date: invoiceDate(p.updatedAt),
    terminalId: p.terminalId ?? terminalId,
    paymentId: p.id,
  };
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    // The configuration refuses unknown placeholders; one reaching here stays as written rather than guessing.
    return Object.hasOwn(values, name) ? encodeURIComponent(values[name as InvoicePlaceholder]) : whole;
  });
}
