import { ReaderError } from '../drivers/pcsc/errors.js';

/** The error an aborted exchange rejects with. */
function cancelled(reason: unknown): ReaderError {
  return new ReaderError('CANCELLED', 'the exchange was cancelled', {}, reason);
}

/** Resolves with `p`, or rejects with `onTimeout()` after `ms`, or with the signal's reason when aborted. */
export function raceWithTimeout<T>(p: Promise<T>, ms: number, signal: AbortSignal | undefined, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      p.catch(() => undefined); // the abandoned exchange may still fail; it has no one left to tell
      reject(cancelled(signal.reason));
      return;
    }
    const onAbort = (): void => {
      cleanup();
      reject(cancelled(signal?.reason));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(onTimeout());
    }, ms);
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
