import type { Logger } from '../../log/logger.js';
import type { BindingContext, BindingReaderState, SmartcardBinding } from './binding.js';
import { translatePcscError } from './pcsc-errors.js';
import type { ReaderEvent } from './types.js';

/** pcsc-lite's and WinSCard's pseudo-reader that changes when readers come and go. */
const PNP_READER = '\\\\?PnP?\\Notification';

interface Known {
  state: number;
  present: boolean;
  atr: Uint8Array;
}

/**
 * Watches readers and cards with SCardGetStatusChange on a context of its own, turning state changes into events.
 * A lost service (pcscd stopped or restarted) is reported once as service-lost; the monitor then retries with a
 * new context every `retryMs` and reports service-back with the readers and cards found again.
 */
export class ReaderMonitor {
  private readonly listeners = new Set<(e: ReaderEvent) => void>();
  private context: BindingContext | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** A listener came while the loop was ending: start a new loop once it has. */
  private restartAfterStop = false;
  private wake: (() => void) | null = null;
  /** The running loop's readers and cards, told to a listener that joins while the loop runs. */
  private known = new Map<string, Known>();

  /** Builds an idle monitor; it starts with the first subscriber. */
  constructor(
    private readonly binding: SmartcardBinding,
    private readonly options: { logger?: Logger; retryMs: number; pollMs: number },
  ) {}

  /** Adds a listener and starts the loop when needed; returns the unsubscribe function. */
  subscribe(listener: (e: ReaderEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.loop) {
      this.stopping = false;
      this.loop = this.run();
    } else if (this.stopping) {
      // The last listener left a moment ago and the loop is still ending: a new one starts once it has (else this
      // listener would wait for events no loop sends).
      this.restartAfterStop = true;
    } else {
      // The loop already told the others what is attached: tell this one too, once subscribe has returned.
      queueMicrotask(() => this.replay(listener));
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.stop();
    };
  }

  /** Cancels the pending wait and resolves once the loop has ended and its context is released. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    try {
      this.context?.cancel();
    } catch (err) {
      this.options.logger?.debug('cancel of the status wait failed', { code: translatePcscError(err).code });
    }
    await this.loop;
    this.loop = null;
    if (this.restartAfterStop && this.listeners.size > 0) {
      this.restartAfterStop = false;
      this.stopping = false;
      this.loop = this.run();
    }
    this.restartAfterStop = false;
  }

  /** Tells `listener` the readers and cards the running loop knows, as if it had listened from the start. */
  private replay(listener: (e: ReaderEvent) => void): void {
    if (!this.listeners.has(listener) || this.stopping) return;
    for (const [name, k] of this.known) {
      listener({ type: 'reader-attached', reader: name, at: new Date() });
      if (k.present) listener({ type: 'card-inserted', reader: name, atr: new Uint8Array(k.atr), at: new Date() });
    }
  }

  private emit(e: ReaderEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private async run(): Promise<void> {
    const known = new Map<string, Known>();
    this.known = known;
    let serviceUp: boolean | null = null;
    let pnpState = 0;
    while (!this.stopping) {
      try {
        const ctx = (this.context ??= new this.binding.Context());
        const names = ctx.listReaders().map((r) => r.name);
        if (serviceUp === false) this.emit({ type: 'service-back', at: new Date() });
        serviceUp = true;
        this.syncReaders(known, names);
        const query = [...names.map((name) => ({ name, state: known.get(name)?.state ?? 0 })), { name: PNP_READER, state: pnpState }];
        const result = await ctx.waitForChange(query, this.options.pollMs);
        if (result === null || this.stopping) continue;
        for (const r of result) {
          if (r.name === PNP_READER) pnpState = r.state & ~this.binding.SCARD_STATE_CHANGED;
          else this.applyState(known, r);
        }
      } catch (err) {
        const e = translatePcscError(err);
        if (this.stopping) break;
        if (e.code === 'PCSC_NO_SERVICE' || e.code === 'PCSC_ERROR' || e.code === 'READER_UNAVAILABLE') {
          if (serviceUp !== false) {
            for (const [name, k] of known) if (k.present) this.emit({ type: 'card-removed', reader: name, at: new Date() });
            for (const name of known.keys()) this.emit({ type: 'reader-detached', reader: name, at: new Date() });
            known.clear();
            this.emit({ type: 'service-lost', at: new Date(), reason: e.message });
            this.options.logger?.warn('PC/SC service lost; retrying', { code: e.code, pcsc: e.details.pcsc });
          }
          serviceUp = false;
          pnpState = 0;
          this.dropContext();
          await this.sleep(this.options.retryMs);
        } else {
          // A reader vanished between list and wait (READER_NOT_FOUND): list again after a short pause.
          this.options.logger?.debug('status wait failed; listing readers again', { code: e.code });
          await this.sleep(50);
        }
      }
    }
    this.dropContext();
  }

  private syncReaders(known: Map<string, Known>, names: readonly string[]): void {
    for (const name of names) {
      if (!known.has(name)) {
        known.set(name, { state: 0, present: false, atr: new Uint8Array(0) });
        this.emit({ type: 'reader-attached', reader: name, at: new Date() });
      }
    }
    for (const [name, k] of [...known]) {
      if (names.includes(name)) continue;
      if (k.present) this.emit({ type: 'card-removed', reader: name, at: new Date() });
      known.delete(name);
      this.emit({ type: 'reader-detached', reader: name, at: new Date() });
    }
  }

  private applyState(known: Map<string, Known>, r: BindingReaderState): void {
    const k = known.get(r.name);
    if (!k) return;
    const b = this.binding;
    const present = (r.state & b.SCARD_STATE_PRESENT) !== 0 && (r.state & b.SCARD_STATE_MUTE) === 0;
    // The upper 16 bits count insertions and removals (pcsc-lite): a change with the card present both times is a swap.
    const wasPresent = k.present;
    const swapped = wasPresent && present && k.state >>> 16 !== r.state >>> 16 && k.state !== 0;
    if (wasPresent && (!present || swapped)) this.emit({ type: 'card-removed', reader: r.name, at: new Date() });
    const atr = present && r.atr ? new Uint8Array(r.atr) : new Uint8Array(0);
    k.present = present;
    k.atr = atr;
    if (present && (!wasPresent || swapped)) this.emit({ type: 'card-inserted', reader: r.name, atr: new Uint8Array(atr), at: new Date() });
    k.state = r.state & ~b.SCARD_STATE_CHANGED;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private dropContext(): void {
    const ctx = this.context;
    this.context = null;
    if (!ctx) return;
    try {
      ctx.close();
    } catch (err) {
      this.options.logger?.debug('closing the monitor context failed', { code: translatePcscError(err).code });
    }
  }
}
