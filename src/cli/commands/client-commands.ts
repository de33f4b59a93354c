import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { PosbridgeApiError, PosbridgeClient, type WebSocketFactory } from '../../client/index.js';
import { DEFAULT_API_PORT } from '../../api/server.js';
import { currencyExponent, formatMinor } from '../../util/currency.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { parseAmount } from '../amount.js';

/** Connection options of the client commands. */
export interface ClientCliOptions {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

function client(opts: ClientCliOptions): PosbridgeClient {
  const token = opts.token ?? process.env.POSBRIDGE_TOKEN;
  if (!token) throw new UsageError('give --token T (or set POSBRIDGE_TOKEN); pair one with `posbridge pair --role cashier`');
  return new PosbridgeClient({ url: opts.url ?? `ws://127.0.0.1:${DEFAULT_API_PORT}/v1`, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
}

/**
 * Reports the daemon's refusal and returns the exit code: as `posbridge: CODE: message` on stderr, or with `--json`
 * as one JSON document `{"error":{"code","message","retriable"}}` on stdout (the exit code is the same either way).
 */
function apiFailure(ctx: CliContext, err: unknown, json: boolean | undefined): number {
  if (err instanceof PosbridgeApiError) {
    if (json) ctx.out(JSON.stringify({ error: { code: err.code, message: err.message, retriable: err.retriable } }));
    else ctx.err(`posbridge: ${err.code}: ${err.message}`);
    return err.code === 'DISCONNECTED' ? EXIT.NO_SERVICE : err.code === 'INVALID_PARAMS' || err.code === 'NOT_FOUND' ? EXIT.USAGE : EXIT.FAILED;
  }
  throw err;
}

/** `posbridge sale|refund --amount 12.34 --currency EUR [--lane L] [--reference R]`: a payment through the daemon. */
export async function payCommand(ctx: CliContext, type: 'sale' | 'refund', opts: ClientCliOptions & { amount: string; currency: string; lane?: string; reference?: string }, signal?: AbortSignal): Promise<number> {
  if (!/^[A-Z]{3}$/.test(opts.currency)) throw new UsageError(`--currency is an ISO 4217 alpha code like EUR, got "${opts.currency}"`);
  // --amount is in major units: "1234" yen is 1234 minor units, "12.34" euros 1234 (ISO 4217 exponent).
  const amount = parseAmount(opts.amount, currencyExponent(opts.currency));
  const c = client(opts);
  try {
    await c.connect();
    const lane = opts.lane ?? c.session?.lanes[0]?.lane ?? 'A';
    let last = '';
    const show = (m: string): void => {
      if (opts.json || m === last) return;
      last = m;
      ctx.err(m);
    };
    const info = await c.pay({ lane, type, amount, currency: opts.currency, reference: opts.reference ?? randomUUID() }, { ...(signal ? { signal } : {}), onProgress: show });
    if (opts.json) ctx.out(JSON.stringify(info));
    else ctx.out(`${(info.result ?? info.state).toUpperCase()}  ${info.maskedPan ?? ''}  ${info.authCode ? `auth ${info.authCode}` : ''}  ref ${info.reference}`.replace(/ +/g, ' ').trim());
    return info.result === 'approved' ? EXIT.OK : EXIT.FAILED;
  } catch (err) {
    return apiFailure(ctx, err, opts.json);
  } finally {
    c.close();
  }
}

/** `posbridge status REFERENCE`: where a payment stands, from the daemon's journal. */
export async function statusCommand(ctx: CliContext, reference: string, opts: ClientCliOptions): Promise<number> {
  const c = client(opts);
  try {
    const info = await c.paymentStatus({ reference });
    if (opts.json) ctx.out(JSON.stringify(info));
    // The API gives minor units (ISO 4217 exponent of the currency): 1234 EUR is shown as "12.34 EUR".
    else ctx.out(`${info.reference}: ${info.state}${info.result ? ` (${info.result})` : ''} ${info.maskedPan ?? ''} ${formatMinor(info.amount, info.currency)}`.replace(/ +/g, ' ').trim());
    return EXIT.OK;
  } catch (err) {
    return apiFailure(ctx, err, opts.json);
  } finally {
    c.close();
  }
}
