// The `invoice` section of the daemon's configuration (docs/configuration.md, docs/invoices.md): the QR code's URL
// template on customer receipts and the HTTPS endpoint invoice requests are delivered to.
import { ConfigError } from '../config/config-error.js';
import { INVOICE_PLACEHOLDERS, templateParts } from '../receipts/invoice-qr.js';

/** Where invoice requests go. */
export interface InvoiceEndpointConfig {
  /** https://… (http:// only to a loopback address in demo mode). */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra request headers (an API key of the invoicing service). */
  readonly headers: Readonly<Record<string, string>>;
  /** A PEM file of the private CA the endpoint's certificate chains to (besides the system's CAs). */
  readonly ca?: string;
  /** Each attempt's bound, ms (default 10000). */
  readonly timeoutMs: number;
  /** The delay after the first failed attempt, doubled after each (default 5000 ms) … */
  readonly firstRetryMs: number;
  /** … up to this (default 600000 ms: 10 minutes). */
  readonly maxRetryMs: number;
}

/** The `invoice` section as parsed. */
export interface InvoiceConfig {
  /** The URL template of the receipt's QR code; absent: no QR code. */
  readonly qrUrl?: string;
  /** The endpoint, or "simulator" (demo only: the built-in one); absent: invoice.request is disabled. */
  readonly endpoint?: InvoiceEndpointConfig | 'simulator';
}

const KEYS = ['qrUrl', 'endpoint'];
const ENDPOINT_KEYS = ['url', 'token', 'headers', 'ca', 'timeoutMs', 'firstRetryMs', 'maxRetryMs'];
/** Headers the daemon sets itself. */
const OWN_HEADERS = new Set(['idempotency-key', 'content-type', 'content-length', 'host', 'authorization']);

/** True for a host name only this machine reaches. */
function loopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** An https URL, or in demo mode an http one to a loopback address; ConfigError naming `key` otherwise. */
function checkUrl(raw: string, key: string, demo: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(key, `must be an absolute URL ("https://…"); got ${JSON.stringify(raw)}`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && demo && loopbackHost(url.hostname)) return url;
  throw new ConfigError(key, demo ? 'must be https:// (http:// only to 127.0.0.1, ::1 or localhost)' : 'must be https:// (http:// is refused outside demo mode)');
}

/** Checks a QR URL template: known placeholders only, no stray brace, an https URL once filled. */
function parseTemplate(v: unknown, demo: boolean): string {
  const key = 'invoice.qrUrl';
  if (typeof v !== 'string' || v === '' || v.length > 400) throw new ConfigError(key, 'must be a URL template of at most 400 characters, e.g. "https://invoice.example/issue?ref={reference}&amount={amount}"');
  const { names, strayBrace } = templateParts(v);
  const unknown = names.filter((n) => !(INVOICE_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length) throw new ConfigError(key, `unknown placeholder {${unknown[0]}} (known: ${INVOICE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
  if (strayBrace) throw new ConfigError(key, 'has a "{" or "}" that is not part of a {placeholder}');
  const sample = v.replace(/\{[^{}]*\}/g, 'x');
  checkUrl(sample, key, demo);
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\{/i.test(v)) throw new ConfigError(key, 'placeholders go in the path or the query, not in the host');
  return v;
}

function positive(v: unknown, key: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 86_400_000) throw new ConfigError(key, 'must be an integer number of milliseconds, 1..86400000');
  return v;
}

function parseEndpoint(v: unknown, demo: boolean): InvoiceEndpointConfig | 'simulator' {
  if (v === 'simulator') {
    if (!demo) throw new ConfigError('invoice.endpoint', '"simulator" is for demo mode only; give {"url": "https://…"}');
    return 'simulator';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('invoice.endpoint', 'must be {"url": "https://…", "token"?: "…", "headers"?: {…}, "ca"?: "file.pem", "timeoutMs"?: N}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!ENDPOINT_KEYS.includes(k)) throw new ConfigError(`invoice.endpoint.${k}`, `unknown key (known: ${ENDPOINT_KEYS.join(', ')})`);
  if (typeof o.url !== 'string') throw new ConfigError('invoice.endpoint.url', 'must be the https:// URL of the invoicing service');
  checkUrl(o.url, 'invoice.endpoint.url', demo);
  if (o.token !== undefined && (typeof o.token !== 'string' || !/^[!-~]{1,4096}$/.test(o.token))) throw new ConfigError('invoice.endpoint.token', 'must be 1–4096 printable characters without spaces');
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers)) throw new ConfigError('invoice.endpoint.headers', 'must be an object of header names and values');
    for (const [name, value] of Object.entries(o.headers as Record<string, unknown>)) {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(name) || OWN_HEADERS.has(name.toLowerCase())) throw new ConfigError(`invoice.endpoint.headers.${name}`, `must be a header name (letters, digits, -) other than ${[...OWN_HEADERS].join(', ')}`);
      if (typeof value !== 'string' || !/^[ -~]{0,4096}$/.test(value)) throw new ConfigError(`invoice.endpoint.headers.${name}`, 'must be a value of printable characters');
      headers[name] = value;
    }
  }
  if (o.ca !== undefined && (typeof o.ca !== 'string' || o.ca === '')) throw new ConfigError('invoice.endpoint.ca', 'must be the path of a PEM file');
  const firstRetryMs = positive(o.firstRetryMs, 'invoice.endpoint.firstRetryMs', 5000);
  const maxRetryMs = positive(o.maxRetryMs, 'invoice.endpoint.maxRetryMs', 600_000);
  if (maxRetryMs < firstRetryMs) throw new ConfigError('invoice.endpoint.maxRetryMs', 'must be at least firstRetryMs');
  return {
    url: o.url,
    ...(typeof o.token === 'string' ? { token: o.token } : {}),
    headers,
    ...(typeof o.ca === 'string' ? { ca: o.ca } : {}),
    timeoutMs: positive(o.timeoutMs, 'invoice.endpoint.timeoutMs', 10_000),
    firstRetryMs,
    maxRetryMs,
  };
}

/** Validates the `invoice` section (undefined: no QR code, invoice.request disabled); ConfigError names the bad key. */
export function parseInvoiceConfig(v: unknown, demo: boolean): InvoiceConfig | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('invoice', 'must be {"qrUrl"?: "https://…{reference}…", "endpoint"?: {"url": "https://…"}}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new ConfigError(`invoice.${k}`, `unknown key (known: ${KEYS.join(', ')})`);
  return {
    ...(o.qrUrl !== undefined ? { qrUrl: parseTemplate(o.qrUrl, demo) } : {}),
    ...(o.endpoint !== undefined ? { endpoint: parseEndpoint(o.endpoint, demo) } : {}),
  };
}
