import { PosbridgeError } from '../errors.js';

/** Every code an InvoiceError can carry (documented in docs/errors.md). */
export const INVOICE_ERROR_CODES = ['INVOICE_NOT_INVOICEABLE', 'INVOICE_DISABLED', 'INVOICE_BUYER_INVALID', 'INVOICE_NOT_FOUND'] as const;

/** A stable code of the invoice requests. */
export type InvoiceErrorCode = (typeof INVOICE_ERROR_CODES)[number];

/** Errors of invoice requests: what the API refuses before anything is recorded. */
export class InvoiceError extends PosbridgeError {
  declare readonly code: InvoiceErrorCode;

  /** Builds an invoice error. */
  constructor(code: InvoiceErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}
