import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { detectReaderPinPad } from '../drivers/pinpad/reader-pin-pad-detect.js';
import { openReaderThroughDriver, ReaderPinPad } from '../drivers/pinpad/reader-pin-pad.js';
import type { PinEntry, PinPrompt } from '../emv/types.js';
import type { Logger } from '../log/logger.js';
import { SerialPinPad } from '../drivers/pinpad/serial-pinpad.js';
import { PinPadError } from '../drivers/pinpad/serial-pinpad-errors.js';
import type { Payment } from '../payments/payment-store.js';
import type { CardPresence } from './card-presence.js';
import { ConfigError } from '../config/config-error.js';
import { kindOf, type DeviceCheck, type DeviceKind } from './device-kind.js';
import { parsePinPadUrl } from '../drivers/pinpad/serial-pinpad-port.js';
import { errorLine } from '../errors.js';

/** Where a lane's PIN is entered: the demo's software pad, the reader's own keypad (PC/SC part 10) or a serial PIN pad URL. */
export type PinPadConfig = 'virtual' | 'reader' | `serial://${string}`;

/** A lane's PIN entry device with what devices.list says of it. */
export interface LanePinPad {
  readonly entry: PinEntry;
  status(): Promise<{ readonly kind: string; readonly connected: boolean }>;
  /** Shows the payment's step on the pad's own display, when it has one (never throws: failures are logged). */
  progress(step: string, p: Pick<Payment, 'amount' | 'currency' | 'state'>): void;
  close(): Promise<void>;
}

/** What a lane's PIN pad is built from. */
export interface LanePinPadOptions {
  readonly lane: string;
  readonly reader: string;
  readonly driver: ReaderDriver;
  readonly falsePinPadReaders: readonly string[];
  readonly logger?: Logger;
  /** Called when the cardholder is asked for the PIN (payment progress). */
  readonly onPrompt: (prompt: PinPrompt) => void;
  /** The demo's virtual PIN pad: the PIN typed through sim.enterPin. */
  readonly virtualPin: (prompt: PinPrompt) => Promise<string | null>;
  /** The cardholder pressed the pad's cancel key outside a PIN entry (cancel the lane's payment). */
  readonly onCancelKey: () => void;
  /** Whether the lane's card is still in: a PIN entry ends when it leaves. */
  readonly presence: CardPresence;
  /** The demo's software PIN pad (demo mode only: the composition root loads it with the simulators). */
  readonly simulatedEntry?: (supplier: (prompt: PinPrompt) => Promise<string | null>) => PinEntry;
}

const noProgress = (): void => undefined;

/** How a PIN pad kind opens, for one lane. */
export type OpenPinPad = (value: string, o: LanePinPadOptions) => LanePinPad;

/** A PIN pad kind, with the CVMs it cannot do: the bits of terminal capabilities byte 2 (9F33) it clears. */
export interface PinPadKind extends DeviceKind<OpenPinPad> {
  readonly cvmBitsCleared: number;
}

/**
 * The PIN pad kinds (EMV Book 4 Annex A2 for the CVM bits): the reader's keypad has no online or enciphered PIN
 * (0x40, 0x10), a serial pad no plaintext offline PIN (0x80); the demo's virtual pad does all.
 */
export const PINPAD_KINDS: readonly PinPadKind[] = [
  { family: 'pinpad', name: 'reader', form: '"reader"', demoOnly: false, claims: (v) => v === 'reader', parse: (v) => v, open: (_v, o) => readerPinPad(o), cvmBitsCleared: 0x40 | 0x10 },
  {
    family: 'pinpad',
    name: 'serial',
    form: '"serial:///dev/ttyUSB0?baud=9600"',
    demoOnly: false,
    claims: (v) => v.startsWith('serial://'),
    parse: (v, key) => {
      try {
        parsePinPadUrl(v);
      } catch (err) {
        if (err instanceof PinPadError) throw new ConfigError(key, err.message);
        throw err;
      }
      return v;
    },
    open: (v, o) => serialPinPad(v, o),
    cvmBitsCleared: 0x80,
    doctor: (v, label) => serialPinPadCheck(v, label),
  },
  { family: 'pinpad', name: 'virtual', form: '"virtual" (the demo\'s)', demoOnly: true, claims: (v) => v === 'virtual', parse: (v) => v, open: (_v, o) => virtualPinPad(o), cvmBitsCleared: 0 },
];

/** Builds the lane's PIN pad from its config value, through the kind that claims it. */
export function createLanePinPad(value: string, o: LanePinPadOptions): LanePinPad {
  return kindOf(PINPAD_KINDS, value, `lanes.${o.lane}.pinpad`).open(value, o);
}

/** The demo's software PIN pad: the PIN typed through sim.enterPin (its entry comes with the simulators). */
function virtualPinPad(o: LanePinPadOptions): LanePinPad {
  if (!o.simulatedEntry) throw new ConfigError(`lanes.${o.lane}.pinpad`, '"virtual" is the demo\'s PIN pad: refused outside the demo');
  const entry = o.simulatedEntry((prompt) => {
    o.onPrompt(prompt);
    return o.virtualPin(prompt);
  });
  return { entry, status: async () => ({ kind: 'virtual', connected: true }), progress: noProgress, close: async () => undefined };
}

/** A serial PIN pad asked who it is, for doctor. */
async function serialPinPadCheck(url: string, label: string): Promise<DeviceCheck> {
  const pad = SerialPinPad.fromUrl(url, { replyTimeoutMs: 1500 });
  try {
    const id = await pad.identify();
    return { name: label, status: 'ok', detail: `${url}: ${id.model}, ${id.scheme}` };
  } catch (err) {
    if (!(err instanceof PinPadError)) throw err;
    return { name: label, status: 'fail', detail: `${url}: ${errorLine(err)}`, fix: 'check the PIN pad is plugged in and powered, and the port and baud rate' };
  } finally {
    await pad.close();
  }
}

/**
 * A serial PIN pad (docs/hardware.md, "Serial PIN pad protocol"): online PINs come back as DUKPT-encrypted blocks,
 * offline enciphered PINs as the RSA block only; offline plaintext PIN is refused by design. The pad shows the
 * amount while the card is awaited, and the result.
 */
function serialPinPad(url: string, o: LanePinPadOptions): LanePinPad {
  const pad = SerialPinPad.fromUrl(url, { entryTimeoutSec: 30, onCancelKey: o.onCancelKey });
  let connected = true;
  const track = <T>(p: Promise<T>, what: string): void => {
    p.then(
      () => (connected = true),
      (err: unknown) => {
        if (connected) o.logger?.warn(`serial PIN pad: ${what} failed`, { lane: o.lane, code: err instanceof PinPadError ? err.code : 'PINPAD_DISCONNECTED', err });
        connected = false;
      },
    );
  };
  const entry: PinEntry = {
    verifyOfflinePlaintext: () => pad.verifyOfflinePlaintext(),
    verifyOfflineEnciphered: (channel, prompt, key) => {
      o.onPrompt(prompt);
      const entry = o.presence.forEntry(o.reader, prompt);
      return entry.until(pad.verifyOfflineEnciphered(channel, withSignal(prompt, entry.signal), key));
    },
    onlinePin: (prompt) => {
      o.onPrompt(prompt);
      const entry = o.presence.forEntry(o.reader, prompt);
      return entry.until(pad.onlinePin(withSignal(prompt, entry.signal)));
    },
  };
  return {
    entry,
    status: async () => {
      // Asked between entries; while a PIN entry holds the pad (up to its timeout) the last answer stands.
      const asked = pad.identify().then(
        () => (connected = true),
        (err: unknown) => {
          connected = false;
          if (!(err instanceof PinPadError)) o.logger?.error('serial PIN pad: identify failed unexpectedly', { lane: o.lane, err });
          return false;
        },
      );
      await Promise.race([asked, new Promise((r) => setTimeout(r, 1500).unref())]);
      return { kind: 'serial', connected };
    },
    progress: (step, p) => {
      if (step === 'waiting-for-card') track(pad.showAmount(p.amount, `0${p.currency}`), 'amount');
      else if (p.state === 'completed') track(pad.display('APPROVED'), 'display');
      else if (p.state === 'declined') track(pad.display('DECLINED'), 'display');
      else if (p.state === 'cancelled' || p.state === 'failed') track(pad.display('CANCELLED'), 'display');
    },
    close: () => pad.close(),
  };
}

/**
 * The reader's own keypad (PC/SC part 10 secure PIN entry: the PIN never passes through this process). Whether the
 * reader has a usable one is asked once, at the first PIN entry (readers in `falsePinPadReaders` never are); without
 * one, PIN entry answers "unavailable" and the kernel moves to the card's next CVM. Offline plaintext PIN only.
 */
function readerPinPad(o: LanePinPadOptions): LanePinPad {
  const pad = new ReaderPinPad({ open: openReaderThroughDriver(o.driver, o.reader), ...(o.logger ? { logger: o.logger } : {}) });
  let usable: boolean | null = null;
  const detect = async (): Promise<boolean> => {
    if (usable !== null) return usable;
    const c = await o.driver.connect(o.reader);
    try {
      usable = (await detectReaderPinPad(c, o.reader, o.falsePinPadReaders, o.logger)).usable;
    } finally {
      await c.disconnect();
    }
    return usable;
  };
  const entry: PinEntry = {
    verifyOfflinePlaintext: async (channel, prompt) => {
      if (!(await detect())) return { kind: 'unavailable' };
      o.onPrompt(prompt);
      return pad.verifyOfflinePlaintext(channel, prompt);
    },
    verifyOfflineEnciphered: async () => ({ kind: 'unavailable' }),
    onlinePin: async () => ({ kind: 'unavailable' }),
  };
  return { entry, status: async () => ({ kind: 'reader', connected: usable !== false }), progress: noProgress, close: async () => undefined };
}

/** The prompt with `signal` (the entry's: the cashier's cancel, or the card leaving). */
function withSignal<P extends PinPrompt>(prompt: P, signal: AbortSignal | undefined): P {
  return signal ? { ...prompt, signal } : prompt;
}

/**
 * Terminal capabilities (9F33) for a lane's PIN pad, from the default ones: byte 2 (EMV Book 4 Annex A2) says which
 * CVMs the terminal supports, so the kernel never picks one the pad cannot do.
 */
export function capabilitiesFor(kind: string, base: string): string {
  const b = Uint8Array.from(base.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  b[1] &= ~(PINPAD_KINDS.find((k) => k.claims(kind))?.cvmBitsCleared ?? 0);
  return [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('');
}
