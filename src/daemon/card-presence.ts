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

  /** Aborted when the card now in `reader` leaves (already aborted when there is none). */
  signal(reader: string): AbortSignal {
    let c = this.gone.get(reader);
    if (!c) {
      // No card seen in this reader yet: as good as gone (the driver reports present cards when subscribed).
      c = new AbortController();
      c.abort();
      this.gone.set(reader, c);
    }
    return c.signal;
  }

  /**
   * For a PIN entry on `reader`: with a card in it, the prompt's signal joined with the card leaving, `wait` that
   * ends as EMV_CARD_REMOVED the moment it does, and `until` that ends with the PIN port's `{ kind: 'card-removed' }`
   * then; for a swiped card or an empty reader, all unchanged.
   */
  forEntry(reader: string, prompt: { readonly signal?: AbortSignal; readonly swiped?: boolean }): PinEntryWatch {
    const { signal } = prompt;
    const gone = this.signal(reader);
    if (gone.aborted || prompt.swiped) return { signal, wait: (p) => p, until: (p) => p };
    return {
      signal: signal ? AbortSignal.any([signal, gone]) : gone,
      wait: (p) => endWhenGone(p, gone, () => Promise.reject(removedDuringPin())),
      until: (p) => endWhenGone(p, gone, () => Promise.resolve(CARD_REMOVED)),
    };
  }
}

/** A PIN entry watched for the card leaving (see `CardPresence.forEntry`). */
export interface PinEntryWatch {
  readonly signal: AbortSignal | undefined;
  /** `p`, or EMV_CARD_REMOVED the moment the card leaves. */
  wait<T>(p: Promise<T>): Promise<T>;
  /** `p`, or `{ kind: 'card-removed' }` the moment the card leaves. */
  until<T>(p: Promise<T>): Promise<T | typeof CARD_REMOVED>;
}

const CARD_REMOVED = { kind: 'card-removed' } as const;

/** `p`, or what `ended` gives the moment `gone` aborts. */
function endWhenGone<T, E>(p: Promise<T>, gone: AbortSignal, ended: () => Promise<E>): Promise<T | E> {
  return new Promise<T | E>((resolve, reject) => {
    const onGone = (): void => void ended().then(resolve, reject);
    gone.addEventListener('abort', onGone, { once: true });
    p.then(
      (v) => {
        gone.removeEventListener('abort', onGone);
        resolve(v);
      },
      (err: unknown) => {
        gone.removeEventListener('abort', onGone);
        reject(err);
      },
    );
  });
}

function removedDuringPin(): EmvError {
  return new EmvError('EMV_CARD_REMOVED', 'cvm', 'the card was removed during PIN entry');
}
