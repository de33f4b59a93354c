import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PrinterError } from './errors.js';
import type { PrinterTransport } from './types.js';

const RETRY_MS = 10;
const TRY_AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK']);

function errCode(e: unknown): string {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

/**
 * A USB printer through the Linux usblp driver (/dev/usb/lp*). The device is opened read-write and non-blocking: a
 * blocking usblp read waits for data with no timeout and would hold a libuv thread, so reads and busy writes poll.
 */
export class UsbLpTransport implements PrinterTransport {
  private fh: FileHandle | null = null;
  private opening: Promise<FileHandle> | null = null;

  /** Builds an unopened transport for `path`; PRINTER_UNREACHABLE off Linux (usblp is Linux-only). */
  constructor(
    private readonly path: string,
    private readonly writeTimeoutMs = 10_000,
  ) {
    if (process.platform !== 'linux') {
      throw new PrinterError('PRINTER_UNREACHABLE', `${path}: USB printers through /dev/usb/lp* are Linux-only (this is ${process.platform})`, { path });
    }
  }

  /** Writes all bytes (opening first); PRINTER_TIMEOUT when the printer takes none for `writeTimeoutMs`, PRINTER_UNREACHABLE when gone. */
  async write(bytes: Uint8Array): Promise<void> {
    const fh = await this.opened();
    let off = 0;
    let idleSince = Date.now();
    while (off < bytes.length) {
      try {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
        off += bytesWritten;
        if (bytesWritten > 0) idleSince = Date.now();
      } catch (e) {
        if (!TRY_AGAIN.has(errCode(e))) throw await this.lose(fh, e, 'write');
        if (Date.now() - idleSince >= this.writeTimeoutMs) {
          throw new PrinterError('PRINTER_TIMEOUT', `the USB printer ${this.path} took no data for ${this.writeTimeoutMs} ms`, { path: this.path, written: off });
        }
        await sleep(RETRY_MS);
      }
    }
  }

  /** Up to `count` bytes that arrive within `waitMs` (fewer, or none, when the printer is slower). */
  async read(count: number, waitMs: number): Promise<Uint8Array> {
    const fh = await this.opened();
    const out = Buffer.alloc(count);
    let got = 0;
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const { bytesRead } = await fh.read(out, got, count - got, null);
        got += bytesRead;
      } catch (e) {
        if (!TRY_AGAIN.has(errCode(e))) throw await this.lose(fh, e, 'read');
      }
      if (got >= count || Date.now() >= deadline) break;
      await sleep(Math.min(RETRY_MS, Math.max(1, deadline - Date.now())));
    }
    return new Uint8Array(out.subarray(0, got));
  }

  /** Closes the device (a later write or read opens it again). */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    const fh = this.fh ?? (opening ? await opening.catch(() => null) : null);
    this.fh = null;
    await fh?.close().catch(() => undefined);
  }

  private opened(): Promise<FileHandle> {
    if (this.fh) return Promise.resolve(this.fh);
    this.opening ??= open(this.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY)
      .then((fh) => {
        this.fh = fh;
        return fh;
      })
      .catch((e: unknown) => {
        throw new PrinterError('PRINTER_UNREACHABLE', `cannot open the USB printer ${this.path}: ${e instanceof Error ? e.message : String(e)}`, { path: this.path });
      })
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }

  /** Drops a handle that failed (unplugged: ENODEV, EIO) so the next call reopens; the error to throw. */
  private async lose(fh: FileHandle, e: unknown, op: string): Promise<PrinterError> {
    if (this.fh === fh) this.fh = null;
    await fh.close().catch(() => undefined);
    return new PrinterError('PRINTER_UNREACHABLE', `${op} on the USB printer ${this.path} failed: ${e instanceof Error ? e.message : String(e)}`, { path: this.path });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
