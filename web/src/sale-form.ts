// The sale/refund form: amount in major units → minor units, a generated reference, live progress, the result in
// plain words, and recovery of a payment in flight after a reconnect (payment.status: the journal is the truth).
import type { PaymentInfo, PosbridgeClient } from '../client.js';
import { byId, el, setChildren } from './dom.js';
import { explainOutcome } from './errors.js';
import { CURRENCIES, formatAmount, newReference, parseAmount } from './money.js';
import type { Notice } from './notice.js';

interface Running {
  readonly paymentId: string;
  readonly reference: string;
  readonly lane: string;
}

const KEY = 'posbridge.running';

/** What the form tells the rest of the page. */
export interface SaleFormHooks {
  /** A payment ended (show its receipt, refresh the list). */
  finished(p: PaymentInfo): void;
  /** The daemon asks for the PIN on a lane. */
  pinRequested(lane: string): void;
  /** A payment started (clear what showed the previous one). */
  started(): void;
}

/** The sale form and its progress/result area. */
export class SaleForm {
  private client: PosbridgeClient | null = null;
  private running: Running | null = null;
  private starting = false;
  private readonly early = new Map<string, { step: string; message: string }>();
  private readonly form = byId('sale-form', HTMLFormElement);
  private readonly lane = byId('lane', HTMLSelectElement);
  private readonly type = byId('type', HTMLSelectElement);
  private readonly amount = byId('amount', HTMLInputElement);
  private readonly currency = byId('currency', HTMLSelectElement);
  private readonly reference = byId('reference', HTMLInputElement);
  private readonly pay = byId('pay', HTMLButtonElement);
  private readonly cancel = byId('cancel-payment', HTMLButtonElement);
  private readonly progress = byId('progress', HTMLElement);
  private readonly result = byId('result', HTMLElement);
  private readonly amountError = byId('amount-error', HTMLElement);

  /** Fills the static choices and wires the buttons. */
  constructor(private readonly notice: Notice, private readonly hooks: SaleFormHooks) {
    setChildren(this.currency, ...CURRENCIES.map((c) => el('option', { value: c }, c)));
    this.reference.value = newReference();
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.start();
    });
    byId('new-reference', HTMLButtonElement).addEventListener('click', () => (this.reference.value = newReference()));
    this.cancel.addEventListener('click', () => void this.cancelRunning());
    this.amount.addEventListener('input', () => this.showAmountProblem(null));
    const saved = sessionStorage.getItem(KEY);
    if (saved) this.running = JSON.parse(saved) as Running;
  }

  /** The lane chosen in the form. */
  get selectedLane(): string {
    return this.lane.value;
  }

  /** Uses this client from now on (once per client). */
  attach(client: PosbridgeClient): void {
    this.client = client;
    const lanes = client.session?.lanes ?? [];
    setChildren(this.lane, ...lanes.map((l) => el('option', { value: l.lane }, `Lane ${l.lane}`)));
    client.on('payment.progress', (m) => {
      const lane = (m as { lane?: string }).lane;
      // The first step can arrive before payment.start's answer: kept until we know the payment's id.
      if (this.starting && m.paymentId) this.early.set(m.paymentId, m);
      const mine = this.running && (m.paymentId === this.running.paymentId || (m.paymentId === undefined && lane === this.running.lane));
      if (!mine || !this.running) return;
      this.showProgress(m);
    });
    client.on('payment.completed', (p) => {
      if (p.paymentId === this.running?.paymentId) this.finish(p);
    });
  }

  /** After a (re)connect: where does the payment we were running stand? */
  async recover(again: boolean): Promise<void> {
    const r = this.running;
    if (!this.client || !r) return this.setBusy(false);
    try {
      const p = await this.client.paymentStatus({ paymentId: r.paymentId });
      if (p.result) this.finish(p, again ? 'Reconnected: ' : '');
      else {
        this.setBusy(true);
        this.progress.textContent = `${again ? 'Reconnected: ' : ''}the payment is still running (${p.state})…`;
      }
    } catch (err) {
      this.notice.error(err, 'Checking the payment after reconnecting');
    }
  }

  private showProgress(m: { step: string; message: string }): void {
    if (!this.running) return;
    this.progress.textContent = `${m.message}…`;
    this.progress.dataset.step = m.step;
    if (m.step === 'pin-entry') this.hooks.pinRequested(this.running.lane);
  }

  private async start(): Promise<void> {
    if (!this.client) return;
    const currency = this.currency.value;
    const parsed = parseAmount(this.amount.value, currency);
    if ('problem' in parsed) return this.showAmountProblem(parsed.problem);
    const type = this.type.value === 'refund' ? 'refund' : 'sale';
    const params = { lane: this.lane.value, type, amount: parsed.minor, currency, reference: this.reference.value } as const;
    this.notice.clear();
    setChildren(this.result);
    this.setBusy(true);
    this.progress.textContent = `Starting the ${type} of ${formatAmount(parsed.minor, currency)}…`;
    this.starting = true;
    try {
      const r = await this.client.startPayment(params);
      this.running = { paymentId: r.paymentId, reference: params.reference, lane: params.lane };
      this.hooks.started();
      sessionStorage.setItem(KEY, JSON.stringify(this.running));
      const early = this.early.get(r.paymentId);
      if (early) this.showProgress(early);
      // A repeated reference returns the first payment: it may be over already.
      if (!r.created) await this.recover(false);
    } catch (err) {
      this.setBusy(false);
      this.progress.textContent = '';
      this.notice.error(err, `Starting the ${type}`);
    } finally {
      this.starting = false;
      this.early.clear();
    }
  }

  private async cancelRunning(): Promise<void> {
    if (!this.client || !this.running) return;
    try {
      await this.client.cancelPayment(this.running.paymentId);
      this.progress.textContent = 'Cancelling…';
    } catch (err) {
      this.notice.error(err, 'Cancelling the payment');
    }
  }

  private finish(p: PaymentInfo, prefix = ''): void {
    this.running = null;
    sessionStorage.removeItem(KEY);
    this.setBusy(false);
    this.progress.textContent = '';
    delete this.progress.dataset.step;
    const o = explainOutcome(p);
    const facts = [formatAmount(p.amount, p.currency), p.type, p.maskedPan ? `card ${p.maskedPan}` : null, p.authCode ? `auth code ${p.authCode}` : null, p.cvm ? cvmWords(p.cvm) : null, p.entryMode && p.entryMode !== 'chip' ? (p.entryMode === 'fallback' ? 'swiped (chip failed)' : 'swiped') : null].filter((x): x is string => x !== null);
    setChildren(
      this.result,
      el(
        'div',
        { class: 'outcome', 'data-tone': o.tone, 'data-result': p.result ?? p.state, id: 'outcome' },
        el('p', { class: 'headline', tabindex: '-1', id: 'outcome-headline' }, `${prefix}${o.headline}`),
        el('p', {}, o.text),
        el('p', { class: 'next' }, o.next),
        el('p', { class: 'muted' }, facts.join(' · ')),
        o.detail ? el('details', {}, el('summary', {}, 'Details'), el('p', {}, o.detail)) : null,
      ),
    );
    this.reference.value = newReference();
    // Focus goes to the result, which screen readers then read (once: the area is not also a live region), not to
    // whatever control happened to hold it.
    document.getElementById('outcome-headline')?.focus();
    this.hooks.finished(p);
  }

  private setBusy(busy: boolean): void {
    this.pay.disabled = busy;
    this.cancel.hidden = !busy;
    this.form.setAttribute('aria-busy', String(busy));
  }

  private showAmountProblem(problem: string | null): void {
    this.amountError.textContent = problem ?? '';
    this.amount.setAttribute('aria-invalid', String(problem !== null));
    if (problem) this.amount.focus();
  }
}

/** How the cardholder was verified, in the cashier's words. */
function cvmWords(cvm: string): string {
  const words: Readonly<Record<string, string>> = {
    'offline-pin': 'PIN checked by the card',
    'online-pin': 'PIN checked by the bank',
    'offline-pin+signature': 'PIN checked by the card, and a signature',
    signature: 'signature required: have the customer sign the merchant copy',
    'no-cvm': 'no verification needed',
    failed: 'cardholder verification failed',
  };
  return words[cvm] ?? `verified by ${cvm}`;
}
