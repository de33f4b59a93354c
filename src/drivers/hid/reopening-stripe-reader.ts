import { HidError } from './errors.js';
import type { HidDeviceInfo, StripeReader, SwipeResult } from './types.js';

/**
 * A stripe reader that outlives unplugs: it opens the device when it can, hands on its swipes, and after an unplug
 * (or while the device is absent) tries again every `retryMs` until `close()`. Its iteration ends only at close.
 * `closed` says whether a device is attached right now; `lastError` why not.
 */
export class ReopeningStripeReader implements StripeReader {
  #inner: StripeReader | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;
  #lastError: string | null = null;

  /** `open` attaches the device (rejecting with a HidError when it cannot); `onChange` hears each new state. */
  constructor(
    private readonly open: () => Promise<StripeReader>,
    private readonly retryMs = 3000,
    private readonly onChange: (state: { readonly attached: boolean; readonly code: string | null }) => void = () => undefined,
  ) {}

  /** The attached device (vendor/product 0 when none). */
  get device(): HidDeviceInfo {
    return this.#inner?.device ?? { vendorId: 0, productId: 0 };
  }

  /** True while no device is attached (and after close). */
  get closed(): boolean {
    return this.#stopped || this.#inner === null || this.#inner.closed;
  }

  /** Why the device is not attached: the last HidError code (null while attached). */
  get lastError(): string | null {
    return this.closed ? this.#lastError : null;
  }

  /** Swipes from whichever device is attached, across unplugs, until close. */
  swipes(): AsyncIterableIterator<SwipeResult> {
    return this.#run();
  }

  /** Drops the attached reader's buffered swipes. */
  discardPending(): void {
    this.#inner?.discardPending();
  }

  /** Stops retrying and releases the device. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#inner?.close();
  }

  async *#run(): AsyncGenerator<SwipeResult> {
    while (!this.#stopped) {
      if (this.#inner === null || this.#inner.closed) {
        try {
          this.#inner = await this.open();
          this.#note(null);
        } catch (err) {
          if (!(err instanceof HidError)) throw err;
          this.#note(err.code);
          await this.#sleep();
          continue;
        }
      }
      try {
        for await (const r of this.#inner.swipes()) yield r;
      } catch (err) {
        if (!(err instanceof HidError)) throw err;
        this.#note(err.code);
      }
      if (!this.#stopped) await this.#sleep();
    }
  }

  #note(code: string | null): void {
    if (code === this.#lastError && code !== null) return; // an absent device is reported once, not every retry
    this.#lastError = code;
    this.onChange({ attached: code === null, code });
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.#wake = null;
        resolve();
      };
      const t = setTimeout(done, this.retryMs);
      t.unref();
      this.#wake = done;
    });
  }
}
