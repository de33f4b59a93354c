// The HTTPS endpoint Adyen's libraries call in local mode (POST https://<terminal>:8443/nexo/): decrypts the
// SaleToPOIRequest, has the service answer it, encrypts the answer. A crypto failure is answered 401 as Adyen's
// terminals answer it, and logged with its code only (never the message); the endpoint keeps serving.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import { CRYPTO_ERROR_NUMBERS, NexoError } from './errors.js';
import { decryptMessage, encryptMessage, isSecuredMessage, type NexoKey } from './nexo-crypto.js';
import type { Json } from './nexo-messages.js';

/** What the endpoint needs. */
export interface NexoServerOptions {
  readonly port: number;
  readonly bind: string;
  readonly key: NexoKey;
  /** PEM certificate and private key. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** Answers one decrypted request: the response message, or null for an empty 200 (AbortRequest). */
  readonly handle: (request: Json) => Promise<Json | null>;
  readonly logger: Logger;
}

const MAX_BODY = 256 * 1024;

/** The nexo HTTPS endpoint. */
export class NexoServer {
  private server: Server | null = null;

  /** Binds the endpoint to its options. */
  constructor(private readonly o: NexoServerOptions) {}

  /** Listens; resolves with the port (the one given, or the one picked for 0). */
  async start(): Promise<number> {
    const server = createServer({ cert: this.o.tls.cert, key: this.o.tls.key }, (req, res) => {
      this.serve(req, res).catch((err: unknown) => this.o.logger.error('nexo: answering a request failed', { err }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.bind, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address();
    return typeof a === 'object' && a ? a.port : this.o.port;
  }

  /** Stops listening and drops open connections (a payment they wait for goes on, in the journal). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/nexo' && path !== '/nexo/') return send(res, 404, { errors: ['Not found: POST /nexo/'] });
    if (req.method !== 'POST') return send(res, 405, { errors: ['Method not allowed: POST /nexo/'] });
    let text: string;
    try {
      text = await readBody(req);
    } catch (err) {
      this.o.logger.warn('nexo: request body refused', { err: err instanceof Error ? err.message : String(err) });
      return send(res, 413, { errors: ['Nexo Service: message too large'] });
    }
    let secured: unknown;
    try {
      secured = (JSON.parse(text) as Json).SaleToPOIRequest;
    } catch {
      this.o.logger.warn('nexo: a request that is not JSON', { bytes: text.length });
      return send(res, 400, { errors: ['Nexo Service: invalid JSON'] });
    }
    if (!isSecuredMessage(secured)) {
      this.o.logger.warn('nexo: request refused: not a secured message (unencrypted requests are refused)', { code: 'NEXO_MESSAGE_INVALID' });
      return send(res, 401, { errors: ['Nexo Service: crypto error (4)'] });
    }
    let request: Json;
    try {
      request = (JSON.parse(decryptMessage(secured, this.o.key)) as Json).SaleToPOIRequest as Json;
      if (typeof request !== 'object' || request === null) throw new NexoError('NEXO_MESSAGE_INVALID', 'the decrypted message has no SaleToPOIRequest');
    } catch (err) {
      const code = err instanceof NexoError ? err.code : 'NEXO_MESSAGE_INVALID';
      // Who sent it (header ids) and why it failed; never the blob or anything decrypted.
      this.o.logger.warn('nexo: request refused (crypto)', { code, saleId: secured.MessageHeader.SaleID, serviceId: secured.MessageHeader.ServiceID, keyIdentifier: secured.SecurityTrailer.KeyIdentifier });
      return send(res, 401, { errors: [`Nexo Service: crypto error (${CRYPTO_ERROR_NUMBERS[code] ?? 4})`] });
    }
    const header = (request.MessageHeader ?? {}) as Json;
    this.o.logger.info('nexo: request', { category: header.MessageCategory, saleId: header.SaleID, serviceId: header.ServiceID, poiId: header.POIID });
    let answer: Json | null;
    try {
      answer = await this.o.handle(request);
    } catch (err) {
      this.o.logger.error('nexo: the request failed', { category: header.MessageCategory, err });
      return send(res, 500, { errors: ['Nexo Service: internal error (logged)'] });
    }
    if (!answer) return send(res, 200, null);
    const inner = answer.SaleToPOIResponse as Json;
    send(res, 200, { SaleToPOIResponse: encryptMessage(inner.MessageHeader as Json, JSON.stringify(answer), this.o.key) });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return; // the client went away (or the endpoint is stopping)
  const text = body === null ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
