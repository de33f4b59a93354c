import { ReaderError } from './errors.js';

/**
 * The part of the `smartcard` binding (N-API, see docs/decisions.md) that the driver uses, typed here so the
 * project still type-checks on machines where the optional native addon could not be built.
 */
export interface BindingCard {
  readonly protocol: number;
  readonly connected: boolean;
  readonly atr: Buffer | null;
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  control(code: number, data?: Buffer): Promise<Buffer>;
  disconnect(disposition?: number): void;
}

/** A reader object from Context.listReaders(). */
export interface BindingReader {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<BindingCard>;
}

/** One reader's state as SCardGetStatusChange reports it. */
export interface BindingReaderState {
  readonly name: string;
  readonly state: number;
  readonly changed: boolean;
  readonly atr: Buffer | null;
}

/** An SCARDCONTEXT. `waitForChange` resolves null when cancelled and [] on timeout. */
export interface BindingContext {
  readonly isValid: boolean;
  listReaders(): BindingReader[];
  waitForChange(readers: ReadonlyArray<{ name: string; state: number }>, timeout: number): Promise<BindingReaderState[] | null>;
  cancel(): void;
  close(): void;
}

/** The module's constants and the Context constructor. */
export interface SmartcardBinding {
  readonly Context: new () => BindingContext;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_DIRECT: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_PROTOCOL_RAW: number;
  readonly SCARD_PROTOCOL_UNDEFINED: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
  readonly SCARD_EJECT_CARD: number;
  readonly SCARD_STATE_CHANGED: number;
  readonly SCARD_STATE_UNKNOWN: number;
  readonly SCARD_STATE_UNAVAILABLE: number;
  readonly SCARD_STATE_EMPTY: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
}

/** Loads the native binding; PCSC_BINDING_MISSING (with what to do) when it is not installed or not built. */
export async function loadSmartcardBinding(): Promise<SmartcardBinding> {
  const name = 'smartcard';
  try {
    const mod = (await import(name)) as { default?: unknown } & Record<string, unknown>;
    const b = (mod.Context ? mod : mod.default) as SmartcardBinding | undefined;
    if (!b || typeof b.Context !== 'function') throw new Error('module has no Context export');
    return b;
  } catch (err) {
    throw new ReaderError(
      'PCSC_BINDING_MISSING',
      'the PC/SC binding (npm package "smartcard") is not installed or not built: run `npm run setup` ' +
        '(on Debian/Ubuntu it needs libpcsclite-dev: `sudo apt-get install libpcsclite-dev pcscd`)',
      {},
      err,
    );
  }
}
