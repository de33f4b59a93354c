/**
 * How a raced call ends when it does not settle in time or is aborted. The errors are the caller's own: this helper
 * sits below every layer and knows none of their error classes.
 */
export type RaceOptions = {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** The error to reject with when `timeoutMs` passes first. */
  readonly onTimeout: () => Error;
} & (
  | { readonly signal?: undefined; readonly onCancel?: undefined }
  | {
      /** Abort the wait (undefined: the call cannot be aborted). */
      readonly signal: AbortSignal | undefined;
      /** The error to reject with when `signal` aborts, given the signal's reason. */
      readonly onCancel: (reason: unknown) => Error;
    }
);

/** Resolves with `p`, or rejects with `onTimeout()` after `timeoutMs`, or with `onCancel(reason)` when aborted. */
export function raceWithTimeout<T>(p: Promise<T>, options: RaceOptions): Promise<T> {
  const { timeoutMs, onTimeout, signal, onCancel } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted && onCancel) {
      p.catch(() => undefined); // the abandoned exchange may still fail; it has no one left to tell
      reject(onCancel(signal.reason));
      return;
    }
    const onAbort = (): void => {
      cleanup();
      if (onCancel) reject(onCancel(signal?.reason));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(onTimeout());
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        cleanup();
        resolve(v);
      },
      (e: unknown) => {
        cleanup();
        reject(e);
      },
    );
  });
}
