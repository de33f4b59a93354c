import type { Logger } from '../log/logger.js';
import type { Iso8583Message } from './iso8583/message.js';
import type { HostChannel } from './channel.js';
import { HostError } from './errors.js';

/** How messages become bytes and back: the spec-driven codec, bound to a spec. */
export interface MessageCodec {
  pack(message: Iso8583Message): Uint8Array;
  unpack(bytes: Uint8Array): Iso8583Message;
}

/** The MTI a request is answered with: the function digit + 1 (0200 → 0210, 0420/0421 → 0430, 0800 → 0810). */
export function responseMti(mti: string): string {
  if (!/^\d{4}$/.test(mti)) return mti;
  return `${mti.slice(0, 2)}${Number(mti[2]) + 1}0`;
}

/** The key pairing a response with its request: response MTI + STAN (11) + terminal ID (41). */
export function matchKey(m: Iso8583Message, isRequest: boolean): string {
  const mti = isRequest ? responseMti(m.mti) : `${m.mti.slice(0, 3)}0`;
  return `${mti}|${m.text(11) ?? ''}|${m.text(41) ?? ''}`;
}

interface Pending {
  resolve(m: Iso8583Message): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** The channel accepted the bytes: from here on the request may have reached the host. */
  sent: boolean;
}

/**
 * Pairs each response with its request (as jPOS's MUX does): by MTI class, STAN and terminal
 * ID, with a per-request timeout. Late and duplicate responses are logged and dropped; an unparseable message
 * fails every pending request with HOST_RESPONSE_INVALID, and a dropped connection with HOST_DISCONNECTED (each
 * is then ambiguous, so the caller reverses it).
 */
export class RequestMatcher {
  private readonly pending = new Map<string, Pending>();
  private readonly unsubscribe: () => void;
  private readonly unmatched = new Set<(m: Iso8583Message) => void>();

  /** Listens on the channel for responses. */
  constructor(
    private readonly channel: HostChannel,
    private readonly codec: MessageCodec,
    private readonly logger?: Logger,
  ) {
    const offMessage = channel.onMessage((bytes) => this.onMessage(bytes));
    // A response never crosses connections: when the line drops, what is in flight has no answer to wait for.
    const offState = channel.onState((state) => {
      if (state === 'disconnected') this.failAll((key) => new HostError('HOST_DISCONNECTED', `the host connection dropped with ${key} in flight`));
    });
    this.unsubscribe = () => {
      offMessage();
      offState();
    };
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Messages that matched no request (late, duplicate, or unsolicited). */
  onUnmatched(listener: (m: Iso8583Message) => void): () => void {
    this.unmatched.add(listener);
    return () => this.unmatched.delete(listener);
  }

  /** Sends `request` and resolves with its response, or rejects HOST_TIMEOUT after `timeoutMs`. */
  request(request: Iso8583Message, timeoutMs: number): Promise<Iso8583Message> {
    const key = matchKey(request, true);
    if (this.pending.has(key)) return Promise.reject(new HostError('HOST_RESPONSE_INVALID', `a request with key ${key} is already in flight`));
    const bytes = this.codec.pack(request);
    return new Promise<Iso8583Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new HostError('HOST_TIMEOUT', `no response to ${request.mti} STAN ${request.text(11) ?? '?'} within ${timeoutMs} ms`, { mti: request.mti, stan: request.text(11) }));
      }, timeoutMs);
      const entry: Pending = { resolve, reject, timer, sent: false };
      this.pending.set(key, entry);
      this.channel.send(bytes, () => {
        entry.sent = true;
      }).then(undefined, (err: unknown) => {
        const p = this.pending.get(key);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(key);
        reject(err instanceof HostError ? err : new HostError('HOST_DISCONNECTED', String(err), {}, err));
      });
    });
  }

  /**
   * Stops listening and fails what is still pending with HOST_CLOSED; `details.sent` tells whether the request had
   * been handed to the channel (then it may have reached the host, and its fate is unknown).
   */
  close(): void {
    this.unsubscribe();
    this.failAll((key, sent) => new HostError('HOST_CLOSED', `the link closed with ${key} in flight`, { sent }));
  }

  private failAll(error: (key: string, sent: boolean) => HostError): void {
    for (const [key, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error(key, p.sent));
    }
    this.pending.clear();
  }

  private onMessage(bytes: Uint8Array): void {
    let m: Iso8583Message;
    try {
      m = this.codec.unpack(bytes);
    } catch (err) {
      this.logger?.warn('unparseable message from the host', { length: bytes.length, code: err instanceof Error && 'code' in err ? err.code : undefined });
      this.failAll((key) => new HostError('HOST_RESPONSE_INVALID', `unparseable message from the host while ${key} was in flight`, {}, err));
      return;
    }
    let key = matchKey(m, false);
    // Some hosts do not echo the terminal ID (41): then MTI class and STAN alone identify the request.
    if (!this.pending.has(key) && m.text(41) === undefined) {
      const prefix = `${m.mti.slice(0, 3)}0|${m.text(11) ?? ''}|`;
      key = [...this.pending.keys()].find((k) => k.startsWith(prefix)) ?? key;
    }
    const p = this.pending.get(key);
    if (!p) {
      this.logger?.info('host message matched no request', { mti: m.mti, stan: m.text(11) });
      for (const l of this.unmatched) l(m);
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(key);
    p.resolve(m);
  }
}
