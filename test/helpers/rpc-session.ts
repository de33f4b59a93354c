// A raw JSON-RPC session on the daemon's WebSocket API for tests that look at every message (answers,
// notifications, the close code): it keeps them all and waits on arrivals, never on a timer.
import assert from 'node:assert/strict';
import WebSocket from 'ws';

/** One message from the server: an answer (id) or a notification (method). */
export interface RpcMessage {
  id?: number;
  result?: Record<string, unknown>;
  error?: { data: { code: string; details?: Record<string, unknown> } };
  method?: string;
  params?: Record<string, unknown>;
}

/** A logged-in session (session.hello done) that records every message and its close. */
export class RpcSession {
  readonly inbox: RpcMessage[] = [];
  readonly closed: Promise<{ code: number; at: number }>;
  private seq = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.inbox.push(JSON.parse(d.toString()) as RpcMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((res) => ws.once('close', (code) => res({ code, at: Date.now() })));
  }

  /** Opens a session on `ws://127.0.0.1:PORT/v1` (or the URL given) and says hello with `token`. */
  static async open(target: number | string, token: string): Promise<RpcSession> {
    const ws = new WebSocket(typeof target === 'number' ? `ws://127.0.0.1:${target}/v1` : target);
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    const s = new RpcSession(ws);
    const hello = await s.call('session.hello', { token });
    assert.ok(hello.result, JSON.stringify(hello));
    return s;
  }

  /** Sends a request; returns its id. */
  send(method: string, params: Record<string, unknown> = {}): number {
    const id = ++this.seq;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return id;
  }

  /** Sends a request and resolves with its answer. */
  call(method: string, params: Record<string, unknown> = {}): Promise<RpcMessage> {
    return this.answer(this.send(method, params));
  }

  /** The answer to request `id`. */
  answer(id: number): Promise<RpcMessage> {
    return this.waitFor((m) => m.id === id);
  }

  /** The first message (already received or to come) matching `pred`. */
  async waitFor(pred: (m: RpcMessage) => boolean): Promise<RpcMessage> {
    for (;;) {
      const m = this.inbox.find(pred);
      if (m) return m;
      await new Promise<void>((res) => this.waiters.push(res));
    }
  }

  /** The notifications `method` about `paymentId`, in arrival order. */
  about(method: string, paymentId: unknown): Record<string, unknown>[] {
    return this.inbox.filter((m) => m.method === method && m.params?.paymentId === paymentId).map((m) => m.params ?? {});
  }

  /** `method:state` of the end and update notifications about a payment, in arrival order. */
  story(paymentId: unknown): string[] {
    return this.inbox.filter((m) => (m.method === 'payment.completed' || m.method === 'payment.updated') && m.params?.paymentId === paymentId).map((m) => `${String(m.method)}:${String(m.params?.state)}`);
  }
}
