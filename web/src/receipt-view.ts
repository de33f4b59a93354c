// The receipt preview: receipt.get's SVG (receiptline's drawing of the document the printer prints) shown through an
// <img> (a data: URL: an image cannot run script or reach the page), after checking that the string parses as an
// <svg> document; the text copy for screen readers; print.
import { PosbridgeApiError, type PosbridgeClient } from '../client.js';
import { el, setChildren } from './dom.js';
import type { Notice } from './notice.js';

/** The SVG as a data: URL, or null when the string is not a well-formed SVG document. */
export function svgDataUrl(svg: string): string | null {
  if (!svg.trimStart().startsWith('<svg')) return null;
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  if (doc.getElementsByTagName('parsererror').length > 0 || doc.documentElement.localName !== 'svg') return null;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** Shows one payment's receipt and prints or reprints it. */
export class ReceiptView {
  private client: PosbridgeClient | null = null;
  private paymentId: string | null = null;
  private readonly printed = new Set<string>();

  /** Binds to the receipt section. */
  constructor(private readonly box: HTMLElement, private readonly notice: Notice) {}

  /** Uses this client from now on. */
  attach(client: PosbridgeClient): void {
    this.client = client;
    client.on('receipt.printed', (r) => {
      if (r.paymentId === this.paymentId) this.status(`The queued receipt printed${r.markedCopy ? ' (marked COPY)' : ''}.`);
    });
  }

  /** Loads and shows the customer receipt of a finished payment. */
  async show(paymentId: string): Promise<void> {
    if (!this.client) return;
    this.paymentId = paymentId;
    try {
      const r = await this.client.receipt(paymentId, 'customer');
      if (this.paymentId !== paymentId) return; // another payment started (or another receipt was asked) meanwhile
      const url = svgDataUrl(r.svg);
      const button = el('button', { type: 'button', id: 'print-receipt' }, this.printed.has(paymentId) ? 'Reprint (marked COPY)' : 'Print receipt');
      button.addEventListener('click', () => void this.print(button));
      setChildren(
        this.box,
        url ? el('img', { src: url, alt: r.text, class: 'receipt-img', id: 'receipt-img' }) : el('pre', { class: 'receipt-text' }, r.text),
        el('div', { class: 'row' }, button, el('span', { class: 'muted', id: 'print-status', role: 'status' })),
      );
    } catch (err) {
      this.notice.error(err, 'Showing the receipt');
    }
  }

  /** Empties the preview. */
  clear(): void {
    this.paymentId = null;
    setChildren(this.box, el('p', { class: 'muted' }, 'The receipt of the last payment shows here.'));
  }

  private async print(button: HTMLButtonElement): Promise<void> {
    const id = this.paymentId;
    if (!this.client || !id) return;
    button.disabled = true;
    try {
      const r = await this.client.printReceipt(id, 'customer', this.printed.has(id));
      this.printed.add(id);
      button.textContent = 'Reprint (marked COPY)';
      if (r.state === 'printed') this.status(r.markedCopy ? 'Printed a copy marked COPY.' : 'Printed.');
      else if (r.state === 'queued') this.status('The printer cannot print now (paper, cover or power): the receipt prints by itself once it can.');
      else this.status('The printer went away during the job: check the paper before reprinting.');
    } catch (err) {
      if (err instanceof PosbridgeApiError && err.code === 'ALREADY_PRINTED') {
        this.printed.add(id);
        button.textContent = 'Reprint (marked COPY)';
      }
      this.notice.error(err, 'Printing the receipt');
    } finally {
      button.disabled = false;
    }
  }

  private status(text: string): void {
    const s = this.box.querySelector('#print-status');
    if (s) s.textContent = text;
  }
}
