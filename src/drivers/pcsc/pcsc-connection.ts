import type { CardChannel, CardProtocol, TransmitOptions } from '../../apdu/card-channel.js';
import type { Logger } from '../../log/logger.js';
import type { KeyedMutex } from '../../util/mutex.js';
import type { BindingCard, SmartcardBinding } from './binding.js';
import { ReaderError, readerCancelled } from './errors.js';
import { getFeatureRequestCode, parseFeatures } from './features.js';
import { translatePcscError } from './pcsc-errors.js';
import { raceWithTimeout } from '../../util/timeout.js';
import type { CardConnection, Disposition, ReaderFeatures } from './types.js';

/** Largest response we accept: extended Ne 65536 plus SW. */
const MAX_RECV = 65538;

/** A card connection over the `smartcard` binding, with per-exchange timeouts and the reader lock. */
export class PcscCardConnection implements CardConnection {
  private closed = false;
  /** Settles when the last native exchange does (even after we stopped waiting for it). */
  private inFlight: Promise<void> = Promise.resolve();
  /** Set when an exchange timed out: the native call may still be pending, so the handle is not reused. */
  private stuck = false;

  /** Wraps a connected binding card; `onClose` lets the driver forget it. */
  constructor(
    private readonly binding: SmartcardBinding,
    private readonly card: BindingCard,
    readonly reader: string,
    readonly atr: Uint8Array,
    private readonly locks: KeyedMutex,
    private readonly defaultTimeoutMs: number,
    private readonly logger: Logger | undefined,
    private readonly onClose: (c: PcscCardConnection) => void,
    private readonly cardGone: () => Promise<boolean>,
    private readonly releaseContext: () => void,
  ) {}

  /** The negotiated protocol. */
  get protocol(): CardProtocol {
    const p = this.card.protocol;
    if (p === this.binding.SCARD_PROTOCOL_T0) return 'T=0';
    if (p === this.binding.SCARD_PROTOCOL_T1) return 'T=1';
    return 'RAW';
  }

  /** One exchange under the reader lock. */
  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    return this.locks.run(this.reader, () => this.rawTransmit(command, options));
  }

  /** Runs a sequence of exchanges with the reader lock held throughout. */
  transaction<T>(fn: (channel: CardChannel) => Promise<T>): Promise<T> {
    const inner: CardChannel = {
      atr: this.atr,
      protocol: this.protocol,
      transmit: (command, options) => this.rawTransmit(command, options),
    };
    return this.locks.run(this.reader, () => fn(inner));
  }

  private async rawTransmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    this.assertUsable();
    const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
    const pending = this.card.transmit(Buffer.from(command.buffer, command.byteOffset, command.byteLength), { maxRecvLength: MAX_RECV });
    let response: Buffer;
    try {
      response = await raceWithTimeout(pending, { timeoutMs, signal: options?.signal, onCancel: readerCancelled, onTimeout: () => {
        this.stuck = true;
        this.inFlight = pending.then(
          () => undefined,
          () => undefined,
        );
        return new ReaderError('TRANSMIT_TIMEOUT', `no answer from the card within ${timeoutMs} ms (reader "${this.reader}")`, {
          reader: this.reader,
          timeoutMs,
        });
      } });
    } catch (err) {
      const e = translatePcscError(err, { reader: this.reader });
      // A card pulled mid-exchange surfaces as "transaction failed" or a comm error before the reader state
      // catches up (measured on pcscd + vpcd): ask the reader whether the card is gone.
      // A card swapped for another between two polls surfaces as "card was reset": the event counter tells.
      if ((e.code === 'PCSC_ERROR' || e.code === 'READER_UNAVAILABLE' || e.code === 'CARD_UNRESPONSIVE' || e.code === 'CARD_RESET') && (await this.cardGone())) {
        throw new ReaderError('CARD_REMOVED', `the card was removed (reader "${this.reader}")`, { reader: this.reader, pcsc: e.details.pcsc }, err);
      }
      throw e;
    }
    if (response.length < 2) {
      if (await this.cardGone()) throw new ReaderError('CARD_REMOVED', `the card was removed (reader "${this.reader}")`, { reader: this.reader });
      throw new ReaderError('PCSC_ERROR', `reader returned ${response.length} byte(s), no status word (reader "${this.reader}")`, { reader: this.reader });
    }
    return new Uint8Array(response.buffer, response.byteOffset, response.byteLength);
  }

  /** SCardControl on this connection. */
  async control(code: number, data: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    this.assertUsable();
    try {
      const out = await raceWithTimeout(this.card.control(code, Buffer.from(data)), {
        timeoutMs: this.defaultTimeoutMs,
        onTimeout: () => new ReaderError('TRANSMIT_TIMEOUT', `reader "${this.reader}" did not answer control 0x${code.toString(16)}`, { reader: this.reader }),
      });
      return new Uint8Array(out);
    } catch (err) {
      throw translatePcscError(err, { reader: this.reader, controlCode: `0x${code.toString(16).toUpperCase()}` });
    }
  }

  /** Part 10 features; a reader that rejects the request has none. */
  async features(): Promise<ReaderFeatures> {
    try {
      return parseFeatures(await this.control(getFeatureRequestCode()));
    } catch (err) {
      if (err instanceof ReaderError && (err.code === 'CONTROL_UNSUPPORTED' || err.code === 'PCSC_ERROR' || err.code === 'READER_UNAVAILABLE')) {
        this.logger?.debug('reader answers no part 10 features', { reader: this.reader, code: err.code, pcsc: err.details.pcsc });
        return new Map();
      }
      throw err;
    }
  }

  /** Releases the card handle. */
  async disconnect(disposition: Disposition = 'leave'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    const d = {
      leave: this.binding.SCARD_LEAVE_CARD,
      reset: this.binding.SCARD_RESET_CARD,
      unpower: this.binding.SCARD_UNPOWER_CARD,
      eject: this.binding.SCARD_EJECT_CARD,
    }[disposition];
    if (this.stuck) {
      // The native transmit still runs on a worker thread and holds the handle: release once it returns
      // (the card answers late or is removed); closing the context under it could block the process.
      void this.inFlight.then(() => this.release(d));
      return;
    }
    this.release(d);
  }

  private release(disposition: number): void {
    try {
      this.card.disconnect(disposition);
    } catch (err) {
      const e = translatePcscError(err, { reader: this.reader });
      // A card already gone or a service already stopped needs no disconnect; it is logged, not thrown.
      this.logger?.debug('disconnect after the card or service was gone', { reader: this.reader, code: e.code });
    } finally {
      this.releaseContext();
    }
  }

  private assertUsable(): void {
    if (this.closed) throw new ReaderError('NOT_CONNECTED', `connection to "${this.reader}" is closed`, { reader: this.reader });
    if (this.stuck) {
      throw new ReaderError('TRANSMIT_TIMEOUT', `an earlier exchange with "${this.reader}" never completed; reconnect`, { reader: this.reader });
    }
  }
}

