// Who the invoice is for, as the cashier app sends it with invoice.request, and the checks it passes first.
import { InvoiceError } from './errors.js';

/** The buyer an invoice is issued to. */
export interface Buyer {
  /** The person's or company's name (1–100 characters). */
  readonly name: string;
  /** A company's tax id: 15–20 letters and digits (China's unified social credit code has 18). */
  readonly taxId?: string;
  /** Where the invoicing service may send the invoice. */
  readonly email?: string;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const TAX_ID = /^[0-9A-Z]{15,20}$/;
const EMAIL = /^[^\s@"<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The buyer trimmed (the tax id upper-cased); INVOICE_BUYER_INVALID naming the field that does not pass. */
export function checkBuyer(b: { readonly name: string; readonly taxId?: string; readonly email?: string }): Buyer {
  const name = b.name.trim();
  if (name === '' || [...name].length > 100 || CONTROL.test(name)) throw new InvoiceError('INVOICE_BUYER_INVALID', 'buyer.name must be 1–100 characters, no control characters', { field: 'buyer.name' });
  const taxId = b.taxId?.trim().toUpperCase();
  if (taxId !== undefined && !TAX_ID.test(taxId)) throw new InvoiceError('INVOICE_BUYER_INVALID', 'buyer.taxId must be 15–20 letters and digits (e.g. an 18-character unified social credit code)', { field: 'buyer.taxId' });
  const email = b.email?.trim();
  if (email !== undefined && (email.length > 254 || !EMAIL.test(email))) throw new InvoiceError('INVOICE_BUYER_INVALID', 'buyer.email must be an address like name@example.com', { field: 'buyer.email' });
  return { name, ...(taxId !== undefined ? { taxId } : {}), ...(email !== undefined ? { email } : {}) };
}
