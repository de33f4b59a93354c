import type { Payment } from '../payments/payment-store.js';
import { renderText } from '../drivers/printer/render.js';
import { receiptDocument, type Merchant, type ReceiptCopy } from './receipt-document.js';

export type { Merchant, ReceiptCopy } from './receipt-document.js';

/**
 * A payment receipt as text lines of `width` characters: the plain-text form of its receiptline document
 * (`receiptDocument`), laid out by receiptline as the paper has it.
 */
export function textReceipt(p: Payment, m: Merchant, copy: ReceiptCopy, width = 42): string[] {
  return renderText(receiptDocument(p, m, copy, { cpl: width }), { cpl: width, encoding: 'cp858' });
}
