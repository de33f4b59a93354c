// A simulated acquirer host on 127.0.0.1 for cashier-app developers and the failure tests: ISO 8583 (DEFAULT_SPEC
// or a given spec) in 2-byte length frames, answers with the TPDU addresses swapped (ISO 8583 TPDU header), issuer
// decisions with real ARQC checks and ARPCs for the virtual cards. Rules (the full table: rules.ts, `rules()`):
//   0100/0200: amount .51 → 51, .05 → 05, .99 → no answer; unknown card (PAN 2, PSN 23) → 14; ARQC (55) not
//     verified by the card's issuer keys → 05 with the reason noted; else 00 + auth code 38 + 55 = 91 (ARPC method 1,
//     EMV Book 2 §8.2.1) and the profile's issuer scripts 71/72 (Book 3 §10.10).
//   0400/0420/0421 → 0410/0430 00 (25 when the original, by field 90 STAN + TID, is unknown); 0220/0221 → 0230 00;
//   0800 → 0810 00; 0500 → 0510 per currency (field 50): 95 when totals 74-77/81/86-89/97 differ from the
//     simulator's for that currency, 30 without field 50, else 00 (that currency's batch closes).
// Modes: normal, timeout (no answer), down (connections refused), drop-mid-response (half a frame, then close),
// late (answer after delayMs), twice (answer sent twice), garbage (random bytes that do not parse).
// It keeps and logs only describeMessage views of what it saw: never a clear PAN, track, PIN block or field 55.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../log/logger.js';
import { encodeFrame, FrameDecoder } from '../../host/framing.js';
import { DEFAULT_SPEC, fieldSpecOf, Iso8583Message, pack, unpack, type Iso8583Spec } from '../../host/iso8583/index.js';
import { builtInCards, type IssuerLookup } from './issuer.js';
import { SimLedger, type SimTotals } from './ledger.js';
import { deliver, deliveryOf } from './delivery.js';
import { recordOf, unparsedRecord, type RecordedMessage } from './record.js';
import { SimResponder, type Decision } from './responder.js';
import { isRequestMti, type HostMode } from './rules.js';

/** How to run the simulator. */
export interface HostSimulatorOptions {
  /** TCP port; 0 (default) picks a free one, which `start()` resolves. */
  readonly port?: number;
  /** Listen address; default 127.0.0.1 (the simulator is for the local machine). */
  readonly host?: string;
  readonly spec?: Iso8583Spec;
  readonly logger?: Logger;
  /** Card lookup; default the built-in virtual card profiles. */
  readonly cards?: IssuerLookup;
  /** Delay of mode 'late' when setMode gives none, ms (default 2000). */
  readonly lateMs?: number;
  /** Largest frame accepted (default 8192). */
  readonly maxFrame?: number;
  /** Records kept for `received()`; the oldest go first (default 10 000, for a simulator left running). */
  readonly maxRecords?: number;
}

/** Options of a mode. */
export interface ModeOptions {
  /** Mode 'late': answer after this many ms. */
  readonly delayMs?: number;
  /** Apply the mode only to requests with these MTIs; others are answered normally. */
  readonly only?: readonly string[];
}

interface Forced {
  readonly code: string;
  remaining: number;
  readonly mtis: readonly string[] | null;
}

/** The simulated acquirer host (see rules.ts for what it answers). */
export class HostSimulator {
  private server: Server | null = null;
  private listenPort: number;
  private currentMode: HostMode = 'normal';
  private modeOptions: ModeOptions = {};
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly records: RecordedMessage[] = [];
  private readonly listeners = new Set<(r: RecordedMessage) => void>();
  private readonly ledger = new SimLedger();
  private readonly responder: SimResponder;
  private readonly spec: Iso8583Spec;
  private forced: Forced[] = [];
  private connections = 0;
  private sequence = 0;
  private started = false;

  /** Builds a stopped simulator. */
  constructor(private readonly options: HostSimulatorOptions = {}) {
    this.listenPort = options.port ?? 0;
    this.spec = options.spec ?? DEFAULT_SPEC;
    this.responder = new SimResponder(this.ledger, options.cards ?? builtInCards);
  }

  /** The port listened on (after `start`). */
  get port(): number {
    return this.listenPort;
  }

  /** The mode in force. */
  get mode(): HostMode {
    return this.currentMode;
  }

  /** Starts listening; resolves the port. */
  async start(): Promise<number> {
    if (!this.started) {
      if (this.currentMode !== 'down') await this.listen(this.listenPort);
      this.started = true;
      this.options.logger?.info('host simulator listening', { host: this.host, port: this.listenPort });
    }
    return this.listenPort;
  }

  /** Stops listening, drops every connection and pending late answer. */
  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.unlisten();
  }

  /** Switches the failure mode (rules.ts); 'down' closes the listener and connections, leaving it listens again. */
  async setMode(mode: HostMode, options: ModeOptions = {}): Promise<void> {
    this.currentMode = mode;
    this.modeOptions = options;
    if (mode === 'down') await this.unlisten();
    else if (this.started && !this.server) await this.listen(this.listenPort);
    this.options.logger?.info('host simulator mode', { mode, ...options });
  }

  /** Answers the next `count` requests (of `mtis`, default any) with response code `code`, e.g. '91', '96'. */
  answerNext(code: string, count = 1, mtis?: readonly string[]): void {
    this.forced.push({ code, remaining: count, mtis: mtis ?? null });
  }

  /** Every message received so far, oldest first (optionally only those with MTI `mti`). */
  received(mti?: string): RecordedMessage[] {
    return this.records.filter((r) => mti === undefined || r.mti === mti);
  }

  /** Forgets the recorded messages (not the ledger). */
  clearReceived(): void {
    this.records.length = 0;
  }

  /** Subscribes to each recorded message. */
  onMessage(listener: (r: RecordedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first recorded message (already seen or next) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (r: RecordedMessage) => boolean, timeoutMs = 2000): Promise<RecordedMessage> {
    const seen = this.records.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`host simulator: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onMessage((r) => {
        if (!predicate(r)) return;
        clearTimeout(timer);
        off();
        resolve(r);
      });
    });
  }

  /**
   * Alters what the ledger counted of one transaction (by terminal id and STAN): another amount, or dropped. For
   * tests and the demo: the next settlement then disagrees. False when the transaction was not counted.
   */
  alter(terminalId: string, stan: string, change: { readonly amount: number } | { readonly drop: true }): boolean {
    return this.ledger.alter(terminalId, stan, change);
  }

  /** The open batch's totals as the simulator recorded them, in `currency` (ISO 4217 numeric) or all summed. */
  totals(currency?: string): SimTotals {
    return this.ledger.totals(currency);
  }

  private get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  private listen(port: number): Promise<void> {
    const server = createServer((s) => this.accept(s));
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        const addr = server.address();
        this.listenPort = typeof addr === 'object' && addr ? addr.port : port;
        this.server = server;
        resolve();
      });
    });
  }

  private async unlisten(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const id = ++this.connections;
    this.sockets.add(socket);
    const decoder = new FrameDecoder(this.options.maxFrame ?? 8192);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.options.logger?.warn('host simulator: oversized frame; dropping the connection', { connection: id, code: err instanceof Error && 'code' in err ? err.code : undefined });
        socket.destroy();
        return;
      }
      for (const f of frames) this.handle(socket, id, f);
    });
    socket.on('error', (err) => this.options.logger?.debug('host simulator: connection error', { connection: id, message: err.message }));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private handle(socket: Socket, connection: number, frame: Uint8Array): void {
    const seq = ++this.sequence;
    const at = Date.now();
    let msg: Iso8583Message;
    try {
      msg = unpack(this.spec, frame);
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : 'UNPARSEABLE';
      this.push(unparsedRecord(seq, at, connection, this.currentMode, frame.length, code));
      return;
    }
    const mode = this.modeOptions.only && !this.modeOptions.only.includes(msg.mti) ? 'normal' : this.currentMode;
    const decision = this.decide(msg, mode);
    let bytes: Uint8Array | null = null;
    try {
      bytes = decision.response ? pack(this.spec, fitToSpec(this.spec, decision.response)) : null;
    } catch (err) {
      this.options.logger?.error('host simulator: cannot pack the answer', { mti: msg.mti, message: err instanceof Error ? err.message : String(err) });
    }
    const delivery = deliveryOf(mode, bytes !== null);
    this.push(recordOf(this.spec, msg, { seq, at, connection, mode, delivery, arqc: decision.arqc, answer: decision.response, responseCode: decision.responseCode, note: decision.note }));
    if (bytes) deliver(socket, encodeFrame(bytes), mode, { delayMs: this.modeOptions.delayMs ?? this.options.lateMs ?? 2000, timers: this.timers, spec: this.spec });
  }

  private decide(msg: Iso8583Message, mode: HostMode): Decision {
    const f = isRequestMti(msg.mti) && mode !== 'timeout' ? this.forced.find((x) => x.remaining > 0 && (x.mtis === null || x.mtis.includes(msg.mti))) : undefined;
    if (!f) return this.responder.decide(msg, mode !== 'timeout');
    f.remaining--;
    this.forced = this.forced.filter((x) => x.remaining > 0);
    return this.responder.forced(msg, f.code);
  }

  private push(r: RecordedMessage): void {
    this.records.push(r);
    if (this.records.length > (this.options.maxRecords ?? 10_000)) this.records.shift();
    const log = this.options.logger;
    log?.info('host simulator: message', { seq: r.seq, mti: r.mti, stan: r.stan, terminalId: r.terminalId, maskedPan: r.maskedPan, answer: r.answer, delivery: r.delivery, arqc: r.arqc, note: r.note, error: r.error });
    if (r.decoded) log?.debug('host simulator: fields', { seq: r.seq, fields: r.decoded.fields });
    for (const l of [...this.listeners]) l(r);
  }
}

/** The answer without the fields `spec` does not define (a spec without 37/38 still gets 39 and 55). */
function fitToSpec(spec: Iso8583Spec, m: Iso8583Message): Iso8583Message {
  return new Iso8583Message(m.mti, [...m.fields].filter(([n]) => fieldSpecOf(spec, n) !== undefined), m.header);
}
