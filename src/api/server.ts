import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../log/logger.js';
import { redactValue } from '../log/redact.js';
import { roleAllows, type ClientRegistry, type Role } from './clients.js';
import { ApiError } from './errors.js';
import { TokenBucket } from './rate-limit.js';
import { defaultWebAssets, isAllowedOrigin, isOwnHost, serveWeb, type WebAssets } from './static-files.js';
import { API_VERSION, openRpcDocument } from './contract/openrpc.js';
import { serveOpenRpc } from './openrpc-route.js';
import { errorBoundary, idOf, invoke, parseRequest, type MethodSpec, type Session } from './rpc.js';
import { METHODS } from './contract/methods.js';
import { validateParams } from './contract/validate.js';

/** The API's documented default port. */
export const DEFAULT_API_PORT = 17620;
/** The API version `session.hello` reports. */
export { API_VERSION };

/** Limits of one connection. */
export interface ApiLimits {
  /** Larger messages get MESSAGE_TOO_LARGE; four times this closes the connection (1009). */
  readonly maxMessageBytes: number;
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** How the server runs. */
export interface ApiServerOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Origins (scheme://host:port) allowed besides the daemon's own page on 127.0.0.1 and localhost. */
  readonly allowedOrigins: readonly string[];
  readonly clients: ClientRegistry;
  readonly methods: ReadonlyMap<string, MethodSpec>;
  readonly limits?: Partial<ApiLimits>;
  readonly logger?: Logger;
  readonly clock?: () => number;
  /** Lanes reported by session.hello. */
  readonly lanes?: () => unknown[];
  /** The demo page served over HTTP on the same port; omitted: the built page next to the package; null: none. */
  readonly web?: WebAssets | null;
  /**
   * How often the journal is checked for revocations made by another process (`posbridge clients revoke`), ms
   * (default 250): a revoked client's open sessions are then closed. Every call re-checks its token anyway.
   */
  readonly revocationCheckMs?: number;
}

const DEFAULT_LIMITS: ApiLimits = { maxMessageBytes: 64 * 1024, ratePerSecond: 20, burst: 40 };

interface Connection {
  readonly ws: WebSocket;
  readonly session: Session;
  readonly bucket: TokenBucket;
  /** Calls being handled, by request: answered UNAUTHENTICATED at once if the client is revoked meanwhile. */
  readonly inFlight: Set<{ readonly id: string | number | null }>;
  /** Set once the client was revoked: nothing more is sent but the close. */
  revoked: boolean;
}

/** The default period of the revocation check, ms. */
export const DEFAULT_REVOCATION_CHECK_MS = 250;

/**
 * The local WebSocket API: JSON-RPC 2.0 on ws://127.0.0.1:<port>/v1. Listens on loopback only; refuses the upgrade
 * with HTTP 403 (before any WebSocket exists) when Host is not localhost/127.0.0.1/[::1] with our port (DNS
 * rebinding) or when Origin is present and not allowed; then every connection must `session.hello` with a paired
 * token before anything else, and each method checks the caller's role. The token is re-checked against the journal
 * before every call, and a revoked client's open sessions are closed (1008) within one revocation check.
 */
export class ApiServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly limits: ApiLimits;
  private readonly clock: () => number;
  private nextId = 1;
  private boundPort = 0;
  private revocationTimer: NodeJS.Timeout | null = null;
  private revocationStamp = '';

  /** Builds the server; `start` listens. */
  constructor(private readonly options: ApiServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.clock ?? Date.now;
    const web = options.web === undefined ? defaultWebAssets() : options.web;
    // The demo page, same origin as the API (no Local Network Access prompt); same Host rule as the upgrade.
    // The API's OpenRPC document, generated once from the contract; served at /openrpc.json under the same rules.
    const openrpc = JSON.stringify(openRpcDocument(), null, 2);
    this.http = createServer((req, res) => {
      if (serveOpenRpc(req, res, openrpc, this.boundPort, options.allowedOrigins, options.logger)) return;
      serveWeb(req, res, web, this.boundPort, options.logger).catch((err: unknown) => {
        options.logger?.error('HTTP request failed', { err: redactValue(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
      });
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes * 4 });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** The port listened on. */
  get port(): number {
    return this.boundPort;
  }

  /** Listens on 127.0.0.1; resolves with the port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    const a = this.http.address();
    this.boundPort = typeof a === 'object' && a ? a.port : this.options.port;
    this.revocationStamp = this.options.clients.changeStamp();
    this.revocationTimer = setInterval(() => {
      try {
        this.checkRevocations();
      } catch (err) {
        // The journal unreadable for a moment: the next check tries again, and every call checks its token anyway.
        this.options.logger?.error('revocation check failed', { err: redactValue(err) });
      }
    }, this.options.revocationCheckMs ?? DEFAULT_REVOCATION_CHECK_MS);
    this.revocationTimer.unref();
    return this.boundPort;
  }

  /**
   * Closes the sessions of clients revoked since the last check (by this process or another one writing the journal).
   * Runs on a timer; only reads the client table when the journal changed.
   */
  checkRevocations(): void {
    const stamp = this.options.clients.changeStamp();
    if (stamp === this.revocationStamp) return;
    this.revocationStamp = stamp;
    const ids = new Set<number>();
    for (const c of this.connections) if (c.session.client && !c.revoked) ids.add(c.session.client.id);
    for (const id of ids) if (!this.options.clients.isActive(id)) this.closeRevoked(id);
  }

  /** Every open session of a revoked client: its calls in flight answered UNAUTHENTICATED, then closed with 1008. */
  private closeRevoked(clientId: number): void {
    for (const c of this.connections) {
      if (c.session.client?.id !== clientId || c.revoked) continue;
      c.revoked = true;
      const e = new ApiError('UNAUTHENTICATED', 'this client was revoked (`posbridge clients revoke`): pair again', { revoked: true });
      for (const call of c.inFlight) c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: call.id, error: e.toRpc() }));
      c.inFlight.clear();
      c.ws.close(1008, 'client revoked');
      this.options.logger?.warn('API session of a revoked client closed', { client: clientId, connection: c.session.connectionId });
    }
  }

  /** Closes every connection (1001 going away) and stops listening. */
  async stop(): Promise<void> {
    if (this.revocationTimer) clearInterval(this.revocationTimer);
    for (const c of this.connections) c.ws.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Sends a notification to every authenticated connection (whose role passes `role`). */
  notify(method: string, params: Record<string, unknown>, role: Role = 'cashier'): number {
    const text = JSON.stringify({ jsonrpc: '2.0', method, params });
    let sent = 0;
    for (const c of this.connections) {
      if (c.session.client && !c.revoked && roleAllows(c.session.client.role, role)) {
        c.ws.send(text);
        sent++;
      }
    }
    return sent;
  }

  /** Why an upgrade must be refused, or null (exported logic for tests: Host and Origin rules). */
  refusal(req: IncomingMessage): string | null {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/v1') return 'the API path is /v1';
    const host = (req.headers.host ?? '').toLowerCase();
    if (!isOwnHost(host, this.boundPort)) return `Host "${host}" is not this daemon (DNS rebinding protection)`;
    const origin = req.headers.origin;
    if (origin !== undefined && !isAllowedOrigin(origin, this.boundPort, this.options.allowedOrigins)) return `Origin "${origin}" is not allowed`;
    return null;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const why = this.refusal(req);
    if (why) {
      this.options.logger?.warn('API upgrade refused', { reason: why, remote: req.socket.remoteAddress });
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const session: Session = {
      client: null,
      connectionId: this.nextId++,
      stillAuthorized: () => !conn.revoked && session.client !== null && this.options.clients.isActive(session.client.id),
    };
    const conn: Connection = {
      ws,
      session,
      bucket: new TokenBucket(this.limits.ratePerSecond, this.limits.burst, this.clock()),
      inFlight: new Set(),
      revoked: false,
    };
    this.connections.add(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => void this.onMessage(conn, data, isBinary));
    ws.on('close', () => this.connections.delete(conn));
    ws.on('error', (err) => this.options.logger?.warn('API connection error', { message: err.message }));
  }

  private async onMessage(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const text = bytes.toString('utf8');
    // The id is read first so that even a refused message is answered to the request it came from.
    let id: string | number | null = isBinary ? null : idOf(text);
    if (conn.revoked) return; // closing: a revoked session is answered nothing more
    let call: { readonly id: string | number | null } | null = null;
    try {
      if (isBinary) throw new ApiError('INVALID_REQUEST', 'send JSON text frames, not binary');
      if (bytes.length > this.limits.maxMessageBytes) {
        throw new ApiError('MESSAGE_TOO_LARGE', `message of ${bytes.length} bytes; the limit is ${this.limits.maxMessageBytes}`, { limit: this.limits.maxMessageBytes });
      }
      if (!conn.bucket.take(this.clock())) throw new ApiError('RATE_LIMITED', `more than ${this.limits.ratePerSecond} requests a second; slow down`);
      const req = parseRequest(text);
      id = req.id;
      if (!req.notification) conn.inFlight.add((call = { id: req.id }));
      const result = await this.dispatch(req.method, req.params, conn);
      // Revoked while the call ran: it was answered UNAUTHENTICATED already, and the session is closing.
      if (!req.notification && !conn.revoked) conn.ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: result ?? null }));
    } catch (err) {
      if (call) conn.inFlight.delete(call); // answered here, not again by closeRevoked
      const e = errorBoundary(err, (cause, answered) => this.logFailure(cause, answered));
      if (!conn.revoked) conn.ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: e.toRpc() }));
      // A wrong token ends the connection: guessing tokens costs a new connection each time.
      if (e.code === 'UNAUTHENTICATED' && e.details.hello === true) conn.ws.close(1008, 'authentication failed');
      // A token revoked since session.hello: every session of that client ends now, not at its next call.
      if (e.code === 'UNAUTHENTICATED' && e.details.revoked === true && conn.session.client) this.closeRevoked(conn.session.client.id);
    } finally {
      if (call) conn.inFlight.delete(call);
    }
  }

  private async dispatch(method: string, params: Record<string, unknown>, conn: Connection): Promise<unknown> {
    if (method === 'session.hello') return this.hello(params, conn);
    const client = conn.session.client;
    if (!client) throw new ApiError('UNAUTHENTICATED', 'call session.hello with your token first');
    // Checked on every call, not only at session.hello: a token revoked by another process (the CLI) can never act,
    // even before the periodic check closes its session.
    if (!this.options.clients.isActive(client.id)) throw new ApiError('UNAUTHENTICATED', 'this client was revoked (`posbridge clients revoke`): pair again', { revoked: true });
    const spec = this.options.methods.get(method);
    if (!spec) throw new ApiError('METHOD_NOT_FOUND', `no method "${method}"`);
    if (spec.role && !roleAllows(client.role, spec.role)) throw new ApiError('FORBIDDEN', `${method} needs the ${spec.role} role; this client is ${client.role}`);
    return invoke(method, spec, params, conn.session);
  }

  private hello(params: Record<string, unknown>, conn: Connection): unknown {
    const { token } = validateParams('session.hello', METHODS['session.hello'].params, params);
    const client = this.options.clients.authenticate(token, this.clock());
    if (!client) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token: pair this client with `posbridge pair`', { hello: true });
    conn.session.client = client;
    return { role: client.role, apiVersion: API_VERSION, client: client.name, lanes: this.options.lanes?.() ?? [] };
  }

  /** Logs a method's failure (redacted): the daemon's own as an error, a device's or the host's as a warning. */
  private logFailure(err: unknown, answered: ApiError): void {
    if (answered.code === 'INTERNAL_ERROR') this.options.logger?.error('API method failed', { err: redactValue(err) });
    else this.options.logger?.warn('API method answered an error', { code: answered.code, err: redactValue(err) });
  }
}
