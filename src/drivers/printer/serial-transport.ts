import type { SerialPort } from 'serialport';
import { serialPortClass } from '../serial/serialport-module.js';
import { PrinterError } from './errors.js';
import type { PrinterTransport } from './types.js';

/** A printer on a serial port (RS-232, USB-serial, a pty): opened on first use, reopened after the port goes away. */
export class SerialPrinterTransport implements PrinterTransport {
  private port: SerialPort | null = null;
  private opening: Promise<SerialPort> | null = null;
  private received: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  /** Set when the open port closed under us (device unplugged, pty peer gone): the next call reports it once. */
  private lost: string | null = null;

  /** Builds an unopened transport for `path` at `baudRate` (8N1, no flow control); the first write or read opens it. */
  constructor(
    private readonly path: string,
    private readonly baudRate = 9600,
  ) {}

  /** Writes bytes (opening first); resolves once the OS took them, PRINTER_UNREACHABLE when the port is gone. */
  async write(bytes: Uint8Array): Promise<void> {
    const p = await this.opened();
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string): void => {
        p.off('close', onClose);
        reject(new PrinterError('PRINTER_UNREACHABLE', `write to the serial printer ${this.path} failed: ${why}`, { path: this.path }));
      };
      const onClose = (): void => fail('the port closed');
      // A disconnect during the write may close the port without calling back: the close settles the promise then.
      p.once('close', onClose);
      p.write(Buffer.from(bytes), (err) => {
        if (err) return fail(err.message);
        p.off('close', onClose);
        resolve();
      });
    });
  }

  /** Up to `count` bytes that arrive within `waitMs` (fewer, or none, when the printer is slower or goes away). */
  async read(count: number, waitMs: number): Promise<Uint8Array> {
    const p = await this.opened();
    const deadline = Date.now() + waitMs;
    while (this.received.length < count && Date.now() < deadline && this.port === p) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.wake = null;
    const out = this.received.subarray(0, count);
    this.received = this.received.subarray(out.length);
    return new Uint8Array(out);
  }

  /** Closes the port (a later write or read opens it again). */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    const p = this.port ?? (opening ? await opening.catch(() => null) : null);
    this.port = null;
    this.lost = null;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  private opened(): Promise<SerialPort> {
    if (this.lost !== null) {
      const why = this.lost;
      this.lost = null;
      return Promise.reject(new PrinterError('PRINTER_UNREACHABLE', `the serial printer ${this.path} went away: ${why}`, { path: this.path }));
    }
    if (this.port) return Promise.resolve(this.port);
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private open(): Promise<SerialPort> {
    return new Promise((resolve, reject) => {
      let p: SerialPort;
      try {
        p = new (serialPortClass())({ path: this.path, baudRate: this.baudRate, autoOpen: false, hupcl: false });
      } catch (err) {
        // The serialport addon could not load (or refused the settings): the printer cannot be reached this way.
        reject(new PrinterError('PRINTER_UNREACHABLE', `cannot use the serial port ${this.path}: ${err instanceof Error ? err.message : String(err)}`, { path: this.path }));
        return;
      }
      p.open((err) => {
        if (err) {
          reject(new PrinterError('PRINTER_UNREACHABLE', `cannot open the serial printer ${this.path}: ${err.message}`, { path: this.path }));
          return;
        }
        this.received = Buffer.alloc(0);
        p.on('data', (d: Buffer) => {
          this.received = Buffer.concat([this.received, d]);
          this.wake?.();
        });
        // Errors surface in the pending write (PRINTER_UNREACHABLE) or as a read that gets nothing; a disconnect closes the port.
        p.on('error', () => undefined);
        p.on('close', (e: (Error & { disconnected?: boolean }) | null) => {
          if (this.port !== p) return;
          this.port = null;
          this.lost = e?.message ?? 'the port closed';
          this.wake?.();
        });
        this.port = p;
        resolve(p);
      });
    });
  }
}
