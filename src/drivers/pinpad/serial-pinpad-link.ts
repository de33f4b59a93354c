// The link layer of the serial PIN pad protocol (docs/hardware.md): frames out with ACK/NAK and bounded
// retransmission, frames in (ACKed, duplicates dropped by SEQ, damaged ones NAKed), and a wait for the next frame of
// given types. Framing is serial-pinpad-frames.ts; the business steps are serial-pinpad.ts.
import { encodeAck, encodeFrame, encodeNak, FrameDecoder, type DecodedItem } from './serial-pinpad-frames.js';
import { PinPadError } from './serial-pinpad-errors.js';
import type { RawMessage } from './serial-pinpad-messages.js';
import type { ByteConnection, ByteTransport } from '../serial/byte-transport.js';

/** Timing of the link. */
export interface LinkTiming {
  /** How long to wait for the ACK of a frame before sending it again. */
  readonly ackTimeoutMs: number;
  /** Retransmissions of one frame after a NAK or a missing ACK (then PINPAD_NAK_LIMIT / PINPAD_TIMEOUT). */
  readonly maxRetransmits: number;
  /** Silence inside a frame after which it counts as truncated (NAKed). */
  readonly interByteMs: number;
}

/** The protocol's default timing (docs/hardware.md). */
export const DEFAULT_LINK_TIMING: LinkTiming = { ackTimeoutMs: 500, maxRetransmits: 3, interByteMs: 200 };

interface AckWait {
  readonly seq: number;
  settle(result: 'ack' | 'nak' | Error): void;
}

interface FrameWait {
  readonly types: ReadonlySet<number>;
  resolve(m: RawMessage): void;
  reject(e: Error): void;
}

/** One pad's link: connects on first use and again after the port went away. */
export class PinPadLink {
  private conn: ByteConnection | null = null;
  private connecting: Promise<ByteConnection> | null = null;
  private decoder = new FrameDecoder();
  private txSeq = 0;
  /** Which connection the handlers belong to: a late close or data from an earlier port is ignored. */
  private generation = 0;
  private lastRxSeq: number | null = null;
  private ackWait: AckWait | null = null;
  private frameWait: FrameWait | null = null;
  private inbox: RawMessage[] = [];
  private sending: Promise<void> = Promise.resolve();
  private byteTimer: NodeJS.Timeout | null = null;
  /** Frames that arrived damaged (each answered with NAK). */
  badFrames = 0;

  /** Binds the link to its transport; `unsolicited` gets frames nobody waits for (key events, late replies). */
  constructor(
    private readonly transport: ByteTransport,
    private readonly timing: LinkTiming = DEFAULT_LINK_TIMING,
    private readonly unsolicited: (m: RawMessage) => void = () => undefined,
  ) {}

  /** Sends one message and waits for its ACK, retransmitting on NAK or silence; sends are serialized. */
  send(m: RawMessage): Promise<void> {
    const run = this.sending.then(() => this.transmit(m));
    this.sending = run.catch(() => undefined);
    return run;
  }

  /** Opens the port now (a pad emulator listens before anyone sends); a no-op when open. */
  async open(): Promise<void> {
    await this.connection();
  }

  /** Writes bytes outside the framing (an emulator's line noise); PINPAD_DISCONNECTED when not connected. */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    const c = await this.connection();
    await c.write(bytes);
  }

  /** Forgets frames received so far that nobody asked for (a new request must not take a stale reply). */
  drop(): void {
    this.inbox = [];
  }

  /** The next received message of one of `types`; PINPAD_TIMEOUT after `timeoutMs`, PINPAD_DISCONNECTED on unplug. */
  next(types: readonly number[], timeoutMs: number): Promise<RawMessage> {
    const want = new Set(types);
    const i = this.inbox.findIndex((m) => want.has(m.type));
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    if (!this.conn) return Promise.reject(new PinPadError('PINPAD_DISCONNECTED', `the PIN pad on ${this.transport.where} is not connected`, { where: this.transport.where }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.frameWait = null;
        reject(new PinPadError('PINPAD_TIMEOUT', `the PIN pad on ${this.transport.where} did not answer within ${timeoutMs} ms`, { where: this.transport.where, timeoutMs }));
      }, timeoutMs);
      this.frameWait = {
        types: want,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  /** Closes the port (a later send opens it again). */
  async close(): Promise<void> {
    const c = this.conn ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.lost('the link was closed');
    await c?.close();
  }

  private async transmit(m: RawMessage): Promise<void> {
    const conn = await this.connection();
    this.txSeq = (this.txSeq + 1) & 0xff;
    const seq = this.txSeq;
    const bytes = encodeFrame({ seq, type: m.type, payload: m.payload });
    let naks = 0;
    for (let attempt = 0; attempt <= this.timing.maxRetransmits; attempt++) {
      const answer = this.waitAck(seq);
      await conn.write(bytes).catch((err: unknown) => {
        this.ackWait?.settle(err instanceof Error ? err : new Error(String(err)));
      });
      const r = await answer;
      if (r === 'ack') return;
      if (r === 'nak') naks++;
    }
    const where = this.transport.where;
    if (naks > 0) throw new PinPadError('PINPAD_NAK_LIMIT', `the PIN pad on ${where} refused frame ${seq} ${naks} times`, { where, naks, type: m.type });
    throw new PinPadError('PINPAD_TIMEOUT', `the PIN pad on ${where} did not acknowledge frame ${seq}`, { where, type: m.type, attempts: this.timing.maxRetransmits + 1 });
  }

  private waitAck(seq: number): Promise<'ack' | 'nak' | 'timeout'> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.ackWait = null;
        resolve('timeout');
      }, this.timing.ackTimeoutMs);
      this.ackWait = {
        seq,
        settle: (r) => {
          clearTimeout(timer);
          this.ackWait = null;
          if (r instanceof Error) reject(r);
          else resolve(r);
        },
      };
    });
  }

  private connection(): Promise<ByteConnection> {
    if (this.conn) return Promise.resolve(this.conn);
    if (this.connecting) return this.connecting;
    const gen = ++this.generation;
    this.connecting = this.transport
      .connect({ data: (b) => gen === this.generation && this.received(b), closed: (why) => gen === this.generation && this.lost(why) })
      .then((c) => {
        this.conn = c;
        this.decoder = new FrameDecoder();
        this.lastRxSeq = null;
        return c;
      })
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  private lost(why: string): void {
    this.conn = null;
    this.inbox = [];
    if (this.byteTimer) clearTimeout(this.byteTimer);
    const err = new PinPadError('PINPAD_DISCONNECTED', `the PIN pad on ${this.transport.where} went away: ${why}`, { where: this.transport.where });
    this.ackWait?.settle(err);
    const w = this.frameWait;
    this.frameWait = null;
    w?.reject(err);
  }

  private received(bytes: Uint8Array): void {
    if (this.byteTimer) clearTimeout(this.byteTimer);
    for (const item of this.decoder.push(bytes)) this.handle(item);
    if (this.decoder.partial) {
      this.byteTimer = setTimeout(() => {
        const item = this.decoder.flush();
        if (item) this.handle(item);
      }, this.timing.interByteMs);
    }
  }

  private handle(item: DecodedItem): void {
    switch (item.kind) {
      case 'ack':
        if (this.ackWait?.seq === item.seq) this.ackWait.settle('ack');
        return;
      case 'nak':
        this.ackWait?.settle('nak');
        return;
      case 'bad':
        this.badFrames++;
        this.reply(encodeNak());
        return;
      case 'frame': {
        this.reply(encodeAck(item.frame.seq));
        // The same SEQ again means our ACK was lost and the pad resent: acknowledged, not processed twice.
        if (item.frame.seq === this.lastRxSeq) return;
        this.lastRxSeq = item.frame.seq;
        const m: RawMessage = { type: item.frame.type, payload: item.frame.payload };
        const w = this.frameWait;
        if (w && w.types.has(m.type)) {
          this.frameWait = null;
          w.resolve(m);
        } else {
          this.inbox.push(m);
          if (this.inbox.length > 16) this.inbox.shift();
          this.unsolicited(m);
        }
      }
    }
  }

  private reply(bytes: Uint8Array): void {
    // A failed ACK/NAK write means the port is going away; its close event reports that to every waiter.
    this.conn?.write(bytes).catch(() => undefined);
  }
}
