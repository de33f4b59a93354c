import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import { isAllowedOrigin, isOwnHost, securityHeaders } from './static-files.js';

/** Where the API's OpenRPC document is served on the API port. */
export const OPENRPC_PATH = '/openrpc.json';

function refuse(res: ServerResponse, status: number, headers: Record<string, string>, text: string, head: boolean): true {
  res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  res.end(head ? undefined : `${text}\n`);
  return true;
}

/**
 * Answers GET/HEAD /openrpc.json with the API's OpenRPC document and returns true; returns false for any other path
 * (the page's files). The rules are the WebSocket upgrade's: 403 for a foreign Host (DNS rebinding) or an Origin that
 * is neither the daemon's own page nor in `allowedOrigins`; an allowed foreign Origin may read it (CORS). No token:
 * the document is the published contract (also docs/openrpc.json in the package) and holds nothing of this shop.
 */
export function serveOpenRpc(req: IncomingMessage, res: ServerResponse, body: string, port: number, allowedOrigins: readonly string[], logger?: Logger): boolean {
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return false; // not a URL we serve: the page's handler answers 404
  }
  if (pathname !== OPENRPC_PATH) return false;
  const headers = securityHeaders(port);
  const head = req.method === 'HEAD';
  if (!isOwnHost(req.headers.host, port)) {
    logger?.warn('HTTP request refused', { reason: 'foreign Host (DNS rebinding protection)', path: pathname, remote: req.socket.remoteAddress });
    return refuse(res, 403, headers, 'posbridge: this Host is not this daemon', head);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !isAllowedOrigin(origin, port, allowedOrigins)) {
    logger?.warn('HTTP request refused', { reason: 'Origin not allowed', origin, path: pathname });
    return refuse(res, 403, headers, `posbridge: Origin "${origin}" is not allowed`, head);
  }
  if (req.method !== 'GET' && !head) return refuse(res, 405, { ...headers, allow: 'GET, HEAD' }, 'posbridge: GET or HEAD only', false);
  const cors = origin !== undefined ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
  res.writeHead(200, { ...headers, ...cors, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
  return true;
}
