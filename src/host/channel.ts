import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Logger } from '../log/logger.js';
import { HostError } from './errors.js';
import { encodeFrame, FrameDecoder } from './framing.js';

/**
 * A message pipe to the acquirer host: whole messages in and out (framing is the channel's job).
 * Rules: `send` rejects with HOST_UNREACHABLE when no connection can be made, HOST_CLOSED after `close`;
 * messages arrive in order through `onMessage`; a lost connection is reported through `onState` and re-made
 * on the next send (or by the link's echo), never silently.
 */
export interface HostChannel {
  /** Sends one message; `onWritten` runs the moment the bytes are handed to the network (from then on they may arrive). */
  send(message: Uint8Array, onWritten?: () => void): Promise<void>;
  onMessage(listener: (message: Uint8Array) => void): () => void;
  onState(listener: (state: 'connected' | 'disconnected') => void): () => void;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** Where the host is and how to reach it. */
export interface TcpChannelOptions {
  readonly host: string;
  readonly port: number;
  /** TLS: trusted CA (PEM) and/or the SHA-256 fingerprint of the host certificate's public key (pinning). */
  readonly tls?: { readonly ca?: string; readonly pinSha256?: string; readonly servername?: string };
  readonly connectTimeoutMs?: number;
  /** Reconnect backoff: first delay and cap, ms. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly maxFrame?: number;
  readonly logger?: Logger;
}

/** A TCP (optionally TLS) channel with 2-byte length framing and reconnect with exponential backoff. */
export class TcpHostChannel implements HostChannel {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private closed = false;
  private connectingSocket: Socket | null = null;
  private failures = 0;
  private nextAttemptAt = 0;
  private readonly messageListeners = new Set<(m: Uint8Array) => void>();
  private readonly stateListeners = new Set<(s: 'connected' | 'disconnected') => void>();

  /** Builds an unconnected channel; the first `send` connects. */
  constructor(private readonly options: TcpChannelOptions) {}

  /** True while a connection is up. */
  get connected(): boolean {
    return this.socket !== null;
  }

  /** Subscribes to received messages. */
  onMessage(listener: (message: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Subscribes to connection state changes. */
  onState(listener: (state: 'connected' | 'disconnected') => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Sends one message, connecting first when needed. */
  async send(message: Uint8Array, onWritten?: () => void): Promise<void> {
    const socket = await this.ensureConnected();
    // Closed while we were connecting or waiting for the backoff: nothing was written, and nothing will be.
    if (this.closed) throw new HostError('HOST_CLOSED', 'the host channel closed before the message was sent', { sent: false });
    const frame = encodeFrame(message);
    await new Promise<void>((resolve, reject) => {
      onWritten?.();
      socket.write(frame, (err) => (err ? reject(new HostError('HOST_DISCONNECTED', `send failed: ${err.message}`, {}, err)) : resolve()));
    });
  }

  /** Closes the connection (and any connection being made) and refuses further sends. */
  async close(): Promise<void> {
    this.closed = true;
    this.connectingSocket?.destroy();
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
    s?.destroy();
  }

  private async ensureConnected(): Promise<Socket> {
    if (this.closed) throw new HostError('HOST_CLOSED', 'the host channel is closed');
    if (this.socket) return this.socket;
    if (!this.connecting) {
      const wait = Math.max(0, this.nextAttemptAt - Date.now());
      this.connecting = (async () => {
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.closed) throw new HostError('HOST_CLOSED', 'the host channel closed while waiting to reconnect', { sent: false });
        return this.open();
      })().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private open(): Promise<Socket> {
    const { host, port, tls } = this.options;
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
    return new Promise<Socket>((resolve, reject) => {
      // With a CA the chain and host name are verified as usual; with a pin alone the key itself is the trust anchor
      // (self-signed acquirer certificates), checked on secureConnect before anything is sent.
      const s: Socket = tls
        ? tlsConnect({ host, port, ca: tls.ca, servername: tls.servername ?? host, rejectUnauthorized: tls.ca !== undefined || tls.pinSha256 === undefined })
        : netConnect({ host, port });
      this.connectingSocket = s;
      const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        if (this.connectingSocket === s) this.connectingSocket = null;
        s.destroy();
        this.failures++;
        const b = this.options.backoff ?? { initialMs: 200, maxMs: 10_000 };
        this.nextAttemptAt = Date.now() + Math.min(b.maxMs, b.initialMs * 2 ** (this.failures - 1));
        reject(err instanceof HostError ? err : new HostError('HOST_UNREACHABLE', `cannot reach the host ${host}:${port}: ${err.message}`, { host, port }, err));
      };
      s.once('error', fail);
      s.once(tls ? 'secureConnect' : 'connect', () => {
        if (this.closed) {
          fail(new HostError('HOST_CLOSED', 'the host channel closed while connecting', { sent: false }));
          return;
        }
        const pinError = tls ? this.checkPin((s as TLSSocket).getPeerCertificate()) : undefined;
        if (pinError) {
          fail(pinError);
          return;
        }
        clearTimeout(timer);
        this.connectingSocket = null;
        s.removeListener('error', fail);
        s.setNoDelay(true);
        this.failures = 0;
        this.attach(s);
        resolve(s);
      });
    });
  }

  private checkPin(cert: PeerCertificate): HostError | undefined {
    const pin = this.options.tls?.pinSha256;
    if (!pin) return undefined;
    const got = createHash('sha256').update(cert.pubkey ?? Buffer.alloc(0)).digest('hex');
    if (got.toLowerCase() === pin.toLowerCase().replace(/:/g, '')) return undefined;
    return new HostError('HOST_TLS_PIN_MISMATCH', 'the host certificate does not match the pinned key', { got });
  }

  private attach(s: Socket | TLSSocket): void {
    const decoder = new FrameDecoder(this.options.maxFrame ?? 8192);
    this.socket = s;
    for (const l of this.stateListeners) l('connected');
    s.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.options.logger?.warn('host sent an oversized frame; dropping the connection', { err });
        s.destroy();
        return;
      }
      for (const f of frames) for (const l of this.messageListeners) l(f);
    });
    s.on('error', (err) => this.options.logger?.warn('host connection error', { message: err.message }));
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      for (const l of this.stateListeners) l('disconnected');
    });
  }
}

/** Two channels joined back to back in memory (tests, and the in-process host simulator). */
export function createLoopbackPair(): [HostChannel, HostChannel] {
  const make = (): HostChannel & { peer: ((m: Uint8Array) => void) | null; deliver(m: Uint8Array): void } => {
    const listeners = new Set<(m: Uint8Array) => void>();
    let closed = false;
    return {
      peer: null,
      connected: true,
      deliver(m) {
        if (!closed) queueMicrotask(() => listeners.forEach((l) => l(m)));
      },
      async send(m, onWritten) {
        if (closed) throw new HostError('HOST_CLOSED', 'the loopback channel is closed');
        onWritten?.();
        this.peer?.(m.slice());
      },
      onMessage(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      onState() {
        return () => undefined;
      },
      async close() {
        closed = true;
      },
    };
  };
  const a = make();
  const b = make();
  a.peer = (m) => b.deliver(m);
  b.peer = (m) => a.deliver(m);
  return [a, b];
}
