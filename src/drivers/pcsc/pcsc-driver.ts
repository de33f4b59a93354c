import type { Logger } from '../../log/logger.js';
import { KeyedMutex } from '../../util/mutex.js';
import { loadSmartcardBinding, type BindingCard, type BindingContext, type SmartcardBinding } from './binding.js';
import { ReaderError } from './errors.js';
import { PcscCardConnection } from './pcsc-connection.js';
import { translatePcscError } from './pcsc-errors.js';
import { ReaderMonitor } from './reader-monitor.js';
import { raceWithTimeout } from '../../util/timeout.js';
import type { CardConnection, ConnectOptions, ReaderDriver, ReaderEvent, ReaderInfo } from './types.js';

/** Tuning of the real driver. */
export interface PcscDriverOptions {
  readonly logger?: Logger;
  /** How long to wait between attempts to reach a missing PC/SC service, ms (default 1000). */
  readonly retryMs?: number;
  /** Longest single SCardGetStatusChange wait, ms (default 1000): the bound on noticing a lost service. */
  readonly pollMs?: number;
  /** Default per-transmit timeout, ms (default 10 000). */
  readonly transmitTimeoutMs?: number;
  /** Longest wait for a connection (the card's power-up and ATR), ms (default 5000). */
  readonly connectTimeoutMs?: number;
}

/** The ReaderDriver of real PC/SC readers (pcsc-lite, Windows WinSCard, macOS CryptoTokenKit) via `smartcard`. */
export class PcscReaderDriver implements ReaderDriver {
  private context: BindingContext | null = null;
  private readonly locks = new KeyedMutex();
  private readonly connections = new Set<PcscCardConnection>();
  private readonly monitor: ReaderMonitor;
  private closed = false;

  /** Uses an already loaded binding (see `PcscReaderDriver.create`). */
  constructor(
    private readonly binding: SmartcardBinding,
    private readonly options: PcscDriverOptions = {},
  ) {
    this.monitor = new ReaderMonitor(binding, {
      logger: options.logger,
      retryMs: options.retryMs ?? 1000,
      pollMs: options.pollMs ?? 1000,
    });
  }

  /** Loads the native binding and builds the driver; PCSC_BINDING_MISSING when the addon is absent. */
  static async create(options: PcscDriverOptions = {}): Promise<PcscReaderDriver> {
    return new PcscReaderDriver(await loadSmartcardBinding(), options);
  }

  /** Readers with their card state, from a context re-established after a service restart. */
  async listReaders(): Promise<ReaderInfo[]> {
    return this.withContext((ctx) =>
      ctx.listReaders().map((r) => {
        const present = (r.state & this.binding.SCARD_STATE_PRESENT) !== 0 && (r.state & this.binding.SCARD_STATE_MUTE) === 0;
        return { name: r.name, cardPresent: present, atr: present && r.atr && r.atr.length > 0 ? new Uint8Array(r.atr) : null };
      }),
    );
  }

  /** Delivers reader and service events to `listener`; the monitor runs while anyone listens. */
  subscribe(listener: (event: ReaderEvent) => void): () => void {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', 'the reader driver is closed');
    return this.monitor.subscribe(listener);
  }

  /** Connects to the card in `reader` (or to the reader itself with share 'direct'). */
  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    const share = options.share ?? 'shared';
    const b = this.binding;
    const shareMode = share === 'exclusive' ? b.SCARD_SHARE_EXCLUSIVE : share === 'direct' ? b.SCARD_SHARE_DIRECT : b.SCARD_SHARE_SHARED;
    const wanted = options.protocols ?? ['T=0', 'T=1'];
    let protocol = 0;
    if (share !== 'direct') {
      if (wanted.includes('T=0')) protocol |= b.SCARD_PROTOCOL_T0;
      if (wanted.includes('T=1')) protocol |= b.SCARD_PROTOCOL_T1;
    } else {
      protocol = b.SCARD_PROTOCOL_UNDEFINED;
    }
    // Each connection gets a context of its own: pcsc-lite serialises calls per context, so a shared context would
    // make one reader's slow exchange hold up another's, and a status wait on it would block transmits.
    const ctx = this.newContext();
    let card: BindingCard;
    try {
      const r = ctx.listReaders().find((x) => x.name === reader);
      if (!r) throw new ReaderError('READER_NOT_FOUND', `no reader named "${reader}"`, { reader });
      const pending = r.connect(shareMode, protocol);
      const timeoutMs = this.options.connectTimeoutMs ?? 5000;
      card = await raceWithTimeout(pending, { timeoutMs, onTimeout: () => {
        // The native connect still runs on a pool thread: when it returns at last, release what it got.
        pending.then(
          (late) => {
            try {
              late.disconnect(b.SCARD_LEAVE_CARD);
            } catch (err) {
              this.options.logger?.debug('releasing a late connection failed', { reader, code: translatePcscError(err).code });
            }
            closeQuietly(ctx, this.options.logger);
          },
          () => closeQuietly(ctx, this.options.logger),
        );
        return new ReaderError('CARD_UNRESPONSIVE', `the card in "${reader}" did not answer the power-up within ${timeoutMs} ms`, { reader, timeoutMs });
      } });
    } catch (err) {
      if (err instanceof ReaderError && err.code === 'CARD_UNRESPONSIVE' && err.details.timeoutMs !== undefined) throw err;
      closeQuietly(ctx, this.options.logger);
      throw translatePcscError(err, { reader });
    }
    const atr = card.atr ? new Uint8Array(card.atr) : new Uint8Array(0);
    const counter = await this.eventCounter(reader);
    const conn = new PcscCardConnection(
      b,
      card,
      reader,
      atr,
      this.locks,
      options.transmitTimeoutMs ?? 10_000,
      this.options.logger,
      (c) => this.connections.delete(c),
      () => this.cardGoneSince(reader, counter),
      () => closeQuietly(ctx, this.options.logger),
    );
    this.connections.add(conn);
    return conn;
  }

  /** The reader's insert/remove event counter (pcsc-lite: upper 16 bits of the state), or null when absent. */
  private async eventCounter(reader: string): Promise<number | null> {
    try {
      const r = await this.withContext((ctx) => ctx.listReaders().find((x) => x.name === reader));
      return r && (r.state & this.binding.SCARD_STATE_PRESENT) !== 0 ? r.state >>> 16 : null;
    } catch (err) {
      this.options.logger?.debug('reader state unavailable', { reader, code: translatePcscError(err).code });
      return null;
    }
  }

  /** After a failed exchange: true when, within 1.5 s, the reader reports no card or another card. */
  private async cardGoneSince(reader: string, counter: number | null): Promise<boolean> {
    const deadline = Date.now() + 1500;
    for (;;) {
      const now = await this.eventCounter(reader);
      if (now === null || (counter !== null && now !== counter)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the monitor, disconnects open connections, releases the context. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.monitor.stop();
    for (const c of [...this.connections]) {
      await c.disconnect().catch((err: unknown) => this.options.logger?.warn('disconnect on close failed', { err }));
    }
    this.dropContext();
  }

  /** Runs `fn` with a valid context; when the service was restarted, retries once on a fresh context. */
  private async withContext<T>(fn: (ctx: BindingContext) => T | Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const ctx = this.ensureContext();
      try {
        return await fn(ctx);
      } catch (err) {
        const e = translatePcscError(err);
        if (e.code === 'PCSC_NO_SERVICE' && attempt === 0) {
          this.dropContext();
          continue;
        }
        throw e;
      }
    }
  }

  private ensureContext(): BindingContext {
    if (this.context && this.context.isValid) return this.context;
    this.context = this.newContext();
    return this.context;
  }

  private newContext(): BindingContext {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', 'the reader driver is closed');
    try {
      return new this.binding.Context();
    } catch (err) {
      throw translatePcscError(err);
    }
  }

  private dropContext(): void {
    const ctx = this.context;
    this.context = null;
    if (ctx) closeQuietly(ctx, this.options.logger);
  }
}

/** Releases a context; failures (a service already gone) are logged at debug level, not thrown. */
function closeQuietly(ctx: BindingContext, logger: Logger | undefined): void {
  try {
    ctx.close();
  } catch (err) {
    logger?.debug('closing a PC/SC context failed', { code: translatePcscError(err).code });
  }
}
