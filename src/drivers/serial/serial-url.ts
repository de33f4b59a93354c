// serial:// URLs for every serial device (printers, PIN pads, displays): serial:///dev/ttyUSB0?baud=19200 on
// Linux and macOS, serial://COM3?baud=9600 (or serial:///COM3) on Windows. Baud 9600 unless given.

/** Baud rates accepted in a serial URL. */
export const SERIAL_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400] as const;

/** A parsed serial URL, or why it is not one (the caller wraps the reason in its own error type). */
export type SerialUrl = { readonly ok: true; readonly path: string; readonly baud: number } | { readonly ok: false; readonly why: string };

const COM_PORT = /^COM\d{1,3}$/i;

/** The device path and baud rate of a serial URL (u already parsed, protocol serial:); no I/O. */
export function parseSerialUrl(u: URL): SerialUrl {
  const fail = (why: string): SerialUrl => ({ ok: false, why });
  if (u.username || u.password || u.hash) return fail('user, password and #fragment are not allowed');
  let path: string;
  if (u.host) {
    // serial://COM3: Windows names its ports, it has no device paths.
    if (!COM_PORT.test(u.host) || (u.pathname !== '' && u.pathname !== '/')) return fail('a serial URL has no host: write serial:///dev/ttyUSB0 (or serial://COM3 on Windows)');
    path = u.host.toUpperCase();
  } else {
    try {
      path = decodeURIComponent(u.pathname);
    } catch {
      return fail('bad %-escape in the path');
    }
    if (COM_PORT.test(path.slice(1))) path = path.slice(1).toUpperCase(); // serial:///COM3
    else if (path.length < 2 || path.endsWith('/')) return fail('no device path');
  }
  let baud = 9600;
  for (const [k, v] of u.searchParams) {
    if (k !== 'baud') return fail(`unknown parameter "${k}"`);
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(SERIAL_BAUD_RATES as readonly number[]).includes(n)) return fail(`baud must be one of ${SERIAL_BAUD_RATES.join(', ')}, got "${v}"`);
    baud = n;
  }
  return { ok: true, path, baud };
}
