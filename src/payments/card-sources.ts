// Where a lane's cards come from while a payment waits: the contact reader and the contactless reader (their events:
// no polling) and the stripe reader (its swipes, handed only to a payment that waits). A tapped card is read once: it
// must leave the field before it counts again.
import { HidError } from '../drivers/hid/errors.js';
import type { StripeReader, SwipeResult } from '../drivers/hid/types.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { EmvError } from '../emv/errors.js';
import type { Logger } from '../log/logger.js';
import { PaymentError } from './errors.js';

/** What a waiting payment got: a card in the reader, a card in the contactless field, or a swipe. */
export type Presented = { readonly kind: 'chip' | 'tap' } | { readonly kind: 'swipe'; readonly swipe: SwipeResult };

/** The parts a lane's card sources watch. */
export interface CardSourceParts {
  readonly driver: ReaderDriver;
  readonly reader: string;
  readonly contactlessReader: string | null;
  readonly stripe: StripeReader | null;
  readonly clock: () => number;
  readonly lane: string;
  readonly logger?: Logger;
}

/** A lane's card sources. */
export class CardSources {
  /** Who takes the next swipe: set only while a payment waits for a card; other swipes are dropped. */
  private swipeWaiter: ((r: SwipeResult) => void) | null = null;
  /** A card in the contactless field was read already: it is not read again until it has left the field. */
  private tapRead = false;

  /** Starts reading the stripe reader's swipes and watching the contactless field for a card leaving. */
  constructor(private readonly o: CardSourceParts) {
    if (o.stripe) void this.pumpSwipes(o.stripe);
    const cl = o.contactlessReader;
    if (cl) {
      o.driver.subscribe((e) => {
        if ((e.type === 'card-removed' || e.type === 'reader-detached') && e.reader === cl) this.tapRead = false;
      });
    }
  }

  /** The card in the contactless field is being read: it counts again only once it has left the field. */
  tapping(): void {
    this.tapRead = true;
  }

  /** True when the lane's reader holds a card now. */
  async cardInReader(): Promise<boolean> {
    const r = (await this.o.driver.listReaders()).find((x) => x.name === this.o.reader);
    return r?.cardPresent === true;
  }

  /**
   * Waits for a chip card in the reader, a tap on the contactless reader or a swipe on the stripe reader, until
   * `deadline`. After a chip failure (`chipAllowed` false) only a swipe is taken: the card left in the reader is the
   * one that failed; after Try Another Interface (`tapAllowed` false) no tap.
   */
  async wait(signal: AbortSignal, chipAllowed: boolean, tapAllowed: boolean, deadline: number): Promise<Presented> {
    let swiped: SwipeResult | null = null;
    // The reader is listed once at the start, then again only when its events say a card (or the reader, or the
    // PC/SC service) arrived: no polling while the lane waits.
    const tapReader = tapAllowed ? (this.o.contactlessReader) : null;
    let look = chipAllowed || tapReader !== null;
    let wake: () => void = () => undefined;
    this.swipeWaiter = (r) => {
      swiped ??= r;
      wake();
    };
    const unsubscribe = look
      ? this.o.driver.subscribe((e) => {
          if ('reader' in e && e.reader !== this.o.reader && e.reader !== tapReader) return;
          if (e.type === 'card-inserted' || e.type === 'reader-attached' || e.type === 'service-back') {
            look = true;
            wake();
          }
        })
      : () => undefined;
    const onAbort = (): void => wake();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted) throw new EmvError('EMV_CANCELLED', 'selection', 'cancelled while waiting for the card');
        if (swiped) return { kind: 'swipe', swipe: swiped };
        if (look) {
          look = false;
          const readers = await this.o.driver.listReaders();
          if (chipAllowed && readers.some((r) => r.name === this.o.reader && r.cardPresent)) return { kind: 'chip' };
          // A card left in the field after its read is not read again: it must leave and be presented anew.
          if (tapReader && !this.tapRead && readers.some((r) => r.name === tapReader && r.cardPresent)) return { kind: 'tap' };
          continue; // an event may have come while the readers were listed
        }
        const left = deadline - this.o.clock();
        if (left <= 0) throw new PaymentError('PAYMENT_NO_CARD', 'no card was presented in time');
        await new Promise<void>((res) => {
          const t = setTimeout(res, left);
          wake = () => {
            clearTimeout(t);
            res();
          };
        });
        wake = () => undefined;
      }
    } finally {
      this.swipeWaiter = null;
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Reads every swipe of the lane's stripe reader for as long as it is open, and hands each to the payment waiting
   * for a card, if any. A swipe while no payment waits (between payments, during a chip payment) is dropped: it can
   * never pay a later payment.
   */
  private async pumpSwipes(stripe: StripeReader): Promise<void> {
    try {
      for await (const r of stripe.swipes()) {
        const take = this.swipeWaiter;
        if (take) take(r);
        else this.o.logger?.info('a swipe while no payment waits for a card: ignored', { lane: this.o.lane });
      }
    } catch (err) {
      this.o.logger?.warn('stripe reader lost: the lane takes chip cards only', { lane: this.o.lane, code: err instanceof HidError ? err.code : 'HID_DEVICE_UNPLUGGED' });
    }
  }
}
