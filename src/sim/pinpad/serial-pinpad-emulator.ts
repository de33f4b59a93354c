// A software serial PIN pad speaking the protocol of docs/hardware.md ("Serial PIN pad protocol") on a serial path
// (a pty end in tests and `posbridge sim pinpad`). It holds a test BDK and a KSN register (TDES or AES DUKPT, see
// sim-dukpt.ts), takes PINs from a supplier, builds PIN blocks with the project's DUKPT and ISO 9564 modules, and
// enciphers offline PINs under the card's key (EMV Book 2 §7.2). Scenario controls: the cancel key, a cardholder
// timeout or bypass, slow answers, a mute pad, and line noise with damaged frames before each answer.
import { randomBytes } from 'node:crypto';
import { concatBytes, fromHex, toHex } from '../../apdu/hex.js';
import { bigIntToBytes, bytesToBigInt } from '../../crypto/bytes.js';
import { modPow } from '../../crypto/rsa.js';
import { PinPadLink } from '../../drivers/pinpad/serial-pinpad-link.js';
import { encodeFrame } from '../../drivers/pinpad/serial-pinpad-frames.js';
import { PinPadError } from '../../drivers/pinpad/serial-pinpad-errors.js';
import { decodeRequest, encodeReply, MSG, type EntryStatus, type KeyScheme, type PadReply, type PadRequest, type RawMessage } from '../../drivers/pinpad/serial-pinpad-messages.js';
import { pinPadSerialTransport } from '../../drivers/pinpad/serial-pinpad-port.js';
import { plaintextPinBlock } from './sim-pin-entry.js';
import { encryptOnlinePin, KsnCounter, SIM_AES_BDK, SIM_AES_INITIAL_KSN, SIM_TDES_BDK, SIM_TDES_INITIAL_KSN } from './sim-dukpt.js';

/** What the cardholder does at a PIN prompt: types a PIN, presses cancel, presses Enter alone, walks away, or waits. */
export type CardholderAction = string | 'cancel' | 'bypass' | 'timeout' | 'wait';

/** What the supplier is told about the prompt (no secrets: the PAN is masked). */
export interface PadPromptInfo {
  readonly kind: 'online' | 'offline-enciphered';
  readonly maskedPan?: string;
  readonly triesLeft: number | null;
  readonly amount: number | null;
  readonly currency: string | null;
}

/** Where the emulated cardholder's actions come from. */
export type PadPinSupplier = (prompt: PadPromptInfo) => Promise<CardholderAction>;

/** Line behaviour: answers as a pad should, answers late, never answers (ACKs only), or sends noise first. */
export type PadMode = 'normal' | 'slow' | 'mute' | 'garbage';

/** Emulator set-up. */
export interface PinPadEmulatorOptions {
  /** TDES DUKPT (format 0) by default; AES DUKPT gives format 4. */
  readonly scheme?: KeyScheme;
  /** The BDK and initial KSN, hex; default the standards' test values (sim-dukpt.ts). */
  readonly bdk?: string;
  readonly initialKsn?: string;
  readonly supplier: PadPinSupplier;
  /** Delay of answers in 'slow' mode (default 1500 ms). */
  readonly slowMs?: number;
}

/** An open link between the emulator and its serial path. */
export interface PadEmulatorLink {
  close(): Promise<void>;
}

/** The emulated pad. */
export class SerialPinPadEmulator {
  readonly scheme: KeyScheme;
  private readonly bdk: Uint8Array;
  private readonly ksn: KsnCounter;
  private link: PinPadLink | null = null;
  private endEntry: ((s: EntryStatus) => void) | null = null;
  private amount: { amount: number; currency: string } | null = null;
  /** Scenario control: how the pad behaves on the line. */
  mode: PadMode = 'normal';
  /** What the pad showed (display texts, "AMOUNT 1234 0978"), in order. */
  readonly shown: string[] = [];
  /** Kinds of the requests received, in order. */
  readonly requests: string[] = [];

  /** A pad with its keys and cardholder. */
  constructor(private readonly options: PinPadEmulatorOptions) {
    this.scheme = options.scheme ?? 'tdes-dukpt';
    const aes = this.scheme === 'aes-dukpt';
    this.bdk = fromHex(options.bdk ?? (aes ? SIM_AES_BDK : SIM_TDES_BDK));
    this.ksn = new KsnCounter(this.scheme, fromHex(options.initialKsn ?? (aes ? SIM_AES_INITIAL_KSN : SIM_TDES_INITIAL_KSN)));
  }

  /** True while a PIN entry is running. */
  get entering(): boolean {
    return this.endEntry !== null;
  }

  /** Opens `path` and answers what arrives; close() detaches (the pad "unplugged" from its side). */
  async attachToPath(path: string, baudRate = 9600): Promise<PadEmulatorLink> {
    const link = new PinPadLink(pinPadSerialTransport(path, baudRate), undefined, (m) => void this.onRequest(m));
    await link.open();
    this.link = link;
    return {
      close: async () => {
        if (this.link === link) this.link = null;
        this.endEntry = null;
        await link.close();
      },
    };
  }

  /** The cardholder presses the cancel key: ends a running entry, or is reported as a key event. */
  async pressCancelKey(): Promise<void> {
    if (this.endEntry) this.endEntry('cancelKey');
    else await this.send({ kind: 'keyEvent', key: 'cancel' });
  }

  private async onRequest(m: RawMessage): Promise<void> {
    let req: PadRequest;
    try {
      req = decodeRequest(m);
    } catch (err) {
      const bad = err instanceof PinPadError && err.message.startsWith('unknown request type');
      await this.send({ kind: 'error', requestType: m.type, error: bad ? 'unknownMessage' : 'badPayload', code: 0 });
      return;
    }
    this.requests.push(req.kind);
    if (this.mode === 'mute') return;
    const reply = await this.answer(req);
    if (reply) await this.send(reply);
  }

  private async answer(req: PadRequest): Promise<PadReply | null> {
    switch (req.kind) {
      case 'identify':
        return { kind: 'identity', scheme: this.scheme, ksn: this.ksn.peek(), model: 'POSBRIDGE-SIM-PAD' };
      case 'display':
        this.shown.push(req.text);
        return { kind: 'displayed' };
      case 'amount':
        this.amount = { amount: req.amount, currency: req.currency };
        this.shown.push(`AMOUNT ${req.amount} ${req.currency}`);
        return { kind: 'amountShown' };
      case 'cancel':
        this.endEntry?.('cancelledByHost');
        return null;
      case 'onlinePin':
        return this.onlinePin(req);
      case 'encipheredPin':
        return this.encipheredPin(req);
    }
  }

  private async onlinePin(req: Extract<PadRequest, { kind: 'onlinePin' }>): Promise<PadReply> {
    if (this.endEntry) return { kind: 'error', requestType: MSG.onlinePin, error: 'busy', code: 0 };
    if ((req.format === 4) !== (this.scheme === 'aes-dukpt')) return { kind: 'error', requestType: MSG.onlinePin, error: 'badPayload', code: 0 };
    const masked = `${req.pan.slice(0, 6)}${'*'.repeat(req.pan.length - 10)}${req.pan.slice(-4)}`;
    const got = await this.cardholder({ kind: 'online', maskedPan: masked, triesLeft: null }, req.timeoutSec);
    if (typeof got !== 'string') return { kind: 'onlinePinResult', status: got.status };
    const ksn = this.ksn.next();
    const { format, block } = encryptOnlinePin(this.scheme, this.bdk, ksn, got, req.pan);
    return { kind: 'onlinePinResult', status: 'entered', format, ksn, block };
  }

  private async encipheredPin(req: Extract<PadRequest, { kind: 'encipheredPin' }>): Promise<PadReply> {
    if (this.endEntry) return { kind: 'error', requestType: MSG.encipheredPin, error: 'busy', code: 0 };
    const got = await this.cardholder({ kind: 'offline-enciphered', triesLeft: req.triesLeft }, req.timeoutSec);
    if (typeof got !== 'string') return { kind: 'encipheredPinResult', status: got.status };
    // EMV Book 2 §7.2: 7F | PIN block (format 2, 8 bytes) | ICC unpredictable number (8) | random pad (N - 17).
    const n = req.modulus.length;
    const block = concatBytes(Uint8Array.of(0x7f), plaintextPinBlock(got), req.challenge, new Uint8Array(randomBytes(n - 17)));
    const enciphered = bigIntToBytes(modPow(bytesToBigInt(block), bytesToBigInt(req.exponent), bytesToBigInt(req.modulus)), n);
    return { kind: 'encipheredPinResult', status: 'entered', enciphered };
  }

  /** Runs one entry: the supplier's action, unless the cancel key, a CANCEL from the host or the timeout ends it first. */
  private async cardholder(info: Omit<PadPromptInfo, 'amount' | 'currency'>, timeoutSec: number): Promise<string | { status: EntryStatus }> {
    const ended = new Promise<EntryStatus>((resolve) => (this.endEntry = resolve));
    const timer = setTimeout(() => this.endEntry?.('timeout'), timeoutSec * 1000);
    const prompt: PadPromptInfo = { ...info, amount: this.amount?.amount ?? null, currency: this.amount?.currency ?? null };
    try {
      const action = await Promise.race([this.options.supplier(prompt).then((a) => (a === 'wait' ? ended : a)), ended]);
      if (action === 'cancel') return { status: 'cancelKey' };
      if (action === 'bypass') return { status: 'bypass' };
      if (action === 'timeout') return { status: 'timeout' };
      if (action === 'cancelKey' || action === 'cancelledByHost' || action === 'entered') return { status: action };
      if (!/^\d{4,12}$/.test(action)) return { status: 'bypass' };
      return action;
    } finally {
      clearTimeout(timer);
      this.endEntry = null;
    }
  }

  private async send(reply: PadReply): Promise<void> {
    const link = this.link;
    if (!link) return;
    const m = encodeReply(reply);
    if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.options.slowMs ?? 1500));
    if (this.mode === 'garbage') {
      // Line noise, then the frame with its LRC flipped: the driver must skip the one and NAK the other.
      const damaged = encodeFrame({ seq: 0xee, type: m.type, payload: m.payload });
      damaged[damaged.length - 1] ^= 0xff;
      await link.writeRaw(concatBytes(Uint8Array.of(0x00, 0x7e, 0xff, 0x41), damaged));
    }
    // A send that fails (the line went away) ends here: the host sees the disconnect on its side.
    await link.send(m).catch((err: unknown) => this.shown.push(`[send failed: ${err instanceof Error ? err.message : String(err)}]`));
  }

  /** The KSN the next PIN block will carry, hex (for tests and the CLI banner). */
  nextKsn(): string {
    return toHex(this.ksn.peek());
  }
}
