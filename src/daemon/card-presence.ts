import { EmvError } from '../emv/errors.js';

/**
 * Whether each reader's card is still in, for waits that do not talk to the card (a PIN entry): the wait ends the
 * moment the card leaves, as EMV_CARD_REMOVED, instead of at its own timeout.
 */
export class CardPresence {
  private readonly gone = new Map<string, AbortController>();

  /** A card went into `reader`. */
  inserted(reader: string): void {
    this.gone.get(reader)?.abort();
    this.gone.set(reader, new AbortController());
  }

  /** The card left `reader`. */
  removed(reader: string): void {
    this.gone.get(reader)?.abort();
  }

  /** Aborted when the card now in `reader` leaves. */
  signal(reader: string): AbortSignal {
    let c = this.gone.get(reader);
    if (!c) {
      c = new AbortController();
      this.gone.set(reader, c);
    }
    return c.signal;
  }

  /** `wait`, or EMV_CARD_REMOVED as soon as the card leaves `reader` during it. */
  whilePresent<T>(reader: string, wait: Promise<T>): Promise<T> {
    const s = this.signal(reader);
    if (s.aborted) return Promise.reject(removedDuringPin());
    return new Promise<T>((resolve, reject) => {
      const onGone = (): void => reject(removedDuringPin());
      s.addEventListener('abort', onGone, { once: true });
      wait.then(
        (v) => {
          s.removeEventListener('abort', onGone);
          resolve(v);
        },
        (err: unknown) => {
          s.removeEventListener('abort', onGone);
          reject(err);
        },
      );
    });
  }
}

function removedDuringPin(): EmvError {
  return new EmvError('EMV_CARD_REMOVED', 'cvm', 'the card was removed during PIN entry');
}
