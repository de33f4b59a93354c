// One delivery attempt of an invoice request: POST the body as JSON with its Idempotency-Key over HTTPS (node:https;
// http only for the demo's loopback simulator), bounded by a timeout, and the answer classified: delivered, try again
// (network error, timeout, 408, 429, 5xx; Retry-After kept), or refused for good (any other 4xx).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** Where and how requests are sent. */
export interface SenderOptions {
  readonly url: string;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** PEM text of a private CA trusted besides the system's. */
  readonly caPem?: string;
  readonly timeoutMs: number;
}

/** What one attempt came to. */
export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly invoiceNumber: string | null }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'permanent'; readonly error: string };

/** Sends one attempt; never rejects (every failure is an outcome; an abort is a 'retry'). */
export type SendAttempt = (idempotencyKey: string, body: string, signal?: AbortSignal) => Promise<SendOutcome>;

/** The most of an answer's body read (for its invoice number or error words). */
const MAX_ANSWER = 64 * 1024;

/** Retry-After as ms from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), 86_400) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.min(at - now, 86_400_000));
}

/** The invoice number of a 2xx answer's JSON (`invoiceNumber`, a string), else null. */
function invoiceNumberOf(text: string): string | null {
  try {
    const j: unknown = JSON.parse(text);
    const n = typeof j === 'object' && j !== null ? (j as Record<string, unknown>).invoiceNumber : undefined;
    return typeof n === 'string' && n.length <= 100 ? n : null;
  } catch {
    return null; // a 2xx is a delivery whatever its body says
  }
}

/** How an HTTP answer is taken. */
function classify(res: IncomingMessage, text: string, now: number): SendOutcome {
  const status = res.statusCode ?? 0;
  const words = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const error = `HTTP ${status}${words ? `: ${words}` : ''}`;
  if (status >= 200 && status < 300) return { kind: 'delivered', status, invoiceNumber: invoiceNumberOf(text) };
  const header = res.headers['retry-after'];
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', error, retryAfterMs: retryAfterMs(Array.isArray(header) ? header[0] : header, now) };
  return { kind: 'permanent', error };
}

/** A sender to the configured endpoint (one keep-alive agent; the private CA added to the system's). */
export function invoiceSender(o: SenderOptions, clock: () => number = Date.now): SendAttempt {
  const url = new URL(o.url);
  const secure = url.protocol === 'https:';
  const agent = secure ? new Agent({ keepAlive: false, ...(o.caPem ? { ca: [...rootCertificates, o.caPem] } : {}) }) : undefined;
  return (idempotencyKey, body, signal) =>
    new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const done = (out: SendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        resolve(out);
      };
      const headers = {
        ...o.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
        'Idempotency-Key': idempotencyKey,
        ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}),
      };
      const req = (secure ? httpsRequest : httpRequest)(url, { method: 'POST', headers, ...(agent ? { agent } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => done(classify(res, Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER), clock())));
        res.on('error', (err) => done({ kind: 'retry', error: `answer broken: ${err.message}`, retryAfterMs: null }));
      });
      const timer = setTimeout(() => {
        done({ kind: 'retry', error: `no answer within ${o.timeoutMs} ms`, retryAfterMs: null });
        req.destroy();
      }, o.timeoutMs);
      req.on('error', (err) => done({ kind: 'retry', error: `cannot reach the endpoint: ${err.message}`, retryAfterMs: null }));
      // The daemon stopping does not wait for a slow answer: the attempt is dropped and sent again at the next start.
      const abort = (): void => {
        done({ kind: 'retry', error: 'the daemon stopped before the answer', retryAfterMs: 0 });
        req.destroy();
      };
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
      req.end(body);
    });
}
