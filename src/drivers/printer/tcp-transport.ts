import { connect, type Socket } from 'node:net';
import { PrinterError } from './errors.js';
import type { PrinterTransport } from './types.js';

/** A network printer's raw port (9100): writes go straight through, reads collect what arrives within a wait. */
export class TcpPrinterTransport implements PrinterTransport {
  private socket: Socket | null = null;
  private received: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;

  /** Builds an unconnected transport; the first write or read connects. */
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs = 3000,
  ) {}

  /** Writes bytes (connecting first). */
  async write(bytes: Uint8Array): Promise<void> {
    const s = await this.connected();
    await new Promise<void>((resolve, reject) => s.write(bytes, (err) => (err ? reject(new PrinterError('PRINTER_UNREACHABLE', `write failed: ${err.message}`)) : resolve())));
  }

  /** Up to `count` bytes that arrive within `waitMs` (fewer, or none, when the printer is slower). */
  async read(count: number, waitMs: number): Promise<Uint8Array> {
    await this.connected();
    const deadline = Date.now() + waitMs;
    while (this.received.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const out = this.received.subarray(0, count);
    this.received = this.received.subarray(out.length);
    return new Uint8Array(out);
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }

  private connected(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port });
      const t = setTimeout(() => {
        s.destroy();
        reject(new PrinterError('PRINTER_UNREACHABLE', `no connection to the printer ${this.host}:${this.port} within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      s.once('error', (err) => {
        clearTimeout(t);
        reject(new PrinterError('PRINTER_UNREACHABLE', `cannot reach the printer ${this.host}:${this.port}: ${err.message}`));
      });
      s.once('connect', () => {
        clearTimeout(t);
        s.on('data', (d: Buffer) => {
          this.received = Buffer.concat([this.received, d]);
          this.wake?.();
        });
        s.on('close', () => {
          if (this.socket === s) this.socket = null;
        });
        // A reset after connecting surfaces in the pending write's callback (PRINTER_UNREACHABLE) or as a read timeout;
        // the close that follows drops the socket so the next call reconnects.
        s.on('error', () => s.destroy());
        this.socket = s;
        resolve(s);
      });
    });
  }
}
