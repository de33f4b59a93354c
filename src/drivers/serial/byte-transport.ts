// The one byte pipe under every serial device (receipt printer, customer display, PIN pad): a connection that
// delivers data, says when it closed, writes until the port is gone, and closes. Each `connect` is a fresh open, so
// after an unplug the next one finds the device again. The device names itself and supplies its own error (the
// printer's PRINTER_UNREACHABLE, the pad's PINPAD_DISCONNECTED, …): this module knows no device.
import { serialPortClass } from './serialport-module.js';

/** What a connection tells its user. */
export interface ByteHandlers {
  /** Bytes arrived. */
  data(bytes: Uint8Array): void;
  /** The connection went away (unplugged, pty peer gone) or was closed; no more data follows. */
  closed(why: string): void;
}

/** One open connection to a device. */
export interface ByteConnection {
  /** Writes bytes; resolves once the OS took them, rejects with the device's error when the port is gone. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the connection (the `closed` handler is not called for a close we asked for). */
  close(): Promise<void>;
}

/** Opens connections to one device; each call is a fresh open. */
export interface ByteTransport {
  /** Opens the device; rejects with the device's error when it is not there. */
  connect(handlers: ByteHandlers): Promise<ByteConnection>;
  /** Where the device is, for messages and logs. */
  readonly where: string;
}

/** Builds the device's own error for a failure of its port (no device data in it: only the path and the reason). */
export type DeviceErrorFactory = (message: string, details: Record<string, unknown>, cause?: unknown) => Error;

/** How a device on a serial port names itself in messages ("the PIN pad port") and which error it throws. */
export interface SerialDevice {
  /** Words before the path in messages, e.g. "the serial printer". */
  readonly what: string;
  readonly error: DeviceErrorFactory;
}

/** A serial port (RS-232, USB-serial, a pty), 8N1, no flow control, hang-ups noticed at once (hangup-aware-binding). */
export class SerialByteTransport implements ByteTransport {
  /** Names the port; nothing is opened until `connect`. */
  constructor(
    readonly where: string,
    private readonly baudRate: number,
    private readonly device: SerialDevice,
  ) {}

  /** Opens the port and forwards data and the close to `h`. */
  connect(h: ByteHandlers): Promise<ByteConnection> {
    const path = this.where;
    const { what, error } = this.device;
    return new Promise((resolve, reject) => {
      let port: InstanceType<ReturnType<typeof serialPortClass>>;
      try {
        port = new (serialPortClass())({ path, baudRate: this.baudRate, autoOpen: false, hupcl: false });
      } catch (err) {
        // The serialport addon could not load (or refused the settings).
        reject(error(`cannot use ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`, { path }, err));
        return;
      }
      let closing = false;
      port.open((err) => {
        if (err) {
          reject(error(`cannot open ${what} ${path}: ${err.message}`, { path }, err));
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
                fail(error(`${what} ${path} is closed`, { path }));
                return;
              }
              const failed = (why: string, cause?: unknown): void => {
                port.off('close', onClose);
                fail(error(`write to ${what} ${path} failed: ${why}`, { path }, cause));
              };
              // A disconnect during the write may close the port without calling back: the close settles it then.
              const onClose = (): void => failed('the port closed');
              port.once('close', onClose);
              port.write(Buffer.from(bytes), (e) => {
                if (e) return failed(e.message, e);
                port.off('close', onClose);
                ok();
              });
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
