import { parseSerialUrl } from '../serial/serial-url.js';
import { PrinterError } from './errors.js';
import { SerialPrinterTransport } from './serial-transport.js';
import { TcpPrinterTransport } from './tcp-transport.js';
import type { PrinterTransport } from './types.js';
import { UsbLpTransport } from './usblp-transport.js';

export { SERIAL_BAUD_RATES } from '../serial/serial-url.js';

const FORMS = 'tcp://HOST[:PORT], serial:///dev/PATH[?baud=N] or file:///dev/usb/lpN';

function invalid(url: string, why: string): PrinterError {
  return new PrinterError('PRINTER_URL_INVALID', `bad printer URL "${url}": ${why} (expected ${FORMS})`, { url });
}

/** Where a printer is, as a printer URL names it. */
export type PrinterAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baud: number }
  | { readonly kind: 'usblp'; readonly path: string };

/** A printer transport from a URL: tcp://HOST[:PORT] (port 9100), serial:///PATH?baud=N (9600), file:///dev/usb/lpN. */
export function transportFromUrl(url: string): PrinterTransport {
  const a = parsePrinterUrl(url);
  return a.kind === 'tcp' ? new TcpPrinterTransport(a.host, a.port) : a.kind === 'serial' ? new SerialPrinterTransport(a.path, a.baud) : new UsbLpTransport(a.path);
}

/** The printer's address from its URL (no I/O); PRINTER_URL_INVALID saying what is wrong. */
export function parsePrinterUrl(url: string): PrinterAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(url, 'not a URL');
  }
  if (u.username || u.password || u.hash) throw invalid(url, 'user, password and #fragment are not allowed');
  switch (u.protocol) {
    case 'tcp:': {
      if (!u.hostname) throw invalid(url, 'no host');
      if (u.pathname !== '' && u.pathname !== '/') throw invalid(url, 'a tcp URL has no path');
      if (u.search) throw invalid(url, 'a tcp URL has no query');
      // URL drops a port it considers default only for special schemes; tcp: keeps whatever was written, 0 included.
      const port = u.port === '' ? 9100 : Number(u.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(url, 'port must be 1-65535');
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      return { kind: 'tcp', host, port };
    }
    case 'serial:': {
      const r = parseSerialUrl(u);
      if (!r.ok) throw invalid(url, r.why);
      return { kind: 'serial', path: r.path, baud: r.baud };
    }
    case 'file:': {
      if (u.host) throw invalid(url, 'a file URL has no host');
      if (u.search) throw invalid(url, 'a file URL has no query');
      const path = decodePath(url, u.pathname);
      if (!/^\/dev\/usb\/lp\d+$/.test(path)) throw invalid(url, 'only /dev/usb/lpN devices are supported');
      return { kind: 'usblp', path };
    }
    default:
      throw invalid(url, `unknown scheme "${u.protocol}"`);
  }
}

function decodePath(url: string, pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    throw invalid(url, 'bad %-escape in the path');
  }
}
