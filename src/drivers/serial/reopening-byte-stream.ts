// A byte stream over a ByteTransport for devices that are written to and read from in turns (a receipt printer, a
// customer display): opened on first use, reopened after the port went away. The loss is reported once, to the next
// call, as the device's own error; then the call after it opens the port again.
import type { ByteConnection, ByteTransport, SerialDevice } from './byte-transport.js';

/** Opens on first use, buffers what arrives for `read`, and reopens after the port went away. */
export class ReopeningByteStream {
  private conn: ByteConnection | null = null;
  private opening: Promise<ByteConnection> | null = null;
  private received: Uint8Array = new Uint8Array(0);
  private wake: (() => void) | null = null;
  /** Set when the open port closed under us (device unplugged, pty peer gone): the next call reports it once. */
  private lost: string | null = null;
  /** Which connection the handlers belong to: a late close or data from an earlier one is ignored. */
  private generation = 0;

  /** Wraps `transport`; `device` names it and builds its error for a port lost since the last call. */
  constructor(
    private readonly transport: ByteTransport,
    private readonly device: SerialDevice,
  ) {}

  /** Writes bytes (opening first); resolves once the OS took them, the device's error when the port is gone. */
  async write(bytes: Uint8Array): Promise<void> {
    const c = await this.opened();
    try {
      await c.write(bytes);
    } catch (err) {
      // This failure reports the loss: the port's close that follows is not reported again, the next call reopens.
      if (this.conn === c) {
        this.generation++;
        this.conn = null;
        this.lost = null;
        await c.close();
      }
      throw err;
    }
  }

  /** Up to `count` bytes that arrive within `waitMs` (fewer, or none, when the device is slower or goes away). */
  async read(count: number, waitMs: number): Promise<Uint8Array> {
    const c = await this.opened();
    const deadline = Date.now() + waitMs;
    while (this.received.length < count && Date.now() < deadline && this.conn === c) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.wake = null;
    const out = this.received.slice(0, count);
    this.received = this.received.slice(out.length);
    return out;
  }

  /** Closes the port (a later write or read opens it again); idempotent. */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = null;
    this.generation++;
    const c = this.conn ?? (opening ? await opening.catch(() => null) : null);
    this.conn = null;
    this.lost = null;
    await c?.close();
  }

  private opened(): Promise<ByteConnection> {
    if (this.lost !== null) {
      const why = this.lost;
      this.lost = null;
      const where = this.transport.where;
      return Promise.reject(this.device.error(`${this.device.what} ${where} went away: ${why}`, { path: where }));
    }
    if (this.conn) return Promise.resolve(this.conn);
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async open(): Promise<ByteConnection> {
    const gen = ++this.generation;
    this.received = new Uint8Array(0);
    const c = await this.transport.connect({
      data: (b) => {
        if (gen !== this.generation) return;
        const all = new Uint8Array(this.received.length + b.length);
        all.set(this.received);
        all.set(b, this.received.length);
        this.received = all;
        this.wake?.();
      },
      closed: (why) => {
        if (gen !== this.generation) return;
        this.conn = null;
        this.lost = why;
        this.wake?.();
      },
    });
    if (gen !== this.generation) {
      // Closed while opening: this connection is nobody's.
      await c.close();
      throw this.device.error(`${this.device.what} ${this.transport.where} was closed while opening`, { path: this.transport.where });
    }
    this.conn = c;
    return c;
  }
}
