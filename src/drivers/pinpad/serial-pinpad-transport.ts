// The byte pipe under the serial PIN pad: a connection that delivers data and says when it closed. The real one is
// a serial port (serialport), opened from a serial:///dev/ttyX?baud=N URL; the link reconnects after an unplug.
import { serialPortClass } from '../serial/serialport-module.js';
import { parseSerialUrl } from '../serial/serial-url.js';
import { PinPadError } from './serial-pinpad-errors.js';

/** What a connection tells its user. */
export interface ByteHandlers {
  /** Bytes arrived. */
  data(bytes: Uint8Array): void;
  /** The connection went away (unplugged, pty peer gone) or was closed; no more data follows. */
  closed(why: string): void;
}

/** One open connection to the pad. */
export interface ByteConnection {
  /** Writes bytes; rejects with PINPAD_DISCONNECTED when the port is gone. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the connection (the `closed` handler is not called for a close we asked for). */
  close(): Promise<void>;
}

/** Opens connections to a PIN pad; each call is a fresh open (after an unplug, the next open finds the device again). */
export interface ByteTransport {
  /** Opens the device; rejects with PINPAD_DISCONNECTED when it is not there. */
  connect(handlers: ByteHandlers): Promise<ByteConnection>;
  /** Where the pad is, for messages and logs. */
  readonly where: string;
}

/** A serial port (RS-232, USB-serial, a pty), 8N1, no flow control. */
export class SerialByteTransport implements ByteTransport {
  /** Names the port; nothing is opened until `connect`. */
  constructor(
    readonly where: string,
    private readonly baudRate = 9600,
  ) {}

  /** Opens the port and forwards data and the close to `h`. */
  connect(h: ByteHandlers): Promise<ByteConnection> {
    const path = this.where;
    return new Promise((resolve, reject) => {
      let port: InstanceType<ReturnType<typeof serialPortClass>>;
      try {
        port = new (serialPortClass())({ path, baudRate: this.baudRate, autoOpen: false, hupcl: false });
      } catch (err) {
        // The serialport addon could not load (or refused the settings).
        reject(new PinPadError('PINPAD_DISCONNECTED', `cannot use the PIN pad port ${path}: ${err instanceof Error ? err.message : String(err)}`, { path }, err));
        return;
      }
      let closing = false;
      port.open((err) => {
        if (err) {
          reject(new PinPadError('PINPAD_DISCONNECTED', `cannot open the PIN pad port ${path}: ${err.message}`, { path }, err));
          return;
        }
        port.on('data', (d: Buffer) => h.data(new Uint8Array(d)));
        // Port errors surface as a failed write or as the close that follows them.
        port.on('error', () => undefined);
        port.on('close', (e: Error | null) => {
          if (!closing) h.closed(e?.message ?? 'the port closed');
        });
        resolve({
          write: (bytes) =>
            new Promise<void>((ok, fail) => {
              if (!port.isOpen) {
                fail(new PinPadError('PINPAD_DISCONNECTED', `the PIN pad port ${path} is closed`, { path }));
                return;
              }
              port.write(Buffer.from(bytes), (e) => (e ? fail(new PinPadError('PINPAD_DISCONNECTED', `write to ${path} failed: ${e.message}`, { path }, e)) : ok()));
            }),
          close: () =>
            new Promise<void>((ok) => {
              closing = true;
              if (port.isOpen) port.close(() => ok());
              else ok();
            }),
        });
      });
    });
  }
}

/** The serial port of a `serial:///dev/ttyX?baud=N` URL (baud 9600 by default); PINPAD_URL_INVALID saying why. */
export function parsePinPadUrl(url: string): { readonly path: string; readonly baud: number } {
  const bad = (why: string, cause?: unknown): PinPadError =>
    new PinPadError('PINPAD_URL_INVALID', `bad PIN pad URL "${url}": ${why} (expected serial:///dev/PATH[?baud=N])`, { url }, cause);
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw bad('not a URL', err);
  }
  if (u.protocol !== 'serial:') throw bad(`unknown scheme "${u.protocol}"`);
  const r = parseSerialUrl(u);
  if (!r.ok) throw bad(r.why);
  return { path: r.path, baud: r.baud };
}
