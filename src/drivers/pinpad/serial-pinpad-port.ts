// Where a serial PIN pad is (a serial:///dev/ttyX?baud=N URL) and its port: the shared serial byte transport, whose
// failures are the pad's PINPAD_DISCONNECTED.
import { SerialByteTransport, type SerialDevice } from '../serial/byte-transport.js';
import { parseSerialUrl } from '../serial/serial-url.js';
import { PinPadError } from './serial-pinpad-errors.js';

/** A PIN pad's port failures, as PINPAD_DISCONNECTED (the next call opens the port again). */
export const PINPAD_PORT: SerialDevice = {
  what: 'the PIN pad port',
  error: (message, details, cause) => new PinPadError('PINPAD_DISCONNECTED', message, details, cause),
};

/** The PIN pad's serial port at `path` (8N1, `baud`); nothing is opened until the link connects. */
export function pinPadSerialTransport(path: string, baud = 9600): SerialByteTransport {
  return new SerialByteTransport(path, baud, PINPAD_PORT);
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
