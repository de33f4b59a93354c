// posbridge/client: the typed client of the daemon's WebSocket API, for browsers and Node, with no runtime
// dependencies. In a browser it uses the global WebSocket; in Node 20 pass one (e.g. `import WebSocket from 'ws'`).

// Types only: they come from the API contract's schemas (src/api/contract/) and are erased when compiled, so the
// client stays free of runtime dependencies.
import type { Static } from '@sinclair/typebox';
import type { MethodName, MethodParams, MethodResult } from '../api/contract/methods.js';
import type { NotificationName, NotificationParams } from '../api/contract/notifications.js';
import type { LaneDevices, Payment, PaymentUpdate as PaymentUpdateShape, PrinterState as PrinterStateShape } from '../api/contract/shapes.js';

/** The WebSocket surface the client needs (the browser's, or the `ws` package's). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** A constructor of WebSockets. */
export type WebSocketFactory = new (url: string) => WebSocketLike;

/** A payment as the API shows it (never a full PAN): the contract's Payment schema. */
export type PaymentInfo = Static<typeof Payment>;

/**
 * A payment's change after its end (`payment.updated`; docs/api.md, "Payment states"): the payment as after the
 * change, and what changed — `state` (moved from `from`), `captured` (`capturedAmount`), `reversal-manual` (its
 * reversal needs a person); other values may come later.
 */
export type PaymentUpdate = Static<typeof PaymentUpdateShape>;

/** A printer's status as devices.list reports it. */
export type PrinterState = Static<typeof PrinterStateShape>;

/** One lane's devices (devices.list). */
export type LaneDevicesInfo = Static<typeof LaneDevices>;

/** A method's params, by method name (from the contract). */
export type Params<N extends MethodName> = MethodParams<N>;
/** A method's result, by method name (from the contract). */
export type Result<N extends MethodName> = MethodResult<N>;

/**
 * What starts a payment: payment.start's params, with `currency` any string (a form's or a command line's value):
 * the daemon checks it against the contract's list and answers INVALID_PARAMS naming `currency`.
 */
export type PaymentRequest = Omit<Params<'payment.start'>, 'currency'> & { currency: string };

/** Notifications, by method name (from the contract), and the client's own `connection` event. */
export type PosbridgeEvents = { [N in NotificationName]: NotificationParams<N> } & {
  /** The connection state of the client itself. */
  connection: { state: 'connected' | 'disconnected' | 'reconnecting' };
};

/** An error answered by the daemon: stable `code`, `retriable`. */
export class PosbridgeApiError extends Error {
  /** Builds the error from the JSON-RPC error object. */
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    readonly rpcCode: number,
  ) {
    super(message);
    this.name = 'PosbridgeApiError';
  }
}

/** How to connect. */
export interface ClientOptions {
  readonly url: string;
  readonly token: string;
  /** Needed in Node 20 (no global WebSocket). */
  readonly WebSocket?: WebSocketFactory;
  /** Reconnect delays: first and cap, ms (default 250 and 5000). */
  readonly reconnect?: { readonly initialMs: number; readonly maxMs: number } | false;
  /** Per-call timeout, ms (default 15 000). */
  readonly callTimeoutMs?: number;
}

type Listener<K extends keyof PosbridgeEvents> = (payload: PosbridgeEvents[K]) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A connection to the daemon: typed methods, typed events, automatic reconnect with a new `session.hello`, and
 * `payment.status` recovery after a reconnect (what the daemon journaled is the truth).
 */
export class PosbridgeClient {
  private ws: WebSocketLike | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  private closed = false;
  private attempt = 0;
  private ready: Promise<void> | null = null;
  /** The role and lanes from session.hello. */
  session: Result<'session.hello'> | null = null;

  /** Builds the client; `connect` opens it. */
  constructor(private readonly options: ClientOptions) {}

  /** Opens the connection and says hello; resolves when the session is ready. */
  connect(): Promise<void> {
    this.closed = false;
    this.ready ??= this.open();
    return this.ready;
  }

  /** Closes for good (no reconnect); pending calls fail. */
  close(): void {
    this.closed = true;
    this.ws?.close(1000, 'client closed');
    this.failAll(new PosbridgeApiError('CLOSED', 'the client was closed', false, 0));
  }

  /** Subscribes to a notification; returns the unsubscribe function. */
  on<K extends keyof PosbridgeEvents>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (p: unknown) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (p: unknown) => void);
  }

  /** Starts a payment (idempotent by `reference`). */
  startPayment(p: PaymentRequest, signal?: AbortSignal): Promise<Result<'payment.start'>> {
    return this.call('payment.start', p, signal);
  }

  /** The payment's current state or final result, by id or reference. */
  paymentStatus(q: { paymentId: string } | { reference: string }, signal?: AbortSignal): Promise<Result<'payment.status'>> {
    return this.call('payment.status', q, signal);
  }

  /** Cancels a running payment (reversed if the request already left). */
  cancelPayment(paymentId: string): Promise<Result<'payment.cancel'>> {
    return this.call('payment.cancel', { paymentId });
  }

  /** Payments created between two times (ISO 8601). */
  listPayments(range: Params<'payment.list'> = {}): Promise<Result<'payment.list'>> {
    return this.call('payment.list', range);
  }

  /** A payment's receipt as text and an SVG preview. */
  receipt(paymentId: string, copy: 'customer' | 'merchant' = 'customer'): Promise<Result<'receipt.get'>> {
    return this.call('receipt.get', { paymentId, copy });
  }

  /** Prints a payment's receipt once, or queues it until the printer can; `reprint` prints again, marked COPY (ALREADY_PRINTED otherwise). */
  printReceipt(paymentId: string, copy: 'customer' | 'merchant' = 'customer', reprint = false): Promise<Result<'receipt.print'>> {
    return this.call('receipt.print', { paymentId, copy, reprint });
  }

  /** The lanes with their reader, PIN pad, printer and display. */
  devices(): Promise<Result<'devices.list'>> {
    return this.call('devices.list', {});
  }

  /** Opens the lane's cash drawer (a kick on its receipt printer's drawer port). */
  openDrawer(lane: string): Promise<Result<'drawer.open'>> {
    return this.call('drawer.open', { lane });
  }

  /**
   * Runs a payment to its end: starts it, and resolves with the final payment (from payment.completed, or from
   * payment.status after a reconnect). Aborting the signal cancels the payment.
   */
  async pay(p: PaymentRequest, opts: { signal?: AbortSignal; onProgress?: (m: string) => void } = {}): Promise<PaymentInfo> {
    const started = await this.startPayment(p);
    return new Promise<PaymentInfo>((resolve, reject) => {
      const offs: (() => void)[] = [];
      const finish = (info: PaymentInfo): void => {
        offs.forEach((f) => f());
        resolve(info);
      };
      offs.push(this.on('payment.completed', (info) => info.paymentId === started.paymentId && finish(info)));
      offs.push(this.on('payment.progress', (m) => m.paymentId === started.paymentId && opts.onProgress?.(m.message)));
      offs.push(
        this.on('connection', (c) => {
          if (c.state !== 'connected') return;
          this.paymentStatus({ paymentId: started.paymentId }).then((s) => s.result && finish(s), (e: unknown) => reject(e));
        }),
      );
      opts.signal?.addEventListener('abort', () => void this.cancelPayment(started.paymentId).catch((e: unknown) => reject(e)), { once: true });
      // Already finished (a repeated reference): the status says so.
      this.paymentStatus({ paymentId: started.paymentId }).then((s) => s.result && finish(s), (e: unknown) => reject(e));
    });
  }

  /** Calls a method of the contract with its typed params and result. */
  call<N extends MethodName>(method: N, params: Params<N>, signal?: AbortSignal): Promise<Result<N>>;
  /** Calls any method by name (one the contract does not know: the result's type is the caller's to say). */
  call<T>(method: string, params: object, signal?: AbortSignal): Promise<T>;
  /** Calls any method (typed helpers above cover the common ones). */
  async call<T>(method: string, params: object, signal?: AbortSignal): Promise<T> {
    await this.connect();
    return this.rawCall<T>(method, params, signal);
  }

  private rawCall<T>(method: string, params: object, signal?: AbortSignal): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(new PosbridgeApiError('DISCONNECTED', 'not connected to the daemon', true, 0));
    if (signal?.aborted) return Promise.reject(new PosbridgeApiError('ABORTED', 'aborted', false, 0));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new PosbridgeApiError('TIMEOUT', `${method}: no answer from the daemon`, true, 0));
      }, this.options.callTimeoutMs ?? 15_000);
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject, timer });
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new PosbridgeApiError('ABORTED', 'aborted', false, 0));
      }, { once: true });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  private open(): Promise<void> {
    const Impl = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
    if (!Impl) return Promise.reject(new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package) in Node 20'));
    return new Promise<void>((resolve, reject) => {
      const ws = new Impl(this.options.url);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.rawCall<Result<'session.hello'>>('session.hello', { token: this.options.token }).then(
          (s) => {
            this.session = s;
            this.attempt = 0;
            this.emit('connection', { state: 'connected' });
            resolve();
          },
          (e: unknown) => {
            reject(e);
            this.closed = true; // a refused token is not retried
          },
        );
      };
      ws.onmessage = (ev) => this.onMessage(String(ev.data));
      ws.onerror = () => undefined; // the close that follows decides
      ws.onclose = () => {
        this.failAll(new PosbridgeApiError('DISCONNECTED', 'the connection to the daemon closed', true, 0));
        this.ready = null;
        if (!opened) reject(new PosbridgeApiError('DISCONNECTED', `cannot connect to ${this.options.url}`, true, 0));
        this.emit('connection', { state: 'disconnected' });
        this.scheduleReconnect();
      };
    });
  }

  private scheduleReconnect(): void {
    const r = this.options.reconnect ?? { initialMs: 250, maxMs: 5000 };
    if (this.closed || r === false) return;
    const delay = Math.min(r.maxMs, r.initialMs * 2 ** this.attempt++);
    this.emit('connection', { state: 'reconnecting' });
    setTimeout(() => {
      if (this.closed || this.ready) return;
      this.ready = this.open();
      this.ready.catch(() => undefined); // the next close schedules the next try
    }, delay);
  }

  private onMessage(text: string): void {
    let m: { id?: number; result?: unknown; error?: { code: number; message: string; data?: { code?: string; retriable?: boolean } }; method?: string; params?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return; // the daemon only sends JSON; anything else is not ours to answer
    }
    if (typeof m.method === 'string') {
      this.emit(m.method as keyof PosbridgeEvents, m.params as never);
      return;
    }
    if (typeof m.id !== 'number') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error) p.reject(new PosbridgeApiError(m.error.data?.code ?? 'ERROR', m.error.message, m.error.data?.retriable ?? false, m.error.code));
    else p.resolve(m.result);
  }

  private emit<K extends keyof PosbridgeEvents>(event: K, payload: PosbridgeEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }
}
