// The metrics endpoint's own HTTP server (never the API's): GET /metrics (Prometheus text), /healthz (the process
// answers), /readyz (200 or 503 with the checks). Nothing else is served; no request reaches the payment API here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { DaemonError } from '../config/daemon-errors.js';
import type { Logger } from '../log/logger.js';
import type { Readiness } from './readiness.js';

/** What the server serves. */
export interface MetricsServerOptions {
  readonly bind: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

/** A listening metrics server. */
export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function route(o: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    const text = await o.registry.metrics();
    res.writeHead(200, { 'content-type': o.registry.contentType, 'cache-control': 'no-store' });
    res.end(text);
  } else if (path === '/healthz') json(res, 200, { status: 'alive' });
  else if (path === '/readyz') {
    const r = o.readiness();
    json(res, r.ready ? 200 : 503, r);
  } else json(res, 404, { error: 'not found: /metrics, /healthz, /readyz' });
}

/** Listens on `bind`:`port`; rejects with PORT_IN_USE when the port is taken. */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    route(o, req, res).catch((err: unknown) => {
      o.logger.error('metrics endpoint: answering failed', { path: req.url, err });
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // A scrape is one short request: idle keep-alive connections must not hold the daemon's stop.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new DaemonError('PORT_IN_USE', `the metrics port ${o.port} on ${o.bind} is in use: set metrics.port to a free one`, { port: o.port }) : err));
    server.listen(o.port, o.bind, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : o.port;
  const host = o.bind.includes(':') ? `[${o.bind}]` : o.bind;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
