// A merchant's invoicing service, simulated (docs/simulators.md): an HTTP(S) server on loopback that takes the
// daemon's invoice requests, issues one invoice per Idempotency-Key (a repeat gets the same invoice number back),
// records every request it received, and can be told to fail, drop or refuse the next ones, or to issue and then
// withhold its answer (the answer lost: the sender must repeat with the same key).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** One invoice the simulator issued. */
export interface IssuedInvoice {
  readonly invoiceNumber: string;
  readonly idempotencyKey: string;
  readonly paymentId: string;
  readonly reference: string;
  /** The decimal amount ("12.34"). */
  readonly amount: string;
  readonly currency: string;
  readonly buyer: string;
  readonly maskedPan: string | null;
  /** How many requests carried its key (1 + repeats). */
  deliveries: number;
}

/** One HTTP request as received, and what it was answered. */
export interface ReceivedRequest {
  readonly idempotencyKey: string | null;
  readonly authorization: string | null;
  readonly body: string;
  /** The status answered, or 'dropped' (connection closed), or 'held' (issued, answer withheld). */
  readonly answer: number | 'dropped' | 'held';
}

/** Where it listens, and TLS when given. */
export interface InvoiceSimulatorOptions {
  /** 0 (default): a free port. */
  readonly port?: number;
  /** PEM certificate and key: HTTPS; absent: plain HTTP (loopback only). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

const MAX_BODY = 64 * 1024;

/** The invoicing-service simulator. */
export class InvoiceEndpointSimulator {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly requests: ReceivedRequest[] = [];
  private readonly byKey = new Map<string, IssuedInvoice>();
  private readonly listeners = new Set<(r: ReceivedRequest) => void>();
  private fails = 0;
  private failStatus = 503;
  private failRetryAfter: string | null = null;
  private drops = 0;
  private rejects = 0;
  private holds = 0;
  private seq = 0;

  /** Binds the options (nothing listens before start). */
  constructor(private readonly options: InvoiceSimulatorOptions = {}) {}

  /** Listens on 127.0.0.1; resolves with the URL to configure (…/invoices). */
  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    const server = this.options.tls ? createHttpsServer({ cert: this.options.tls.cert, key: this.options.tls.key }, handler) : createHttpServer(handler);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}/invoices`;
  }

  /** Closes the server and every connection (held answers included). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Answers the next `n` requests with `status` (default 503), with a Retry-After when given; nothing is issued. */
  failNext(n: number, status = 503, retryAfter: string | null = null): void {
    this.fails = n;
    this.failStatus = status;
    this.failRetryAfter = retryAfter;
  }

  /** Closes the connection of the next `n` requests without answering; nothing is issued. */
  dropNext(n: number): void {
    this.drops = n;
  }

  /** Answers the next `n` requests 422 (a permanent refusal); nothing is issued. */
  rejectNext(n: number): void {
    this.rejects = n;
  }

  /** Issues the next `n` requests' invoices but never answers them (as if the answer were lost). */
  holdNext(n: number): void {
    this.holds = n;
  }

  /** Every request received, in order. */
  received(): readonly ReceivedRequest[] {
    return [...this.requests];
  }

  /** The invoices issued, one per idempotency key. */
  invoices(): readonly IssuedInvoice[] {
    return [...this.byKey.values()].map((i) => ({ ...i }));
  }

  /** Calls `fn` after each request is handled; returns the removal. */
  onRequest(fn: (r: ReceivedRequest) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = this.answer(req, res, key, body, size);
      const r: ReceivedRequest = { idempotencyKey: key, authorization: auth, body, answer };
      this.requests.push(r);
      for (const fn of this.listeners) fn(r);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, key: string | null, body: string, size: number): ReceivedRequest['answer'] {
    const json = (status: number, o: unknown, headers: Record<string, string> = {}): number => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(o));
      return status;
    };
    if (this.drops > 0) {
      this.drops--;
      req.socket.destroy();
      return 'dropped';
    }
    if (this.fails > 0) {
      this.fails--;
      return json(this.failStatus, { error: 'simulated failure' }, this.failRetryAfter ? { 'Retry-After': this.failRetryAfter } : {});
    }
    if (this.rejects > 0) {
      this.rejects--;
      return json(422, { error: 'simulated refusal: buyer not accepted' });
    }
    if (req.method !== 'POST') return json(405, { error: 'POST only' });
    if (size > MAX_BODY) return json(413, { error: 'body too large' });
    if (!key || !/^[0-9a-f-]{36}$/i.test(key)) return json(400, { error: 'Idempotency-Key header (a UUID) missing' });
    const invoice = this.issue(key, body);
    if (!invoice) return json(400, { error: 'body is not an invoice request' });
    if (this.holds > 0) {
      this.holds--;
      return 'held';
    }
    return json(200, { invoiceNumber: invoice.invoiceNumber, repeat: invoice.deliveries > 1 });
  }

  /** The key's invoice (a repeat counted), or a new one; null when the body is not an invoice request. */
  private issue(key: string, body: string): IssuedInvoice | null {
    const known = this.byKey.get(key);
    if (known) {
      known.deliveries++;
      return known;
    }
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return null;
    }
    const amount = b.amount as Record<string, unknown> | undefined;
    const buyer = b.buyer as Record<string, unknown> | undefined;
    const card = b.card as Record<string, unknown> | undefined;
    if (typeof b.paymentId !== 'string' || typeof b.reference !== 'string' || typeof amount?.value !== 'string' || typeof amount.currency !== 'string' || typeof buyer?.name !== 'string') return null;
    const invoice: IssuedInvoice = {
      invoiceNumber: `SIM-${String(++this.seq).padStart(8, '0')}`,
      idempotencyKey: key,
      paymentId: b.paymentId,
      reference: b.reference,
      amount: amount.value,
      currency: amount.currency,
      buyer: buyer.name,
      maskedPan: typeof card?.maskedPan === 'string' ? card.maskedPan : null,
      deliveries: 1,
    };
    this.byKey.set(key, invoice);
    return invoice;
  }
}
