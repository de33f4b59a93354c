// Where a customer display is and its byte pipe: on a serial port (the usual case) the shared serial byte transport,
// whose failures are DISPLAY_UNREACHABLE; a display behind a print server or on /dev/usb/lp* uses the printer's
// TCP or usblp pipe. The URL forms are the printer's (docs/hardware.md).
import { transportFromUrl, parsePrinterUrl } from '../printer/printer-url.js';
import { SerialByteTransport, type SerialDevice } from '../serial/byte-transport.js';
import { ReopeningByteStream } from '../serial/reopening-byte-stream.js';
import { DisplayError } from './errors.js';

/** What the display needs of its pipe: writes, and a close. */
export interface DisplayTransport {
  /** Resolves once the bytes are handed to the OS; rejects when the device is gone. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the pipe; idempotent. */
  close(): Promise<void>;
}

/** A display's serial port failures, as DISPLAY_UNREACHABLE (the next write opens the port again). */
export const DISPLAY_PORT: SerialDevice = {
  what: 'the customer display port',
  error: (message, details, cause) => new DisplayError('DISPLAY_UNREACHABLE', message, details, cause),
};

/** The display's pipe from its URL: serial:///PATH?baud=N (9600), tcp://HOST[:PORT], file:///dev/usb/lpN; PRINTER_URL_INVALID when bad. */
export function displayTransportFromUrl(url: string): DisplayTransport {
  const a = parsePrinterUrl(url);
  if (a.kind !== 'serial') return transportFromUrl(url);
  return new ReopeningByteStream(new SerialByteTransport(a.path, a.baud, DISPLAY_PORT), DISPLAY_PORT);
}
