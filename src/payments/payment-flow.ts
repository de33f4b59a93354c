import type { StripeReader } from '../drivers/hid/types.js';
import type { CardConnection, ReaderDriver } from '../drivers/pcsc/types.js';
import { EmvError } from '../emv/errors.js';
import { CARD_GONE_CODES, isBrokenSession } from './card-session.js';
import { MESSAGES } from './progress-messages.js';
import { Authorization, kernelAnswer, type PaymentSubject } from './authorization.js';
import { ReaderError } from '../drivers/pcsc/errors.js';
import { EmvKernel, type AuthorizeContext, type EmvOutcome } from '../emv/kernel.js';
import type { OnlineResponse, PinEntry, TerminalConfig } from '../emv/types.js';
import type { HostLink } from '../host/link.js';
import type { Logger } from '../log/logger.js';
import { PaymentError } from './errors.js';
import type { NewPayment, Payment, PaymentStore } from './payment-store.js';
import { CardSources } from './card-sources.js';
import { isChipFailure, swipedPayment } from './swipe-payment.js';
import { MAX_TAP_TRIES, runTap, type TapParts } from './tap-payment.js';
import type { ContactlessConfig } from '../emv/contactless/index.js';

export { settleReversals } from './reversal-outcomes.js';

/** What the flow reports while a payment runs (the API's payment.progress). */
export interface PaymentProgress {
  readonly paymentId: string;
  readonly step: string;
  readonly message: string;
}

/** The parts one lane's payments need. */
export interface PaymentFlowOptions {
  readonly lane: string;
  readonly reader: string;
  readonly store: PaymentStore;
  readonly driver: ReaderDriver;
  /** The host link; null runs offline only (Y3/Z3 decisions). */
  readonly link: HostLink | null;
  readonly config: TerminalConfig;
  readonly pin: PinEntry;
  readonly clock: () => number;
  readonly randomBytes: (n: number) => Uint8Array;
  /** How long to wait for a card after start. */
  readonly cardTimeoutMs: number;
  readonly onProgress?: (p: PaymentProgress) => void;
  readonly onCompleted?: (p: Payment) => void;
  readonly logger?: Logger;
  /** The lane's magnetic stripe reader, if any: stripe-only cards, and fallback after a chip failure. */
  readonly stripe?: StripeReader | null;
  /** The lane's contactless reader (a PICC slot) and its Entry Point configuration, if the lane takes taps. */
  readonly contactless?: { readonly reader: string; readonly config: ContactlessConfig } | null;
}


/**
 * Runs the payments of one lane: waits for the card, runs the EMV kernel, authorises through the host link, and
 * commits each state to the journal before the next side effect (authorizing before the request leaves, authorized
 * before the card hears the answer). An approved sale the card then declines, or a card pulled after approval,
 * is reversed; a cancellation after the request left is reversed too.
 */
export class PaymentFlow {
  private running: { id: string; abort: AbortController; done: Promise<void> } | null = null;
  /** The payment whose end this flow has yet to report (onCompleted): its changes until then are in that report. */
  private reporting: string | null = null;
  /** The card data of the running payment (memory only), for the advice of an offline approval. */
  private card: AuthorizeContext | null = null;
  /** Where the lane's cards come from: its reader, its contactless reader, its stripe reader. */
  private readonly sources: CardSources;

  /** Binds the flow to its lane's parts; with a stripe reader, starts reading its swipes. */
  constructor(private readonly o: PaymentFlowOptions) {
    this.sources = new CardSources({ driver: o.driver, reader: o.reader, contactlessReader: o.contactless?.reader ?? null, stripe: o.stripe ?? null, clock: o.clock, lane: o.lane, ...(o.logger ? { logger: o.logger } : {}) });
  }

  /** Starts a payment (or returns the one with the same reference); PAYMENT_LANE_BUSY while another runs. */
  start(p: Omit<NewPayment, 'lane'>): { payment: Payment; created: boolean } {
    const r = this.o.store.create({ ...p, lane: this.o.lane }, this.o.clock());
    if (r.created) {
      this.reporting = r.payment.id;
      const abort = new AbortController();
      const done = this.run(r.payment, abort.signal).finally(() => {
        if (this.running?.id === r.payment.id) this.running = null;
      });
      this.running = { id: r.payment.id, abort, done };
    }
    return r;
  }

  /** Cancels the running payment: before authorisation it ends cancelled; after the request left, it is reversed. */
  cancel(paymentId: string): void {
    if (this.running?.id !== paymentId) throw new PaymentError('PAYMENT_STATE_CONFLICT', `payment ${paymentId} is not running on lane ${this.o.lane}`, { paymentId });
    this.running.abort.abort();
  }

  /**
   * The cardholder's cancel key on the PIN pad: cancels the lane's payment while the card is being read; once the
   * request may have reached the host the key is ignored (a reversal is the cashier's call).
   */
  cancelByCardholder(): void {
    this.park();
  }

  /**
   * True while the payment runs on this lane and its end is not yet reported: a change made meanwhile (a reversal
   * delivered while the card still talks) is part of the onCompleted report, not a later update.
   */
  owns(paymentId: string): boolean {
    return this.reporting === paymentId;
  }

  /** Resolves when the running payment (if any) has ended. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /**
   * For shutdown: a payment that has not reached the host yet is cancelled (parked safely: nothing to undo); one past
   * that point is left to finish, since stopping it would only trade a completion for a reversal.
   */
  park(): void {
    if (!this.running) return;
    const state = this.o.store.get(this.running.id).state;
    if (state === 'created' || state === 'card-read') this.running.abort.abort();
  }

  /** Tells the listener of a step; its failure is logged, never thrown into the payment. */
  private report(paymentId: string, step: string, message: string): void {
    try {
      this.o.onProgress?.({ paymentId, step, message });
    } catch (err) {
      this.o.logger?.error('payment progress listener failed', { paymentId, step, err });
    }
  }

  private progress(paymentId: string, step: string): void {
    this.report(paymentId, step, MESSAGES[step] ?? step);
  }

  private async run(payment: Payment, signal: AbortSignal): Promise<void> {
    const { store } = this.o;
    this.card = null;
    const id = payment.id;
    const auth = this.o.link ? new Authorization(this.o.link, subjectOf(payment)) : null;
    let conn: CardConnection | null = null;
    try {
      let chipFailed = false;
      // Taps are taken until the card says to use another interface (or the chip failed: then a swipe only).
      let tapAllowed = Boolean(this.o.contactless);
      let tapTries = 0;
      let swapRetries = 0;
      let failedPan: string | null = null;
      let asked: string | null = null;
      const deadline = this.o.clock() + this.o.cardTimeoutMs;
      for (;;) {
        // Asked once per phase: a refused swipe's message stays on the screen while the flow goes on waiting.
        const ask = chipFailed ? 'swipe-fallback' : tapAllowed || !this.o.contactless ? 'waiting-for-card' : 'insert-card';
        if (asked !== ask) this.progress(id, ask);
        asked = ask;
        const got = await this.sources.wait(signal, !chipFailed, tapAllowed && !chipFailed, deadline);
        if (got.kind === 'tap') {
          const tap = await runTap(this.tapParts(id), payment, auth, signal);
          if (tap === 'done') return;
          if (tap === 'other-interface') tapAllowed = false;
          else if (++tapTries >= MAX_TAP_TRIES) throw new PaymentError('PAYMENT_NO_CARD', `the card could not be read contactless in ${MAX_TAP_TRIES} tries: insert or swipe it`);
          asked = null;
          continue;
        }
        if (got.kind === 'swipe') {
          const done = await swipedPayment(this.o, auth, payment, got.swipe, chipFailed ? { pan: failedPan } : null, signal, (step, message) => this.report(id, step, message ?? MESSAGES[step] ?? step));
          if (done) return;
          continue;
        }
        try {
          try {
            conn = await this.o.driver.connect(this.o.reader);
          } catch (err) {
            // The card left (or was swapped) between the reader's report and our connect: nothing was read, so the
            // payment goes on waiting for a card, as it did a moment before.
            if (err instanceof ReaderError && CARD_GONE_CODES.has(err.code) && this.o.clock() < deadline) {
              await new Promise((r) => setTimeout(r, 100));
              continue;
            }
            throw err;
          }
          await this.runChip(payment, conn, signal, auth);
          return;
        } catch (err) {
          // The card was swapped for another before anything went to the host: read the card now in the reader. A
          // real reader's event counter turns a swap into CARD_REMOVED; a swap faster than the reader's presence
          // poll (vpcd, some USB readers) shows only as a broken exchange with a card still there.
          if (isBrokenSession(err) && swapRetries++ < 2 && store.get(id).state === 'created' && (await this.sources.cardInReader().catch(() => false))) {
            this.o.logger?.info('the card was swapped before authorisation: reading the new card', { paymentId: id });
            await conn?.disconnect('unpower').catch((e: unknown) => this.o.logger?.debug('disconnect after a card swap failed', { code: e instanceof Error ? e.message : String(e) }));
            conn = null;
            asked = null;
            this.card = null; // the pulled card's data is not the new card's
            continue;
          }
          // The chip could not be read and the lane has a stripe reader: technical fallback to the swipe.
          if (!(isChipFailure(err) && this.o.stripe && !this.o.stripe.closed && store.get(id).state === 'created')) throw err;
          this.o.logger?.warn('chip read failed: fallback to the stripe allowed', { paymentId: id, code: err.code, cause: err instanceof EmvError ? err.details.reader : undefined });
          chipFailed = true;
          failedPan = (this.card as AuthorizeContext | null)?.pan ?? null; // set by the kernel's onCardData, if it got that far
          await conn?.disconnect('unpower').catch((e: unknown) => this.o.logger?.debug('disconnect after a chip failure failed', { code: e instanceof Error ? e.message : String(e) }));
          conn = null;
        }
      }
    } catch (err) {
      this.fail(id, err, auth, signal);
    } finally {
      // EMV Book 1 §6.1.5: the card is deactivated at the end of the transaction.
      await conn?.disconnect('unpower').catch((e: unknown) => this.o.logger?.debug('disconnect after payment failed', { code: e instanceof Error ? e.message : String(e) }));
      // From here on every change of this payment is news after its end (payment.updated), not part of it.
      if (this.reporting === id) this.reporting = null;
      try {
        this.o.onCompleted?.(store.get(id));
      } catch (err) {
        // The payment's end is in the journal already; a listener's failure must not take the daemon down.
        this.o.logger?.error('payment completion listener failed', { paymentId: id, err });
      }
    }
  }

  private async runChip(payment: Payment, conn: CardConnection, signal: AbortSignal, auth: Authorization | null): Promise<void> {
    const { store } = this.o;
    const id = payment.id;
    {
      const kernel = new EmvKernel({
        config: this.o.config,
        pin: this.o.pin,
        now: () => new Date(this.o.clock()),
        randomBytes: this.o.randomBytes,
        signal,
        onCardData: (card) => (this.card = card),
        onEvent: (e) => {
          if (e.type === 'step') this.progress(id, e.step);
          if (e.type === 'pin-entry') this.progress(id, 'pin-entry');
          if (e.type === 'step' && e.step === 'oda' && store.get(id).state === 'created') store.move(id, 'card-read', this.o.clock());
        },
        ...(auth ? { authorize: (icc: Uint8Array, card: AuthorizeContext) => this.authorize(payment, auth, icc, card, signal) } : {}),
      });
      const type = payment.type === 'refund' ? 'refund' : 'purchase';
      const outcome = await conn.transaction((ch) => kernel.run(ch, { amount: payment.amount, currency: `0${payment.currency}`, type, sequenceCounter: 1 }));
      this.finish(id, outcome, auth);
    }
  }

  private async authorize(payment: Payment, auth: Authorization, icc: Uint8Array, card: AuthorizeContext, signal: AbortSignal, entry: 'chip' | 'contactless' = 'chip'): Promise<OnlineResponse> {
    const { store } = this.o;
    if (store.get(payment.id).state === 'created') store.move(payment.id, 'card-read', this.o.clock());
    // Committed before the request leaves: a crash from here on is resolved by a reversal.
    store.move(payment.id, 'authorizing', this.o.clock(), { pan: card.pan, entryMode: entry });
    this.progress(payment.id, 'authorizing');
    const answer = await auth.send({ entry, card, iccData: icc });
    if (answer.reversalId !== null) {
      store.move(payment.id, 'authorized', this.o.clock(), { authCode: answer.authCode ?? '', responseCode: answer.responseCode ?? '00', reversalId: answer.reversalId });
      if (signal.aborted) throw new EmvError('EMV_CANCELLED', 'online', 'the payment was cancelled after the host approved', { hostApproved: true });
    } else if (answer.reversalQueued) {
      store.move(payment.id, 'reversal-pending', this.o.clock(), { reason: `host did not answer (${answer.error ?? 'unknown'})` });
    }
    return kernelAnswer(answer);
  }

  private finish(id: string, outcome: EmvOutcome, auth: Authorization | null, entry: 'chip' | 'contactless' = 'chip'): void {
    const { store } = this.o;
    const now = this.o.clock();
    const p = store.get(id);
    const details = {
      // The card's PAN (masked by the store) also when the host never saw the card: offline approvals and declines.
      ...(this.card ? { pan: this.card.pan } : {}),
      entryMode: entry,
      aid: outcome.aid,
      cvm: outcome.cvm,
      responseCode: outcome.responseCode,
      tvr: outcome.tvr,
      tsi: outcome.tsi,
      ...(outcome.label ? { label: outcome.label } : {}),
      ...(outcome.authCode ? { authCode: outcome.authCode } : {}),
    };
    // The host never answered: the reversal decides, whatever the card said (it may even be delivered already).
    if (p.state === 'reversal-pending' || p.state === 'reversed') return;
    if (auth && auth.reversalId !== null) {
      // The card's verdict on a host approval: complete it, or reverse it, in one transaction with the journal's
      // state (a crash keeps both or neither).
      store.atomically(() => {
        if (auth.end(outcome, null, this.card, false, entry) === 'completed') store.move(id, 'completed', now, { ...details, result: 'approved' });
        else store.move(id, 'reversal-pending', now, { ...details, result: 'declined', reason: 'card declined after host approval' });
      });
      return;
    }
    // An approval the host has not seen is advised: the advice carries the final cryptogram (TC) for clearing.
    auth?.end(outcome, null, this.card, false, entry);
    if (p.state === 'created') store.move(id, 'card-read', now);
    store.move(id, outcome.result === 'approved' ? 'completed' : 'declined', now, { ...details, result: outcome.result === 'approved' ? 'approved' : 'declined' });
  }

  private fail(id: string, err: unknown, auth: Authorization | null, signal: AbortSignal): void {
    const { store } = this.o;
    const now = this.o.clock();
    const p = store.get(id);
    const reason = err instanceof Error ? (('code' in err ? `${String(err.code)}: ` : '') + err.message).slice(0, 300) : String(err);
    if (p.state === 'reversal-pending' || p.state === 'reversed') return;
    if (auth && auth.reversalId !== null) {
      store.atomically(() => {
        auth.reverse(reason);
        store.move(id, 'reversal-pending', now, { reason });
      });
      return;
    }
    if (p.state === 'authorizing') {
      // The request may have left without an answer stored: the link fired its reversal already when it had to.
      store.move(id, 'failed', now, { reason, result: 'failed' });
      return;
    }
    const cancelled = signal.aborted || (err instanceof EmvError && err.code === 'EMV_CANCELLED');
    store.move(id, cancelled ? 'cancelled' : 'failed', now, { reason, result: cancelled ? 'cancelled' : 'failed' });
  }

  /** What a tap needs of this lane, bound to the running payment `id`. */
  private tapParts(id: string): TapParts {
    const cl = this.o.contactless as NonNullable<PaymentFlowOptions['contactless']>;
    return {
      ...this.o,
      contactless: cl,
      progress: (step) => this.progress(id, step),
      tapping: () => this.sources.tapping(),
      cardRead: (card) => (this.card = card),
      authorize: (payment, auth, icc, card, signal) => this.authorize(payment, auth, icc, card, signal, 'contactless'),
      finish: (outcome, auth) => this.finish(id, outcome, auth, 'contactless'),
    };
  }

}

/** A payment as the host sees it. */
function subjectOf(p: Payment): PaymentSubject {
  return { type: p.type, ref: p.id, amount: p.amount, currency: p.currency };
}
