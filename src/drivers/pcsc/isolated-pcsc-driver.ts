import type { CardChannel, CardProtocol, TransmitOptions } from '../../apdu/card-channel.js';
import { fromHex, toHex } from '../../apdu/hex.js';
import type { Logger } from '../../log/logger.js';
import { KeyedMutex } from '../../util/mutex.js';
import { ReaderError } from './errors.js';
import { readerFromWire, type WireConnection, type WireReaderInfo } from './host-protocol.js';
import { PcscHost } from './pcsc-host.js';
import type { CardConnection, ConnectOptions, Disposition, ReaderDriver, ReaderEvent, ReaderFeatures, ReaderInfo } from './types.js';

/** Tuning of the isolated driver. */
export interface IsolatedPcscOptions {
  readonly logger?: Logger;
  /** A host silent this long is wedged in a native call and is killed, ms (default 5000). */
  readonly wedgedAfterMs?: number;
  /** Tuning of the driver inside each host (status wait bound and service retry, ms). */
  readonly driver?: { readonly pollMs?: number; readonly retryMs?: number };
  /** Pause before a lost monitor host is started again, ms (default 1000). */
  readonly restartMs?: number;
}

/**
 * The daemon's ReaderDriver for real PC/SC readers: the native binding runs in host processes, never on this event
 * loop. One host watches and lists readers; each reader with connections gets a host of its own, so a reader wedged
 * inside a synchronous PC/SC call (which no timeout can interrupt) stalls only its own host: the watchdog kills it,
 * that reader's calls fail with READER_UNAVAILABLE (a stuck transmit with TRANSMIT_TIMEOUT), the next connect starts
 * a fresh host, and the API and the other lanes never wait. Same rules as PcscReaderDriver (types.ts).
 */
export class IsolatedPcscDriver implements ReaderDriver {
  private monitor: PcscHost | null = null;
  private readonly readerHosts = new Map<string, PcscHost>();
  private readonly listeners = new Set<(e: ReaderEvent) => void>();
  private readonly locks = new KeyedMutex();
  private readonly present = new Map<string, boolean>();
  /** The ATR of each reader's card, for the state a late subscriber is told first. */
  private readonly atrs = new Map<string, Uint8Array>();
  /** The monitor host watches (from the first subscriber on, for the driver's life: no toggling of its monitor). */
  private watching = false;
  private closed = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** The current monitor restart delay, ms; 0 while the monitor runs. */
  private restartDelay = 0;

  /** Builds the driver; hosts start on first use. */
  constructor(private readonly options: IsolatedPcscOptions = {}) {}

  /** Builds the driver and starts its monitor host; PCSC_BINDING_MISSING when the native binding cannot load. */
  static async create(options: IsolatedPcscOptions = {}): Promise<IsolatedPcscDriver> {
    const driver = new IsolatedPcscDriver(options);
    try {
      await driver.listReaders();
    } catch (err) {
      // No service yet is fine (the monitor reports service-back); a host that cannot load the binding is not.
      if (err instanceof ReaderError && err.code === 'PCSC_BINDING_MISSING') {
        await driver.close();
        throw err;
      }
    }
    return driver;
  }

  /** Readers with their card state, listed by the monitor host. */
  async listReaders(): Promise<ReaderInfo[]> {
    const wire = await this.monitorHost().call<WireReaderInfo[]>({ op: 'list' });
    return wire.map(readerFromWire);
  }

  /** Delivers reader and service events; the monitor host watches while anyone listens. */
  subscribe(listener: (event: ReaderEvent) => void): () => void {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', 'the reader driver is closed');
    this.listeners.add(listener);
    if (!this.watching && !this.restartTimer) {
      // The monitor's first events are the readers and cards present: every listener gets them.
      this.watching = true;
      this.watch();
    } else this.replay(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Connects to the card in `reader` through that reader's own host. */
  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    const host = this.readerHost(reader);
    const wire = await host.call<WireConnection>({
      op: 'connect',
      reader,
      options: { share: options.share, protocols: options.protocols, transmitTimeoutMs: options.transmitTimeoutMs },
    });
    return new RemoteCardConnection(host, wire, reader, this.locks, options.transmitTimeoutMs ?? 10_000);
  }

  /** Closes every host (each disconnects its cards and releases its contexts) and stops restarting them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const hosts = [...this.readerHosts.values(), ...(this.monitor ? [this.monitor] : [])];
    this.readerHosts.clear();
    this.monitor = null;
    await Promise.all(hosts.map((h) => h.close()));
  }

  private emit(e: ReaderEvent): void {
    // A restarted monitor announces what it finds; what we already know was not attached or inserted again.
    if (e.type === 'reader-attached' && this.present.has(e.reader)) return;
    if (e.type === 'card-inserted' && this.present.get(e.reader) === true) return;
    if (e.type === 'reader-attached') this.present.set(e.reader, false);
    if (e.type === 'card-inserted') {
      this.present.set(e.reader, true);
      this.atrs.set(e.reader, e.atr);
      // The payment connects right after an insertion: start the reader's host now, off the payment's path.
      if (!this.closed) this.readerHost(e.reader);
    } else if (e.type === 'card-removed') {
      this.present.set(e.reader, false);
      this.atrs.delete(e.reader);
    } else if (e.type === 'reader-detached') {
      this.present.delete(e.reader);
      this.atrs.delete(e.reader);
      // An unplugged reader's host has nothing left to serve.
      const host = this.readerHosts.get(e.reader);
      this.readerHosts.delete(e.reader);
      void host?.close();
    }
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.options.logger?.error('a reader event listener failed', { err, event: e.type });
      }
    }
  }

  /** Tells a listener that joins later the readers and cards present now, as the monitor told the first one. */
  private replay(listener: (event: ReaderEvent) => void): void {
    queueMicrotask(() => {
      if (!this.listeners.has(listener)) return;
      const at = new Date();
      for (const [reader, present] of [...this.present]) {
        listener({ type: 'reader-attached', reader, at });
        const atr = this.atrs.get(reader);
        if (present && atr) listener({ type: 'card-inserted', reader, atr, at });
      }
    });
  }

  private watch(): void {
    const host = this.monitorHost();
    host.call({ op: 'watch' }).catch((err: unknown) => this.options.logger?.warn('reader monitor could not start', { err }));
  }

  private monitorHost(): PcscHost {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', 'the reader driver is closed');
    if (this.monitor?.alive) return this.monitor;
    const host = new PcscHost({
      label: 'reader monitor',
      logger: this.options.logger,
      wedgedAfterMs: this.options.wedgedAfterMs,
      driver: this.options.driver,
      onEvent: (e) => this.emit(e),
      onGone: (wedged) => this.monitorGone(host, wedged),
    });
    this.monitor = host;
    return host;
  }

  /**
   * The monitor host died. The readers and cards are not gone (each reader's own host still serves its card), so
   * only the loss is reported; once a new monitor runs, what changed meanwhile is reported from a fresh listing.
   * Restarts back off (1 s, doubling to 30 s); a host that cannot load the binding is not restarted.
   */
  private monitorGone(host: PcscHost, wedged: boolean): void {
    if (this.closed || this.monitor !== host) return;
    this.monitor = null;
    this.watching = false;
    if (host.failedToStart) {
      this.options.logger?.error('the PC/SC binding cannot load: reader events stopped', { code: host.failedToStart.code, err: host.failedToStart });
      return;
    }
    if (this.listeners.size === 0) return;
    if (this.restartDelay === 0) this.emit({ type: 'service-lost', at: new Date(), reason: wedged ? 'the PC/SC monitor was stuck and is restarted' : 'the PC/SC monitor process ended' });
    this.restartDelay = Math.min(30_000, this.restartDelay === 0 ? (this.options.restartMs ?? 1000) : this.restartDelay * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed || this.listeners.size === 0) return;
      const next = this.monitorHost();
      next
        .call({ op: 'watch' })
        .then(() => this.resync())
        .then(
          () => {
            this.watching = true;
            this.restartDelay = 0;
            this.emit({ type: 'service-back', at: new Date() });
          },
          (err: unknown) => this.options.logger?.warn('reader monitor could not restart', { err }),
        );
    }, this.restartDelay);
    this.restartTimer.unref();
  }

  /** After a monitor restart: a card or reader that left meanwhile is reported gone. */
  private async resync(): Promise<void> {
    const now = new Map((await this.listReaders()).map((r) => [r.name, r.cardPresent]));
    for (const [reader, present] of [...this.present]) {
      if (present && now.get(reader) !== true) this.emit({ type: 'card-removed', reader, at: new Date() });
      if (!now.has(reader)) this.emit({ type: 'reader-detached', reader, at: new Date() });
    }
  }

  private readerHost(reader: string): PcscHost {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', 'the reader driver is closed');
    const existing = this.readerHosts.get(reader);
    if (existing?.alive) return existing;
    const host = new PcscHost({
      label: `reader "${reader}"`,
      logger: this.options.logger,
      wedgedAfterMs: this.options.wedgedAfterMs,
      driver: this.options.driver,
      onGone: () => {
        if (this.readerHosts.get(reader) === host) this.readerHosts.delete(reader);
      },
    });
    this.readerHosts.set(reader, host);
    return host;
  }
}

/** A card connection served by a reader's host process. */
class RemoteCardConnection implements CardConnection {
  private closed = false;
  readonly atr: Uint8Array;
  readonly protocol: CardProtocol;
  private readonly conn: number;

  /** Wraps what the host answered to `connect`. */
  constructor(
    private readonly host: PcscHost,
    wire: WireConnection,
    readonly reader: string,
    private readonly locks: KeyedMutex,
    private readonly defaultTimeoutMs: number,
  ) {
    this.conn = wire.conn;
    this.atr = fromHex(wire.atr);
    this.protocol = wire.protocol;
  }

  /** One exchange under the reader lock. */
  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    return this.locks.run(this.reader, () => this.rawTransmit(command, options));
  }

  /** Runs a sequence of exchanges with the reader lock held throughout. */
  transaction<T>(fn: (channel: CardChannel) => Promise<T>): Promise<T> {
    const inner: CardChannel = { atr: this.atr, protocol: this.protocol, transmit: (c, o) => this.rawTransmit(c, o) };
    return this.locks.run(this.reader, () => fn(inner));
  }

  private async rawTransmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    this.assertOpen();
    const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
    return fromHex(await this.host.call<string>({ op: 'transmit', conn: this.conn, apdu: toHex(command), timeoutMs }, options?.signal));
  }

  /** SCardControl through the host. */
  async control(code: number, data: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    this.assertOpen();
    return fromHex(await this.host.call<string>({ op: 'control', conn: this.conn, code, data: toHex(data) }));
  }

  /** Part 10 features, read by the host. */
  async features(): Promise<ReaderFeatures> {
    this.assertOpen();
    return new Map(await this.host.call<[string, number][]>({ op: 'features', conn: this.conn }));
  }

  /** Releases the card; a host that is gone (or wedged and killed) has released it already. */
  async disconnect(disposition: Disposition = 'leave'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.host.alive) return;
    await this.host.call({ op: 'disconnect', conn: this.conn, disposition }).catch((err: unknown) => {
      if (!(err instanceof ReaderError && err.code === 'READER_UNAVAILABLE')) throw err;
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', `connection to "${this.reader}" is closed`, { reader: this.reader });
  }
}
