import { formatMinor } from '../util/currency.js';
import type { Payment } from '../payments/payment-store.js';
import { receiptLabels, type ReceiptLanguage } from './receipt-labels.js';
import { receiptPan } from './receipt-pan.js';
import { hasCjk } from '../drivers/printer/printer-profile.js';
import { hasInvoiceQr, invoiceQrUrl } from './invoice-qr.js';

/** Who the receipt is from. */
export interface Merchant {
  readonly name: string;
  readonly address: readonly string[];
  readonly terminalId: string;
  /** The receipt's wording (default English). */
  readonly language?: ReceiptLanguage;
  /** The invoice-request URL template (config `invoice.qrUrl`): a QR code of it on the customer copy of a sale. */
  readonly invoiceQrUrl?: string;
}

/** Which copy: the cardholder's, or the shop's (with the EMV data for disputes). */
export type ReceiptCopy = 'customer' | 'merchant';

/** How one receipt document is drawn up. */
export interface ReceiptDocumentOptions {
  /** Characters per line of the paper (the signature line spans it); default 42 (80 mm). */
  readonly cpl?: number;
  /** A reprint: marked COPY at the top and at the bottom. */
  readonly copyMark?: boolean;
}

/** Characters receiptline gives a meaning to; a backslash makes each literal (receiptline's escape rule). */
const SPECIAL = /[\\|{}\-=~_"`^]/g;
/** Control characters (a newline in a card's label or the shop's name would start a line of markup). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Characters with a meaning in a receiptline property value (`{code:…}`); a backslash makes each literal. */
const PROPERTY_SPECIAL = /[\\|{};]/g;

/** A QR code of `data` (cell 4 dots, error correction M), centred: receiptline's 2D code property. */
function qrCode(data: string): string {
  return `{code:${data.replace(CONTROL, '').replace(PROPERTY_SPECIAL, (c) => `\\${c}`)}; option:qrcode,4,m}`;
}

/** Text as receiptline prints it literally: no markup, no line breaks. */
export function escapeReceiptText(t: string): string {
  return t.replace(CONTROL, ' ').replace(SPECIAL, (c) => `\\${c}`);
}

/** Columns a text takes on paper: CJK characters are double width. */
function columns(t: string): number {
  let n = 0;
  for (const c of t) n += hasCjk(c) ? 2 : 1;
  return n;
}

/** A line of the receipt: text as it goes into the document, or a label and its value. */
export type ReceiptEntry = string | { readonly label: string; readonly value: string };
type Entry = ReceiptEntry;

/** A centred line. */
export const centre = (t: string): string => escapeReceiptText(t.trim());
/** Double height (text keeps its width, so the text form still reads), bold. */
export const big = (t: string): string => `^^"${t}`;
/** Two columns, the first flush left and the second flush right, in receiptline's own widths (half and half). */
const pair = (left: string, right: string): string => `${left} | ${right}`;

/**
 * The document's lines: each run of label/value lines in two columns, the labels' as wide as the widest label
 * (the values get the rest, so a date fits on one line), between receiptline width properties.
 */
export function markup(entries: readonly Entry[], cpl: number): string[] {
  const labels = entries.flatMap((e) => (typeof e === 'string' ? [] : [columns(e.label)]));
  const width = Math.min(Math.max(0, ...labels), Math.floor(cpl / 2));
  const out: string[] = [];
  let inPairs = false;
  for (const e of entries) {
    if (typeof e === 'string') {
      if (inPairs) out.push('{width: auto}');
      inPairs = false;
      out.push(e);
      continue;
    }
    if (!inPairs) out.push(`{width: ${width} *}`);
    inPairs = true;
    // Trimmed: receiptline aligns a column by the spaces around it (a value with spaces on both sides would centre).
    const label = escapeReceiptText(e.label.trim());
    const value = escapeReceiptText(e.value.trim());
    out.push(value === '' ? `${label} |` : `${label} | ${value}`);
  }
  if (inPairs) out.push('{width: auto}');
  return out;
}

/**
 * A payment's receipt as one receiptline document — the single source of the text form, the paper (ESC/POS,
 * StarPRNT or a raster image) and the SVG preview. Pure: the payment and the merchant in, markup out. It has the
 * merchant's name and address, the type and copy, terminal ID, date/time (UTC), the masked PAN (first 6, last 4),
 * application label and AID, entry mode, TVR/TSI on the merchant copy, amount, result, auth and response codes,
 * the CVM line of an approved payment with a signature line on the merchant copy when the CVM asks for one, and
 * the reference. A reprint is marked COPY, inverted, at the top and at the bottom.
 */
export function receiptDocument(p: Payment, m: Merchant, copy: ReceiptCopy, options: ReceiptDocumentOptions = {}): string {
  const words = receiptLabels(m.language);
  const cpl = options.cpl ?? 42;
  const mark = `\`${big(escapeReceiptText(words.duplicate))}\``;
  const when = new Date(p.updatedAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const result = p.result === 'approved' ? words.approved : p.result === 'declined' ? words.declined : (p.result ?? p.state).toUpperCase();
  const out: Entry[] = [];
  const kv = (label: string, value: string): Entry => ({ label, value });
  if (options.copyMark) out.push(mark, '');
  out.push(big(centre(m.name)), ...m.address.map(centre), '-');
  out.push(pair(escapeReceiptText(words.type[p.type]), escapeReceiptText(words.copy[copy])));
  out.push(kv(words.terminal, p.terminalId ?? m.terminalId), kv(words.date, when), kv(words.card, receiptPan(p.maskedPan)));
  if (p.label) out.push(kv(words.application, p.label));
  if (p.aid) out.push(kv(words.aid, p.aid));
  out.push(kv(words.entry, words.entryMode[p.entryMode ?? 'chip']));
  if (copy === 'merchant' && p.tvr) out.push(kv(words.tvr, p.tvr), kv(words.tsi, p.tsi ?? ''));
  out.push('-', pair(big(escapeReceiptText(words.amount)), big(escapeReceiptText(formatMinor(p.amount, p.currency)))), '-');
  out.push(big(centre(result)));
  if (p.authCode) out.push(kv(words.authCode, p.authCode));
  if (p.responseCode) out.push(kv(words.response, p.responseCode));
  if (p.cvm && p.result === 'approved') {
    out.push(centre(words.cvm[p.cvm] ?? p.cvm.toUpperCase()));
    const signs = p.cvm === 'signature' || p.cvm === 'offline-pin+signature';
    if (copy === 'merchant' && signs) out.push('', '', `x${'\\_'.repeat(Math.max(1, cpl - 1))} |`, centre(words.signature));
  }
  out.push(kv(words.reference, p.reference));
  // The invoice link: on the customer's copy of an approved sale, the code and below it the URL in words (the text
  // form shows only the words: receiptline's text layout has no images).
  if (copy === 'customer' && m.invoiceQrUrl && hasInvoiceQr(p)) {
    const url = invoiceQrUrl(m.invoiceQrUrl, p, m.terminalId);
    out.push('-', centre(words.invoice), '', qrCode(url), centre(url));
  }
  if (options.copyMark) out.push('', mark);
  // No trailing "=": receiptline already ends every job with a cut (and GS r 1); "=" would cut twice.
  return markup(out, cpl).join('\n') + '\n';
}
