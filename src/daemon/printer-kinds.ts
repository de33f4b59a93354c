// The receipt printer connections a configuration can name (tcp://, serial://, file:///dev/usb/lpN), each one
// registration: its URL form, how it opens (with the printer's command set) and how doctor asks it for its status.
import { printerFromUrl, printerStatusAt, type EscPosPrinter } from '../drivers/printer/escpos-printer.js';
import { notReadyReasons } from '../drivers/printer/escpos-status.js';
import { PrinterError } from '../drivers/printer/errors.js';
import { parsePrinterUrl } from '../drivers/printer/printer-url.js';
import type { CommandSet } from '../drivers/printer/printer-profile.js';
import { errorLine } from '../errors.js';
import { ConfigError } from '../config/config-error.js';
import type { DeviceCheck, DeviceKind } from './device-kind.js';


/** How a printer connection opens: its URL and the printer's command set. */
export type OpenPrinter = (url: string, commandSet: CommandSet) => EscPosPrinter;

/** A printer connection kind; doctor needs the command set too. */
export interface PrinterKind extends DeviceKind<OpenPrinter> {
  /** Reads the printer's status for doctor. */
  check(url: string, commandSet: CommandSet, label: string): Promise<DeviceCheck>;
}

/** A device URL (tcp://, serial://, file://) checked in full; a ConfigError at `key` saying what is wrong. */
export function parseDeviceUrl(v: string, key: string): string {
  try {
    parsePrinterUrl(v);
  } catch (err) {
    if (err instanceof PrinterError) throw new ConfigError(key, err.message);
    throw err;
  }
  return v;
}

const kind = (name: string, scheme: string, form: string): PrinterKind => ({
  family: 'printer',
  name,
  form,
  demoOnly: false,
  claims: (v) => v.startsWith(scheme),
  parse: parseDeviceUrl,
  open: (url, commandSet) => printerFromUrl(url, commandSet),
  check: printerCheck,
});

/** The printer connections: network (raw port 9100), serial, and a Linux USB printer device. */
export const PRINTER_KINDS: readonly PrinterKind[] = [
  kind('tcp', 'tcp://', '"tcp://HOST[:PORT]"'),
  kind('serial', 'serial://', '"serial:///dev/ttyX?baud=N"'),
  kind('usblp', 'file://', '"file:///dev/usb/lpN"'),
];

/** The printer's status, read once, for doctor. */
async function printerCheck(url: string, commandSet: CommandSet, label: string): Promise<DeviceCheck> {
  try {
    const s = await printerStatusAt(url, commandSet);
    const why = notReadyReasons(s);
    return why.length ? { name: label, status: 'warn', detail: `${url}: ${why.join(', ')}`, fix: 'load paper, close the cover, put the printer online' } : { name: label, status: 'ok', detail: `${url}: ready, paper ${s.paper}` };
  } catch (err) {
    if (!(err instanceof PrinterError)) throw err;
    return { name: label, status: 'fail', detail: `${url}: ${errorLine(err)}`, fix: 'check the cable or network address and that the printer is on' };
  }
}
