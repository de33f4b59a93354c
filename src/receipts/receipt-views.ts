import type { PrinterProfile } from '../drivers/printer/printer-profile.js';
import { renderSvg, renderText } from '../drivers/printer/render.js';
import type { Payment } from '../payments/payment-store.js';
import { receiptDocument, type Merchant, type ReceiptCopy } from './receipt-document.js';

/** The layout a receipt is previewed with when its lane has no printer: 80 mm paper, 42 characters, code page 858. */
export const PREVIEW_PROFILE: PrinterProfile = { cpl: 42, encoding: 'cp858' };

/** One receipt in every form, all from the same receiptline document. */
export interface ReceiptViews {
  /** The receiptline document itself. */
  readonly document: string;
  /** The plain-text form (receiptline's text layout), lines joined by `\n`. */
  readonly text: string;
  /** receiptline's SVG of the document: what the printer prints, 1 px = 1 dot. */
  readonly svg: string;
}

/** A payment's receipt as its document, text and SVG preview for a printer's layout (the original, never marked COPY). */
export function receiptViews(p: Payment, m: Merchant, copy: ReceiptCopy, profile: PrinterProfile = PREVIEW_PROFILE): ReceiptViews {
  const document = receiptDocument(p, m, copy, { cpl: profile.cpl });
  return { document, text: renderText(document, profile).join('\n'), svg: renderSvg(document, profile) };
}
