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
  try {
    await new Promise<void>((resolve) => {
      const timer = opts.timeout !== undefined ? setTimeout(resolve, opts.timeout * 1000) : null;
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
      const unsubscribe = driver.subscribe((e) => {
        if (opts.count !== undefined && seen >= opts.count) return;
        seen++;
        const j = eventJson(e);
        ctx.out(opts.json ? JSON.stringify(j) : [j.at, j.event.padEnd(15), j.reader ?? '', j.atr ? `ATR ${j.atr}` : '', j.reason ?? ''].join('  ').trimEnd());
        if (opts.count !== undefined && seen >= opts.count) {
          if (timer) clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    });
  } finally {
    await driver.close();
  }
  return EXIT.OK;
}
