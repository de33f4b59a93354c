import { SerialByteTransport, type SerialDevice } from '../serial/byte-transport.js';
import { ReopeningByteStream } from '../serial/reopening-byte-stream.js';
import { PrinterError } from './errors.js';
import type { PrinterTransport } from './types.js';

/** A serial printer's port failures, as PRINTER_UNREACHABLE. */
const SERIAL_PRINTER: SerialDevice = {
  what: 'the serial printer',
  error: (message, details, cause) => new PrinterError('PRINTER_UNREACHABLE', message, details, cause),
};

/** A printer on a serial port (RS-232, USB-serial, a pty): opened on first use, reopened after the port goes away. */
export class SerialPrinterTransport implements PrinterTransport {
  private readonly stream: ReopeningByteStream;

  /** Builds an unopened transport for `path` at `baudRate` (8N1, no flow control); the first write or read opens it. */
  constructor(
    readonly path: string,
    readonly baudRate = 9600,
  ) {
    this.stream = new ReopeningByteStream(new SerialByteTransport(path, baudRate, SERIAL_PRINTER), SERIAL_PRINTER);
  }

  /** Writes bytes (opening first); resolves once the OS took them, PRINTER_UNREACHABLE when the port is gone. */
  write(bytes: Uint8Array): Promise<void> {
    return this.stream.write(bytes);
  }

  /** Up to `count` bytes that arrive within `waitMs` (fewer, or none, when the printer is slower or goes away). */
  read(count: number, waitMs: number): Promise<Uint8Array> {
    return this.stream.read(count, waitMs);
  }

  /** Closes the port (a later write or read opens it again). */
  close(): Promise<void> {
    return this.stream.close();
  }
}
