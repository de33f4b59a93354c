import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.js';

/**
 * Where the demo page's files are: the HTML and CSS (`web/` in the package), the page's compiled modules
 * (`dist/web/`, served under /app/) and the typed client (`dist/src/client/index.js`, served as /client.js).
 */
export interface WebAssets {
  /** Holds index.html and style.css. */
  readonly pageDir: string;
  /** Holds the page's compiled ES modules (flat: name.js). */
  readonly appDir: string;
  /** The compiled client library. */
  readonly clientJs: string;
}

/** The page next to this package: this module is dist/src/api/static-files.js, so the package root is three up. */
export function defaultWebAssets(): WebAssets {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return { pageDir: join(root, 'web'), appDir: join(root, 'dist', 'web'), clientJs: join(root, 'dist', 'src', 'client', 'index.js') };
}

/** True when a Host header names this daemon (127.0.0.1, localhost or [::1] with its port): DNS rebinding protection. */
export function isOwnHost(host: string | undefined, port: number): boolean {
  const h = (host ?? '').toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/** True when a request's Origin may use this daemon: the daemon's own page (127.0.0.1, localhost, [::1]) or an allowed one. */
export function isAllowedOrigin(origin: string, port: number, allowedOrigins: readonly string[]): boolean {
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  return own.includes(origin) || allowedOrigins.includes(origin);
}

/** The headers every answer carries: no caching, no framing, no sniffing, no referrer, and a CSP allowing only this origin. */
export function securityHeaders(port: number): Record<string, string> {
  const ws = `ws://127.0.0.1:${port} ws://localhost:${port}`;
  return {
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${ws}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

// Module names under /app/: one flat directory, names of letters, digits and dashes. Anything else (dots, slashes,
// encoded or not) is not a file we serve, so no path ever leaves the directories above.
const APP_MODULE = /^\/app\/([a-z0-9][a-z0-9-]{0,63})\.js$/;

/** The file a URL path maps to, or null (404). */
export function resolveWebPath(pathname: string, assets: WebAssets): string | null {
  if (pathname === '/' || pathname === '/index.html') return join(assets.pageDir, 'index.html');
  if (pathname === '/style.css') return join(assets.pageDir, 'style.css');
  if (pathname === '/client.js') return assets.clientJs;
  const m = APP_MODULE.exec(pathname);
  return m ? join(assets.appDir, `${m[1]}.js`) : null;
}

function contentType(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[file.slice(dot)] ?? 'application/octet-stream';
}

function plain(res: ServerResponse, status: number, headers: Record<string, string>, text: string, head: boolean): void {
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  res.end(head ? undefined : `${text}\n`);
}

/**
 * Answers one HTTP request for the demo page: 403 for a foreign Host (the same rule as the WebSocket upgrade),
 * 405 for anything but GET/HEAD, 404 for a path that is not one of the page's files, else the file.
 */
export async function serveWeb(req: IncomingMessage, res: ServerResponse, assets: WebAssets | null, port: number, logger?: Logger): Promise<void> {
  const headers = securityHeaders(port);
  const head = req.method === 'HEAD';
  if (!isOwnHost(req.headers.host, port)) {
    logger?.warn('HTTP request refused', { reason: 'foreign Host (DNS rebinding protection)', remote: req.socket.remoteAddress });
    return plain(res, 403, headers, 'posbridge: this Host is not this daemon', head);
  }
  if (req.method !== 'GET' && !head) return plain(res, 405, { ...headers, allow: 'GET, HEAD' }, 'posbridge: GET or HEAD only', false);
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return plain(res, 404, headers, 'posbridge: not found', head);
  }
  const file = assets ? resolveWebPath(pathname, assets) : null;
  if (!file) return plain(res, 404, headers, 'posbridge: not found; the page is at / and the API is a WebSocket at /v1', head);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    logger?.warn('demo page file missing', { file, code });
    return plain(res, 404, headers, 'posbridge: the page is not built; run `npm run setup`', head);
  }
  res.writeHead(200, { ...headers, 'content-type': contentType(file), 'content-length': String(body.length) });
  res.end(head ? undefined : body);
}
