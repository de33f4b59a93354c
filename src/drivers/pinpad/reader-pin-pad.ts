// Offline plaintext PIN on the reader's own keypad (PC/SC Part 10 v2.02.09 §2.5: FEATURE_VERIFY_PIN_DIRECT, or
// FEATURE_VERIFY_PIN_START then FEATURE_VERIFY_PIN_FINISH). The reader takes the digits, builds the EMV VERIFY
// (Book 3 §6.5.12, format 2 block) from our PIN_VERIFY_STRUCTURE and sends it to the card: the PIN never passes
// through this process, so there is nothing of it to log. Only the status word comes back.
import type { CardChannel } from '../../apdu/card-channel.js';
import type { OnlinePinResult, PinEntry, PinOutcome, PinPrompt } from './pin-port.js';
import type { Logger } from '../../log/logger.js';
import type { ReaderDriver, ReaderFeatures } from '../pcsc/types.js';
import { buildVerifyPinDirect, mapVerifyResult, type VerifyPinDirectOptions } from './pcsc-part10.js';
import { ReaderPinPadError } from './reader-pin-pad-errors.js';

/** What the pad needs of a reader connection: SCardControl and the part 10 feature list (a CardConnection fits). */
export interface ReaderControlLink {
  readonly reader: string;
  /** SCardControl; resolves with the reader's answer. */
  control(code: number, data?: Uint8Array): Promise<Uint8Array>;
  /** The part 10 features, tag name → control code (empty when the reader has none). */
  features(): Promise<ReaderFeatures>;
  /** Releases the connection. */
  disconnect(): Promise<void>;
}

/** Opens the lane's reader for one PIN entry; `timeoutMs` must bound each control call (the whole entry). */
export type OpenReaderControl = (timeoutMs: number) => Promise<ReaderControlLink>;

/** How the reader PIN pad is set up. */
export interface ReaderPinPadOptions {
  /** Opens the reader (see `openReaderThroughDriver`). */
  readonly open: OpenReaderControl;
  /** PIN_VERIFY_STRUCTURE options: timeouts, PIN length limits, message (defaults: 30 s, 4..12 digits). */
  readonly entry?: VerifyPinDirectOptions;
  readonly logger?: Logger;
}

/** Seconds added to the entry timeout for the card's VERIFY and the reader's own latency. */
const MARGIN_S = 15;
/** Entries retried when the reader reports a PIN shorter or longer than allowed (6403): no card try is used. */
const MAX_LENGTH_RETRIES = 3;

/**
 * Opens a shared connection of its own to `reader` through the driver for each PIN entry, with a transmit timeout
 * covering the entry. A second shared connection works alongside the kernel's (pcsc-lite and the in-process reader
 * both allow it), and SCardControl needs no reader lock: the kernel is waiting for the pad meanwhile.
 */
export function openReaderThroughDriver(driver: ReaderDriver, reader: string): OpenReaderControl {
  return async (timeoutMs) => {
    const c = await driver.connect(reader, { share: 'shared', transmitTimeoutMs: timeoutMs });
    return { reader: c.reader, control: (code, data) => c.control(code, data), features: () => c.features(), disconnect: () => c.disconnect('leave') };
  };
}

/**
 * PinEntry on a class-3 reader's keypad. It does offline plaintext PIN only: a part 10 reader cannot encipher a PIN
 * for the card (offline enciphered → 'unavailable') nor build an online PIN block for the host (onlinePin throws
 * READER_PIN_PAD_NO_ONLINE_PIN); a lane wanting those combines this pad with another (CombinedPinEntry).
 *
 * Cancellation: when the prompt's signal aborts, FEATURE_ABORT is sent if the reader offers it. A reader inside
 * VERIFY_PIN_DIRECT cannot be interrupted otherwise (SCardControl is not cancellable, pcscd serialises the
 * reader's control calls), so the pad still waits for the reader's answer — at the latest its bTimerOut — and then
 * reports 'cancelled' unless the card itself answered. The connection is never dropped mid-entry.
 */
export class ReaderPinPad implements PinEntry {
  private readonly structure: Uint8Array;
  private readonly timeoutMs: number;

  /** Builds the pad; the PIN_VERIFY_STRUCTURE is built (and its options checked) here, once. */
  constructor(private readonly options: ReaderPinPadOptions) {
    this.structure = buildVerifyPinDirect(options.entry);
    const entryS = options.entry?.timeoutS ?? 30;
    this.timeoutMs = ((entryS === 0 ? 120 : entryS) + MARGIN_S) * 1000;
  }

  /** VERIFY with a plaintext PIN block built by the reader from the cardholder's digits (P2=80). */
  async verifyOfflinePlaintext(_channel: CardChannel, prompt: PinPrompt): Promise<PinOutcome> {
    if (prompt.signal?.aborted) return { kind: 'cancelled' };
    const link = await this.options.open(this.timeoutMs);
    try {
      const features = await link.features();
      const direct = features.get('VERIFY_PIN_DIRECT');
      const start = features.get('VERIFY_PIN_START');
      const finish = features.get('VERIFY_PIN_FINISH');
      if (direct === undefined && (start === undefined || finish === undefined)) {
        this.options.logger?.warn('reader offers no part 10 PIN verification', { reader: link.reader, features: [...features.keys()] });
        return { kind: 'unavailable' };
      }
      const abortCode = features.get('ABORT');
      for (let attempt = 1; ; attempt++) {
        const answer = await this.entryOnce(link, direct, start, finish, abortCode, prompt.signal);
        const outcome = this.outcomeOf(link.reader, answer, prompt.signal?.aborted === true);
        if (outcome !== 'length') return outcome;
        if (attempt >= MAX_LENGTH_RETRIES) return { kind: 'cancelled' };
      }
    } finally {
      await link.disconnect().catch((err: unknown) => this.options.logger?.debug('reader PIN pad disconnect failed', { reader: link.reader, err }));
    }
  }

  /** A part 10 reader cannot encipher the PIN under the ICC key (EMV Book 2 §7.2): the CVM is unavailable here. */
  async verifyOfflineEnciphered(): Promise<PinOutcome> {
    this.options.logger?.debug('offline enciphered PIN asked of a reader PIN pad: unavailable');
    return { kind: 'unavailable' };
  }

  /** A part 10 reader builds no online PIN block: the lane's terminal capabilities must not offer online PIN. */
  async onlinePin(): Promise<OnlinePinResult> {
    throw new ReaderPinPadError('READER_PIN_PAD_NO_ONLINE_PIN', 'a reader PIN pad (PC/SC part 10) cannot produce an online PIN block; combine it with a PIN pad that can');
  }

  /** One entry: DIRECT, or START then FINISH; FEATURE_ABORT on cancellation. Resolves with the reader's answer. */
  private async entryOnce(link: ReaderControlLink, direct: number | undefined, start: number | undefined, finish: number | undefined, abortCode: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const onAbort = (): void => {
      if (abortCode === undefined) return;
      link.control(abortCode).catch((err: unknown) => this.options.logger?.debug('FEATURE_ABORT failed; waiting for the reader', { reader: link.reader, err }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (direct !== undefined) return await link.control(direct, this.structure);
      const started = await link.control(start as number, this.structure);
      // START answers nothing when the entry started, or an SPE status word (6B80) when it did not.
      if (started.length >= 2) return started;
      if (signal?.aborted) onAbort();
      return await link.control(finish as number);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private outcomeOf(reader: string, answer: Uint8Array, aborted: boolean): PinOutcome | 'length' {
    if (answer.length < 2) {
      throw new ReaderPinPadError('READER_PIN_PAD_ANSWER_INVALID', `reader "${reader}" answered the PIN entry with ${answer.length} byte(s), no status word`, { reader, length: answer.length });
    }
    const sw = (answer[answer.length - 2] << 8) | answer[answer.length - 1];
    const swHex = sw.toString(16).toUpperCase().padStart(4, '0');
    const r = mapVerifyResult(sw);
    this.options.logger?.info('reader PIN entry ended', { reader, sw: swHex, result: r.kind });
    switch (r.kind) {
      case 'verified':
        return { kind: 'verified' };
      case 'wrong-pin':
        return { kind: 'wrong', triesLeft: r.triesLeft };
      case 'blocked':
        return { kind: 'blocked' };
      case 'timeout':
        return { kind: aborted ? 'cancelled' : 'timeout' };
      case 'cancelled':
        return { kind: 'cancelled' };
      case 'too-short-or-long':
        return aborted ? { kind: 'cancelled' } : 'length';
      case 'spe-invalid-parameter':
        throw new ReaderPinPadError('READER_PIN_PAD_STRUCTURE_REJECTED', `reader "${reader}" rejected the PIN_VERIFY_STRUCTURE (6B80)`, { reader });
      case 'pin-mismatch':
        throw new ReaderPinPadError('READER_PIN_PAD_STATUS_UNEXPECTED', `reader "${reader}" answered a PIN verification with ${swHex}`, { reader, sw: swHex });
      case 'card-error':
        // 6984 (reference data invalidated) blocks the PIN like 6983 (ISO 7816-4 §5.1.3); any other card refusal
        // makes the CVM unavailable, as with the software pad.
        return sw === 0x6984 ? { kind: 'blocked' } : { kind: 'unavailable' };
    }
  }
}
