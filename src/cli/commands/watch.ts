import { toHex } from '../../apdu/hex.js';
import type { ReaderEvent } from '../../drivers/pcsc/types.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** Options of `posbridge watch`. */
export interface WatchOptions {
  readonly json?: boolean;
  /** Stop after this many events. */
  readonly count?: number;
  /** Stop after this many seconds. */
  readonly timeout?: number;
  /** Ends the watch early (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** The JSON line of one event: {event, reader?, atr?, at}. */
export function eventJson(e: ReaderEvent): Record<string, string> {
  const out: Record<string, string> = { event: e.type };
  if ('reader' in e) out.reader = e.reader;
  if (e.type === 'card-inserted') out.atr = toHex(e.atr);
  if ((e.type === 'service-lost' || e.type === 'service-back') && e.reason) out.reason = e.reason;
  out.at = e.at.toISOString();
  return out;
}

/** `posbridge watch`: prints reader, card and service events as they happen (existing readers and cards first). */
export async function watchCommand(ctx: CliContext, opts: WatchOptions): Promise<number> {
  const driver = await ctx.createReaderDriver();
  let seen = 0;
  let timer: NodeJS.Timeout | null = null;
  let onAbort = (): void => undefined;
  let unsubscribe = (): void => undefined;
  try {
    await new Promise<void>((resolve) => {
      // Every way out (count, timeout, Ctrl-C) clears the others: a pending timer would keep the process alive
      // for the rest of --timeout after Ctrl-C, and a listener left on a shared driver would keep printing.
      if (opts.signal?.aborted) return resolve();
      onAbort = resolve;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeout !== undefined) timer = setTimeout(resolve, opts.timeout * 1000);
      unsubscribe = driver.subscribe((e) => {
        if (opts.count !== undefined && seen >= opts.count) return;
        seen++;
        const j = eventJson(e);
        ctx.out(opts.json ? JSON.stringify(j) : [j.at, j.event.padEnd(15), j.reader ?? '', j.atr ? `ATR ${j.atr}` : '', j.reason ?? ''].join('  ').trimEnd());
        if (opts.count !== undefined && seen >= opts.count) resolve();
      });
    });
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
    await driver.close();
  }
  return EXIT.OK;
}
