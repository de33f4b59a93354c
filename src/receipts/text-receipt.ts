import { formatMinor } from '../util/currency.js';
import type { Payment } from '../payments/payment-store.js';

/** Who the receipt is from. */
export interface Merchant {
  readonly name: string;
  readonly address: readonly string[];
  readonly terminalId: string;
}

/** Which copy: the cardholder's, or the shop's (with the EMV data for disputes). */
export type ReceiptCopy = 'customer' | 'merchant';

const CVM_LINES: Readonly<Record<string, string>> = {
  'offline-pin': 'PIN VERIFIED',
  'online-pin': 'PIN VERIFIED ONLINE',
  'offline-pin+signature': 'PIN VERIFIED',
  signature: 'SIGNATURE REQUIRED',
  'no-cvm': 'NO CARDHOLDER VERIFICATION',
};

/** The receipt's wording of the entry mode. */
const ENTRY_LABELS = { chip: 'CHIP', swiped: 'SWIPED', fallback: 'FALLBACK (SWIPED)' } as const;

/**
 * A payment receipt as text lines of `width` characters (pure: the payment and the merchant in, lines out): merchant
 * name and address, terminal ID, date/time, masked PAN, application label and AID, entry mode, TVR/TSI on the
 * merchant copy, the CVM result ("PIN VERIFIED" or a signature line), auth code, amount and result.
 * Receipt layout for printers (receiptline, ESC/POS) comes with the printer driver.
 */
export function textReceipt(p: Payment, m: Merchant, copy: ReceiptCopy, width = 42): string[] {
  const line = (left: string, right = ''): string => {
    const room = Math.max(1, width - right.length);
    return (left.length > room ? left.slice(0, room) : left.padEnd(room)) + right;
  };
  const center = (t: string): string => t.slice(0, width).padStart(Math.floor((width + Math.min(t.length, width)) / 2)).padEnd(width);
  const amount = formatMinor(p.amount, p.currency);
  const result = p.result === 'approved' ? 'APPROVED' : p.result === 'declined' ? 'DECLINED' : (p.result ?? p.state).toUpperCase();
  const when = new Date(p.updatedAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const out = [center(m.name), ...m.address.map(center), '-'.repeat(width)];
  out.push(line(p.type === 'refund' ? 'REFUND' : p.type === 'preauth' ? 'PRE-AUTHORISATION' : 'SALE', copy === 'merchant' ? 'MERCHANT COPY' : 'CUSTOMER COPY'));
  out.push(line('Terminal', m.terminalId), line('Date', when), line('Card', p.maskedPan ?? ''));
  if (p.label) out.push(line('Application', p.label));
  if (p.aid) out.push(line('AID', p.aid));
  out.push(line('Entry', ENTRY_LABELS[p.entryMode ?? 'chip']));
  if (copy === 'merchant' && p.tvr) out.push(line('TVR', p.tvr), line('TSI', p.tsi ?? ''));
  out.push('-'.repeat(width), line('AMOUNT', amount), '-'.repeat(width), center(result));
  if (p.authCode) out.push(line('Auth code', p.authCode));
  if (p.responseCode) out.push(line('Response', p.responseCode));
  if (p.cvm && p.result === 'approved') {
    out.push(center(CVM_LINES[p.cvm] ?? p.cvm.toUpperCase()));
    if (copy === 'merchant' && p.cvm === 'signature') out.push('', '', line('x' + '_'.repeat(width - 2)), center('Cardholder signature'));
  }
  out.push(line('Ref', p.reference));
  return out.map((l) => l.trimEnd());
}

/** The receipt as an SVG preview (monospaced text), for the cashier's screen. */
export function receiptSvg(lines: readonly string[], width = 42): string {
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const h = 20 * lines.length + 20;
  const w = Math.ceil(width * 8.4) + 20;
  const text = lines.map((l, i) => `<text x="10" y="${24 + i * 20}" xml:space="preserve">${esc(l)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="monospace" font-size="14"><rect width="100%" height="100%" fill="#fff"/>${text}</svg>`;
}
