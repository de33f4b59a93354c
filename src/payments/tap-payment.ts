// A tap in a payment: the card in the lane's contactless reader runs Entry Point and its kernel (Visa qVSDC, UnionPay
// qUICS); an online request is authorised through the lane's authorisation as a chip card's is (field 22 071), and
// the outcome ends the payment, asks for the card again (Try Again: "see phone", a card lifted early) or for another
// interface (Try Another Interface: insert or swipe, within the same payment).
import type { CardConnection, ReaderDriver } from '../drivers/pcsc/types.js';
import { ReaderError } from '../drivers/pcsc/errors.js';
import { asEmvOutcome, runContactless, type ContactlessConfig, type UiMessage } from '../emv/contactless/index.js';
import { EmvError } from '../emv/errors.js';
import type { AuthorizeContext, EmvOutcome } from '../emv/kernel.js';
import { onlinePinBlockOf } from '../emv/pin-result.js';
import type { OnlineResponse, PinEntry, TerminalConfig } from '../emv/types.js';
import type { Logger } from '../log/logger.js';
import type { Authorization } from './authorization.js';
import { CARD_GONE_CODES } from './card-session.js';
import type { Payment, PaymentStore } from './payment-store.js';

/** How many taps a payment reads before it asks for the chip or the stripe instead. */
export const MAX_TAP_TRIES = 3;

/** What a tap needs of its lane, bound to the running payment. */
export interface TapParts {
  readonly driver: ReaderDriver;
  readonly store: PaymentStore;
  readonly config: TerminalConfig;
  readonly pin: PinEntry;
  readonly clock: () => number;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly logger?: Logger;
  readonly contactless: { readonly reader: string; readonly config: ContactlessConfig };
  /** Reports a step (payment.progress). */
  progress(step: string): void;
  /** A read of the card in the field starts: it is not read again until it leaves. */
  tapping(): void;
  /** The card data the kernel read (memory only), for the advice of an offline approval. */
  cardRead(card: AuthorizeContext): void;
  /** Authorises online as the chip path does, with the contactless entry mode. */
  authorize(payment: Payment, auth: Authorization, icc: Uint8Array, card: AuthorizeContext, signal: AbortSignal): Promise<OnlineResponse>;
  /** Ends the payment with the card's decision, as the chip path does. */
  finish(outcome: EmvOutcome, auth: Authorization | null): void;
}

/** How a tap left the payment. */
export type TapEnd = 'done' | 'again' | 'other-interface';

/** The contactless UI messages shown as payment.progress steps (the others are the flow's own steps). */
const UI_STEPS: ReadonlySet<UiMessage> = new Set(['see-phone', 'present-card-again', 'present-one-card-only', 'card-read-remove-card', 'insert-card']);

/** Reads the tapped card and ends the payment with its outcome, or says to wait for a new tap or another interface. */
export async function runTap(o: TapParts, payment: Payment, auth: Authorization | null, signal: AbortSignal): Promise<TapEnd> {
  o.tapping();
  o.progress('tap-reading');
  let conn: CardConnection;
  try {
    conn = await o.driver.connect(o.contactless.reader);
  } catch (err) {
    // The card left the field before it could be read: wait for the next tap.
    if (err instanceof ReaderError && CARD_GONE_CODES.has(err.code)) {
      o.progress('present-card-again');
      return 'again';
    }
    throw err;
  }
  try {
    const type = payment.type === 'refund' ? 'refund' : 'purchase';
    const outcome = await conn.transaction((ch) =>
      runContactless(
        ch,
        { amount: payment.amount, currency: `0${payment.currency}`, type, sequenceCounter: 1 },
        {
          terminal: o.config,
          contactless: o.contactless.config,
          now: () => new Date(o.clock()),
          randomBytes: o.randomBytes,
          signal,
          onlinePin: async (prompt) => {
            o.progress('pin-entry');
            return onlinePinBlockOf(await o.pin.onlinePin(prompt));
          },
          ...(auth
            ? {
                authorize: (icc: Uint8Array, card: AuthorizeContext) => {
                  o.cardRead(card);
                  return o.authorize(payment, auth, icc, card, signal);
                },
              }
            : {}),
          onEvent: (e) => {
            if (e.type === 'ui' && UI_STEPS.has(e.ui.message)) o.progress(e.ui.message);
          },
        },
      ),
    );
    if (outcome.card) o.cardRead(outcome.card);
    o.logger?.info('tap read', { paymentId: payment.id, outcome: outcome.outcome, kernel: outcome.kernel, aid: outcome.aid, reason: outcome.reason });
    switch (outcome.outcome) {
      case 'approved':
      case 'declined': {
        const emv = asEmvOutcome(outcome);
        if (!emv) throw new EmvError('EMV_CARD_DATA_INVALID', 'online', `the tap ended ${outcome.outcome} without the card data to record it`);
        o.finish(emv, auth);
        return 'done';
      }
      case 'try-again':
        o.progress(outcome.uiRequest.message === 'see-phone' ? 'see-phone' : 'present-card-again');
        return 'again';
      case 'try-another-interface':
        o.progress('insert-card');
        return 'other-interface';
      default:
        throw new EmvError('EMV_NO_APPLICATION', 'selection', `the tap ended without a transaction: ${outcome.reason ?? outcome.outcome}`);
    }
  } finally {
    await conn.disconnect('unpower').catch((e: unknown) => o.logger?.debug('disconnect after a tap failed', { code: e instanceof Error ? e.message : String(e) }));
  }
}
