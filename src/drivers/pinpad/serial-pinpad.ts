// A PIN pad on a serial cable speaking the protocol of docs/hardware.md ("Serial PIN pad protocol"), as the EMV
// kernel's PinEntry. Online PIN: the pad encrypts (ISO 9564-1 format 0 under TDES DUKPT, X9.24-1, or format 4 under
// AES DUKPT, X9.24-3, by its key type) and the block goes to the host unopened. Offline enciphered PIN: the pad
// builds and RSA-enciphers the EMV Book 2 §7.2 block; we send VERIFY (P2=88). Offline plaintext PIN is refused by
// design: EMV lets a plaintext PIN travel only inside a tamper-evident device, and a pad on a cable is not the
// card reader, so the kernel goes on to the next CVM (Book 3 §10.5).
import type { CardChannel } from '../../apdu/card-channel.js';
import { CommandApdu } from '../../apdu/command-apdu.js';
import { toHex } from '../../apdu/hex.js';
import { ResponseApdu } from '../../apdu/response-apdu.js';
import type { OnlinePinResult, PinEntry, PinEntryEnded, PinOutcome, PinPrompt } from './pin-port.js';
import { PinPadError } from './serial-pinpad-errors.js';
import { DEFAULT_LINK_TIMING, PinPadLink, type LinkTiming } from './serial-pinpad-link.js';
import {
  decodeReply,
  encodeRequest,
  ICC_MODULUS_MAX,
  ICC_MODULUS_MIN,
  MSG,
  replyType,
  type EntryStatus,
  type KeyScheme,
  type PadReply,
  type PadRequest,
  type RawMessage,
} from './serial-pinpad-messages.js';
import type { ByteTransport } from '../serial/byte-transport.js';
import { parsePinPadUrl, pinPadSerialTransport } from './serial-pinpad-port.js';

/** Options of a serial PIN pad. */
export interface SerialPinPadOptions {
  /** Seconds the cardholder has to enter a PIN (sent to the pad, 1-255; default 30). */
  readonly entryTimeoutSec?: number;
  /** How long a display/amount/identify answer may take (default 2000 ms). */
  readonly replyTimeoutMs?: number;
  /** Extra wait for a PIN result beyond the entry timeout (default 3000 ms). */
  readonly entryGraceMs?: number;
  readonly link?: Partial<LinkTiming>;
  /** The cardholder pressed the cancel key while no PIN entry was running (a payment progress event). */
  readonly onCancelKey?: () => void;
}

/** What the pad says about itself. */
export interface PinPadIdentity {
  readonly scheme: KeyScheme;
  /** The KSN the pad will use next, hex. */
  readonly ksn: string;
  readonly model: string;
}

/** The serial PIN pad driver; the port is opened on first use and again after an unplug. */
export class SerialPinPad implements PinEntry {
  private readonly link: PinPadLink;
  private readonly entrySec: number;
  private readonly replyMs: number;
  private readonly graceMs: number;
  private identity: PinPadIdentity | null = null;
  private busy: Promise<unknown> = Promise.resolve();

  /** Wraps a byte transport (the pad's serial port, or any pipe in tests). */
  constructor(transport: ByteTransport, private readonly options: SerialPinPadOptions = {}) {
    this.link = new PinPadLink(transport, { ...DEFAULT_LINK_TIMING, ...options.link }, (m) => this.unsolicited(m));
    this.entrySec = options.entryTimeoutSec ?? 30;
    this.replyMs = options.replyTimeoutMs ?? 2000;
    this.graceMs = options.entryGraceMs ?? 3000;
  }

  /** A pad on the serial port of `serial:///dev/ttyX?baud=N` (9600 by default). */
  static fromUrl(url: string, options: SerialPinPadOptions = {}): SerialPinPad {
    const { path, baud } = parsePinPadUrl(url);
    return new SerialPinPad(pinPadSerialTransport(path, baud), options);
  }

  /** Asks the pad for its key scheme, next KSN and model (STATUS/IDENTIFY). */
  async identify(): Promise<PinPadIdentity> {
    const r = await this.exclusive(() => this.request({ kind: 'identify' }, this.replyMs));
    if (r.kind !== 'identity') throw unexpected(r);
    this.identity = { scheme: r.scheme, ksn: toHex(r.ksn), model: r.model };
    return this.identity;
  }

  /** Shows up to two lines of 20 printable ASCII characters ("\n" between them) on the pad. */
  async display(text: string): Promise<void> {
    const r = await this.exclusive(() => this.request({ kind: 'display', text }, this.replyMs));
    if (r.kind !== 'displayed') throw unexpected(r);
  }

  /** Shows an amount in minor units with its ISO 4217 numeric currency ('0978'). */
  async showAmount(amount: number, currency: string): Promise<void> {
    const r = await this.exclusive(() => this.request({ kind: 'amount', amount, currency }, this.replyMs));
    if (r.kind !== 'amountShown') throw unexpected(r);
  }

  /** Refused by design: a plaintext PIN may not leave the pad over a cable (see the file comment). */
  async verifyOfflinePlaintext(): Promise<PinOutcome> {
    return { kind: 'unavailable' };
  }

  /** GET CHALLENGE at the card, the pad enciphers the PIN block under the ICC key, then VERIFY P2=88 (Book 3 §6.5.12). */
  async verifyOfflineEnciphered(channel: CardChannel, prompt: PinPrompt, key: { modulus: Uint8Array; exponent: Uint8Array }): Promise<PinOutcome> {
    if (prompt.signal?.aborted) return { kind: 'cancelled' };
    const n = key.modulus.length;
    if (n < ICC_MODULUS_MIN || n > ICC_MODULUS_MAX || key.exponent.length < 1 || key.exponent.length > 3) return { kind: 'unavailable' };
    const ch = ResponseApdu.parse(await channel.transmit(CommandApdu.getChallenge().encode()));
    if (!ch.isOk || ch.data.length !== 8) return { kind: 'unavailable' };
    const r = await this.exclusive(async () => {
      await this.amountFor(prompt);
      const req: PadRequest = { kind: 'encipheredPin', timeoutSec: this.entrySec, triesLeft: prompt.triesLeft ?? null, challenge: ch.data, exponent: key.exponent, modulus: key.modulus };
      return this.entry(req, prompt.signal);
    });
    if (r.kind !== 'encipheredPinResult') throw unexpected(r);
    if (r.status !== 'entered') return endOfStatus(r.status);
    if (!r.enciphered) throw new PinPadError('PINPAD_PROTOCOL_ERROR', 'the PIN pad said a PIN was entered but sent no enciphered block', { kind: r.kind });
    if (r.enciphered.length !== n) throw new PinPadError('PINPAD_PROTOCOL_ERROR', 'the enciphered PIN block is not as long as the ICC key modulus', { length: r.enciphered.length, modulus: n });
    const v = ResponseApdu.parse(await channel.transmit(CommandApdu.verify(0x88, r.enciphered).encode()));
    return outcomeOfSw(v.sw);
  }

  /** The pad's encrypted PIN block with its KSN, or how the entry ended without one (cancel key, timeout, bypass). */
  async onlinePin(prompt: PinPrompt & { readonly pan: string }): Promise<OnlinePinResult> {
    if (prompt.signal?.aborted) return { kind: 'cancelled' };
    const r = await this.exclusive(async () => {
      const id = this.identity ?? (await this.identifyNow());
      await this.amountFor(prompt);
      const format = id.scheme === 'aes-dukpt' ? 4 : 0;
      return this.entry({ kind: 'onlinePin', format, timeoutSec: this.entrySec, pan: prompt.pan }, prompt.signal);
    });
    if (r.kind !== 'onlinePinResult') throw unexpected(r);
    if (r.status !== 'entered') return endOfStatus(r.status);
    if (r.format === undefined || !r.ksn || !r.block) throw new PinPadError('PINPAD_PROTOCOL_ERROR', 'the PIN pad said a PIN was entered but sent no block', { kind: r.kind });
    return { kind: 'pin', pin: { format: r.format, block: toHex(r.block), ksn: toHex(r.ksn) } };
  }

  /** Link counters for diagnostics: damaged frames received (each answered with NAK). */
  stats(): { readonly badFrames: number } {
    return { badFrames: this.link.badFrames };
  }

  /** Closes the port. */
  async close(): Promise<void> {
    await this.link.close();
  }

  private async identifyNow(): Promise<PinPadIdentity> {
    const r = await this.request({ kind: 'identify' }, this.replyMs);
    if (r.kind !== 'identity') throw unexpected(r);
    this.identity = { scheme: r.scheme, ksn: toHex(r.ksn), model: r.model };
    return this.identity;
  }

  private async amountFor(prompt: PinPrompt): Promise<void> {
    const r = await this.request({ kind: 'amount', amount: prompt.amount, currency: prompt.currency }, this.replyMs);
    if (r.kind !== 'amountShown') throw unexpected(r);
  }

  /** A PIN entry: the request, then its result; an abort sends CANCEL and still waits for the pad's result. */
  private async entry(req: PadRequest, signal: AbortSignal | undefined): Promise<PadReply> {
    const onAbort = (): void => {
      // The pad answers the pending entry with "cancelled by host"; a failed CANCEL leaves the entry to its timeout.
      this.link.send(encodeRequest({ kind: 'cancel' })).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.request(req, this.entrySec * 1000 + this.graceMs);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async request(req: PadRequest, timeoutMs: number): Promise<PadReply> {
    const m = encodeRequest(req);
    this.link.drop();
    try {
      await this.link.send(m);
      const answer = await this.link.next([replyType(m.type), MSG.error], timeoutMs);
      const r = decodeReply(answer);
      if (r.kind === 'error') {
        throw new PinPadError('PINPAD_REFUSED', `the PIN pad refused the request: ${r.error}`, { requestType: r.requestType, error: r.error, code: r.code });
      }
      return r;
    } catch (err) {
      // After a disconnect the pad may come back with another key: ask again next time.
      if (err instanceof PinPadError && err.code === 'PINPAD_DISCONNECTED') this.identity = null;
      throw err;
    }
  }

  /** One request sequence at a time (CANCEL alone bypasses this, so it can reach a running entry). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private unsolicited(m: RawMessage): void {
    if (m.type === MSG.keyEvent) this.options.onCancelKey?.();
  }
}

/** An answer of the wrong kind (named by kind only: never the payload, it may be a PIN block). */
function unexpected(r: PadReply): PinPadError {
  return new PinPadError('PINPAD_PROTOCOL_ERROR', `unexpected answer from the PIN pad: ${r.kind}`, { kind: r.kind });
}

/** How an entry the pad ended without a PIN ended: its cancel key or our CANCEL, its timeout, or a bypass. */
function endOfStatus(s: Exclude<EntryStatus, 'entered'>): PinEntryEnded {
  if (s === 'timeout') return { kind: 'timeout' };
  if (s === 'bypass') return { kind: 'bypassed' };
  return { kind: 'cancelled' };
}

/** VERIFY status words (EMV Book 3 §6.5.12): 9000 verified, 63Cx wrong with x tries left, 6983/6984 blocked. */
function outcomeOfSw(sw: number): PinOutcome {
  if (sw === 0x9000) return { kind: 'verified' };
  if ((sw & 0xfff0) === 0x63c0) return { kind: 'wrong', triesLeft: sw & 0x0f };
  if (sw === 0x6983 || sw === 0x6984) return { kind: 'blocked' };
  return { kind: 'unavailable' };
}
