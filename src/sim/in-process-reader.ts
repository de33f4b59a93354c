import type { CardChannel, CardProtocol, TransmitOptions } from '../apdu/card-channel.js';
import { parseAtr } from '../apdu/atr.js';
import { ReaderError, readerCancelled } from '../drivers/pcsc/errors.js';
import { raceWithTimeout } from '../util/timeout.js';
import type { CardConnection, ConnectOptions, ReaderDriver, ReaderEvent, ReaderFeatures, ReaderInfo } from '../drivers/pcsc/types.js';
import { KeyedMutex } from '../util/mutex.js';
import { getFeatureRequestCode, parseFeatures } from '../drivers/pcsc/features.js';
import { FaultPlan, type FaultOptions } from './faults.js';
import { ReaderPinPadEmulator, type ReaderKeypad, type ReaderPinPadEmulatorOptions } from './pinpad/reader-pin-pad-emulator.js';
import type { VirtualCard } from './virtual-card.js';

interface Slot {
  card: VirtualCard | null;
  /** Bumped at every insertion and removal: a connection made before is stale. */
  generation: number;
  faults: FaultPlan;
  exclusive: boolean;
  shared: number;
  /** Aborted when the card of this generation leaves: pending exchanges fail at once, as pcscd makes them. */
  removal: AbortController;
  /** The reader's own PIN pad (PC/SC part 10), when this reader emulates a class-3 reader. */
  pinPad: ReaderPinPadEmulator | null;
}

/** One subscriber; `backlog` holds events not yet delivered while the initial state is being replayed. */
interface Subscriber {
  readonly listener: (e: ReaderEvent) => void;
  backlog: ReaderEvent[] | null;
  active: boolean;
}

/**
 * A ReaderDriver whose readers and cards live in this process: for machines without pcscd, the demo and
 * tests. It keeps the real driver's rules: removal fails pending and later exchanges with CARD_REMOVED,
 * an exclusive connection makes others fail with SHARING_VIOLATION, a mute card ends in TRANSMIT_TIMEOUT, and a
 * new subscriber first gets the present readers and cards as events (reader-attached, card-inserted).
 */
export class InProcessReaderDriver implements ReaderDriver {
  private readonly slots = new Map<string, Slot>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly locks = new KeyedMutex();
  private closed = false;

  /** Creates the driver with the named (empty) readers. */
  constructor(readers: readonly string[] = ['Posbridge Virtual Reader 0']) {
    for (const r of readers) this.slots.set(r, newSlot());
  }

  /** Readers and their cards. */
  async listReaders(): Promise<ReaderInfo[]> {
    this.assertOpen();
    return [...this.slots].map(([name, s]) => ({ name, cardPresent: s.card !== null, atr: s.card ? s.card.atr : null }));
  }

  /**
   * Event subscription, as the real driver's: the readers present and the cards in them are reported first
   * (reader-attached, card-inserted), then changes, in order. Delivery of that initial state starts after
   * `subscribe` has returned, so a listener may call the unsubscribe function from its first event on.
   */
  subscribe(listener: (event: ReaderEvent) => void): () => void {
    this.assertOpen();
    const at = new Date();
    const backlog: ReaderEvent[] = [];
    for (const [reader, s] of this.slots) {
      backlog.push({ type: 'reader-attached', reader, at });
      if (s.card) backlog.push({ type: 'card-inserted', reader, atr: s.card.atr, at });
    }
    const sub: Subscriber = { listener, backlog, active: true };
    this.subscribers.add(sub);
    queueMicrotask(() => {
      // Events emitted meanwhile (also by the listener itself) join the backlog, so the order is kept.
      for (let e = sub.backlog?.shift(); e && sub.active; e = sub.backlog?.shift()) sub.listener(e);
      sub.backlog = null;
    });
    return () => {
      sub.active = false;
      this.subscribers.delete(sub);
    };
  }

  /** Plugs in a reader. */
  attachReader(name: string): void {
    if (this.slots.has(name)) return;
    this.slots.set(name, newSlot());
    this.emit({ type: 'reader-attached', reader: name, at: new Date() });
  }

  /** Unplugs a reader (its card is removed first). */
  detachReader(name: string): void {
    const s = this.slots.get(name);
    if (!s) return;
    if (s.card) this.removeCard(name);
    this.slots.delete(name);
    this.emit({ type: 'reader-detached', reader: name, at: new Date() });
  }

  /** Inserts `card` in `reader` with an optional fault scenario. */
  insertCard(reader: string, card: VirtualCard, faults: FaultOptions = {}): void {
    const s = this.slot(reader);
    if (s.card) this.removeCard(reader);
    s.card = card;
    s.generation++;
    s.faults = new FaultPlan(faults);
    card.reset();
    this.emit({ type: 'card-inserted', reader, atr: card.atr, at: new Date() });
  }

  /** Removes the card from `reader`, if any. */
  removeCard(reader: string): void {
    const s = this.slot(reader);
    if (!s.card) return;
    s.card = null;
    s.generation++;
    s.exclusive = false;
    s.shared = 0;
    s.removal.abort();
    s.removal = new AbortController();
    this.emit({ type: 'card-removed', reader, at: new Date() });
  }

  /**
   * Gives `reader` a keypad (a class-3 reader: part 10 secure PIN entry, src/sim/pinpad/reader-pin-pad-emulator.ts) whose
   * digits only the emulated reader sees, or takes it away with null (control codes then fail CONTROL_UNSUPPORTED).
   */
  setPinPad(reader: string, keypad: ReaderKeypad | null, options: ReaderPinPadEmulatorOptions = {}): void {
    this.slot(reader).pinPad = keypad ? new ReaderPinPadEmulator(keypad, options) : null;
  }

  /** Changes the fault scenario of the card in `reader`. */
  setFaults(reader: string, faults: FaultOptions): void {
    this.slot(reader).faults.set(faults);
  }

  /** Connects to the card in `reader`, enforcing share modes. */
  async connect(reader: string, options: ConnectOptions = {}): Promise<CardConnection> {
    this.assertOpen();
    const s = this.slots.get(reader);
    if (!s) throw new ReaderError('READER_NOT_FOUND', `no reader named "${reader}"`, { reader });
    if (!s.card) throw new ReaderError('NO_CARD', `no card in the reader (reader "${reader}")`, { reader });
    const share = options.share ?? 'shared';
    if (s.exclusive || (share === 'exclusive' && s.shared > 0)) {
      throw new ReaderError('SHARING_VIOLATION', `another connection holds the card exclusively (reader "${reader}")`, { reader });
    }
    const protocols = parseAtr(s.card.atr).protocols;
    const wanted = options.protocols ?? ['T=0', 'T=1'];
    const protocol = (wanted.find((p) => protocols.includes(p)) ?? null) as CardProtocol | null;
    if (!protocol) throw new ReaderError('PROTOCOL_MISMATCH', `card offers ${protocols.join(', ')}, asked for ${wanted.join(', ')}`, { reader });
    if (share === 'exclusive') s.exclusive = true;
    else s.shared++;
    return new InProcessConnection(this, reader, s, s.generation, protocol, share === 'exclusive', options.transmitTimeoutMs ?? 10_000, this.locks);
  }

  /** Forgets listeners and refuses further use. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sub of this.subscribers) sub.active = false;
    this.subscribers.clear();
  }

  private slot(reader: string): Slot {
    const s = this.slots.get(reader);
    if (!s) throw new ReaderError('READER_NOT_FOUND', `no reader named "${reader}"`, { reader });
    return s;
  }

  private emit(e: ReaderEvent): void {
    for (const sub of [...this.subscribers]) {
      if (!sub.active) continue;
      if (sub.backlog) sub.backlog.push(e);
      else sub.listener(e);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', 'the reader driver is closed');
  }
}

function newSlot(): Slot {
  return { card: null, generation: 0, faults: new FaultPlan(), exclusive: false, shared: 0, removal: new AbortController(), pinPad: null };
}

class InProcessConnection implements CardConnection {
  readonly atr: Uint8Array;
  private closed = false;

  constructor(
    private readonly driver: InProcessReaderDriver,
    readonly reader: string,
    private readonly slot: Slot,
    private readonly generation: number,
    readonly protocol: CardProtocol,
    private readonly exclusive: boolean,
    private readonly timeoutMs: number,
    private readonly locks: KeyedMutex,
  ) {
    this.atr = slot.card?.atr ?? new Uint8Array(0);
  }

  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    return this.locks.run(this.reader, () => this.exchange(command, options));
  }

  transaction<T>(fn: (channel: CardChannel) => Promise<T>): Promise<T> {
    const inner: CardChannel = { atr: this.atr, protocol: this.protocol, transmit: (c, o) => this.exchange(c, o) };
    return this.locks.run(this.reader, () => fn(inner));
  }

  private async exchange(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    const card = this.currentCard();
    const removal = this.slot.removal.signal;
    const action = this.slot.faults.next();
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const work = (async (): Promise<Uint8Array> => {
      if (action.kind === 'drop') {
        this.driver.removeCard(this.reader);
        throw this.cardRemoved();
      }
      if (action.kind === 'mute' || action.kind === 'freeze') return new Promise<Uint8Array>(() => undefined);
      if (action.delayMs > 0) await new Promise((r) => setTimeout(r, action.delayMs));
      this.currentCard(); // pulled during the delay: the command never reaches the card
      const answer = action.kind === 'garbage' ? action.bytes : await card.process(command);
      this.currentCard(); // removed while the card was working: the answer never arrives
      return answer;
    })();
    // A removal fails the pending exchange at once (as pcscd does), not when the slow or mute card would answer.
    let onRemoval = (): void => undefined;
    const removed = new Promise<never>((_, reject) => {
      onRemoval = () => reject(this.cardRemoved());
      removal.addEventListener('abort', onRemoval, { once: true });
    });
    removed.catch(() => undefined);
    const answer = Promise.race([work, removed]);
    const timed = raceWithTimeout(answer, {
      timeoutMs,
      signal: options?.signal,
      onCancel: readerCancelled,
      onTimeout: () => new ReaderError('TRANSMIT_TIMEOUT', `no answer from the card within ${timeoutMs} ms (reader "${this.reader}")`, { reader: this.reader, timeoutMs }),
    });
    return timed.finally(() => removal.removeEventListener('abort', onRemoval));
  }

  private cardRemoved(): ReaderError {
    return new ReaderError('CARD_REMOVED', `the card was removed (reader "${this.reader}")`, { reader: this.reader });
  }

  /**
   * SCardControl: the part 10 codes of the reader's PIN pad when it has one, bounded by the connection's timeout as
   * on the real driver; anything else fails CONTROL_UNSUPPORTED. The PIN entry's VERIFY goes to the card like a
   * transmit (faults and removal apply) without taking the reader lock, as the reader itself sends it.
   */
  async control(code: number, data: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    this.currentCard();
    const pad = this.slot.pinPad;
    const answer = pad ? pad.control(code, data, (apdu) => this.exchange(apdu)) : Promise.resolve(null);
    const out = await raceWithTimeout(answer, {
      timeoutMs: this.timeoutMs,
      onTimeout: () => new ReaderError('TRANSMIT_TIMEOUT', `reader "${this.reader}" did not answer control 0x${code.toString(16)}`, { reader: this.reader }),
    });
    if (out === null) throw new ReaderError('CONTROL_UNSUPPORTED', `the virtual reader has no control code 0x${code.toString(16)}`, { reader: this.reader });
    return out;
  }

  /** Part 10 features from CM_IOCTL_GET_FEATURE_REQUEST, as the real driver reads them; none without a PIN pad. */
  async features(): Promise<ReaderFeatures> {
    try {
      return parseFeatures(await this.control(getFeatureRequestCode()));
    } catch (err) {
      if (err instanceof ReaderError && err.code === 'CONTROL_UNSUPPORTED') return new Map();
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.slot.generation !== this.generation) return;
    if (this.exclusive) this.slot.exclusive = false;
    else this.slot.shared = Math.max(0, this.slot.shared - 1);
  }

  private currentCard(): VirtualCard {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', `connection to "${this.reader}" is closed`, { reader: this.reader });
    if (this.slot.generation !== this.generation || !this.slot.card) {
      throw this.cardRemoved();
    }
    return this.slot.card;
  }
}
