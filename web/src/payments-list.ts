// Today's payments (payment.list {from, to}) with their status; supervisors get a Reverse button on approved sales,
// which asks for a second click before calling payment.reverse.
import type { PaymentInfo, PosbridgeClient } from '../client.js';
import { el, setChildren } from './dom.js';
import { formatAmount } from './money.js';
import type { Notice } from './notice.js';

const STATUS: Readonly<Record<string, string>> = {
  created: 'waiting for card',
  'card-read': 'card read',
  authorizing: 'authorising',
  authorized: 'authorised',
  completed: 'completed',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
  'reversal-pending': 'being reversed',
  reversed: 'reversed',
};

/** Start of today (local time) as ISO 8601. */
function startOfToday(now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** The payments table. */
export class PaymentsList {
  private client: PosbridgeClient | null = null;

  /** Binds to the table body; `onShowReceipt` opens a payment's receipt. */
  constructor(private readonly body: HTMLTableSectionElement, private readonly notice: Notice, private readonly onShowReceipt: (id: string) => void) {}

  /** Uses this client from now on. */
  attach(client: PosbridgeClient): void {
    this.client = client;
    // A reversal delivered, a void or a capture changes a listed payment: show it without a reload.
    client.on('payment.updated', () => void this.refresh());
  }

  /** Reloads today's payments. */
  async refresh(): Promise<void> {
    if (!this.client) return;
    try {
      const { payments } = await this.client.listPayments({ from: startOfToday(), to: new Date(Date.now() + 60_000).toISOString() });
      this.render([...payments].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 25));
    } catch (err) {
      this.notice.error(err, 'Loading the payments');
    }
  }

  private render(payments: PaymentInfo[]): void {
    if (payments.length === 0) {
      setChildren(this.body, el('tr', {}, el('td', { colspan: '6', class: 'muted' }, 'No payments today yet.')));
      return;
    }
    const supervisor = this.client?.session?.role === 'supervisor' || this.client?.session?.role === 'admin';
    setChildren(this.body, ...payments.map((p) => this.row(p, supervisor)));
  }

  private row(p: PaymentInfo, supervisor: boolean): HTMLTableRowElement {
    const actions = el('div', { class: 'actions' });
    if (p.state === 'completed' || p.state === 'declined' || p.state === 'reversed') {
      const b = el('button', { type: 'button', class: 'small', 'aria-label': `Receipt of ${p.reference}` }, 'Receipt');
      b.addEventListener('click', () => this.onShowReceipt(p.paymentId));
      actions.append(b);
    }
    if (supervisor && p.state === 'completed' && p.result === 'approved' && p.type !== 'refund') {
      const b = el('button', { type: 'button', class: 'small danger', 'aria-label': `Reverse ${p.reference}` }, 'Reverse');
      b.addEventListener('click', () => void this.reverse(p, b));
      actions.append(b);
    }
    const time = new Date(p.createdAt).toLocaleTimeString();
    return el(
      'tr',
      { 'data-payment': p.paymentId },
      el('td', {}, time),
      el('td', { class: 'ref' }, p.reference),
      el('td', {}, `${p.type} ${formatAmount(p.amount, p.currency)}`),
      el('td', {}, p.maskedPan ?? '—'),
      el('td', {}, el('span', { class: 'status', 'data-state': p.state }, STATUS[p.state] ?? p.state)),
      el('td', {}, actions),
    );
  }

  private async reverse(p: PaymentInfo, button: HTMLButtonElement): Promise<void> {
    if (!this.client) return;
    if (button.dataset.confirm !== 'yes') {
      // A reversal cannot be undone: the first click asks, the second does it.
      button.dataset.confirm = 'yes';
      button.textContent = 'Confirm reversal';
      setTimeout(() => {
        button.dataset.confirm = '';
        button.textContent = 'Reverse';
      }, 5000);
      return;
    }
    button.disabled = true;
    try {
      await this.client.call('payment.reverse', { paymentId: p.paymentId });
      await this.refresh();
    } catch (err) {
      button.disabled = false;
      this.notice.error(err, `Reversing ${p.reference}`);
    }
  }
}
