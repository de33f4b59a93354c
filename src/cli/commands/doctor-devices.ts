import { existsSync } from 'node:fs';
import { allPrinters, lanePinPad, laneStripe, type DaemonConfig } from '../../daemon/config.js';
import { hidTarget } from '../../daemon/lane-stripe.js';
import { HidError } from '../../drivers/hid/errors.js';
import { listHidDevices } from '../../drivers/hid/node-hid-binding.js';
import { SerialPinPad } from '../../drivers/pinpad/serial-pinpad.js';
import { PinPadError } from '../../drivers/pinpad/serial-pinpad-errors.js';
import { printerStatusAt } from '../../drivers/printer/escpos-printer.js';
import { notReadyReasons } from '../../drivers/printer/escpos-status.js';
import { PrinterError } from '../../drivers/printer/errors.js';
import { parsePrinterUrl } from '../../drivers/printer/printer-url.js';
import { errorLine } from '../exit-codes.js';
import type { Check } from './doctor-check.js';

/** The configured printers, serial PIN pads, displays and stripe readers: each reached and asked how it is. */
export async function configDeviceChecks(config: DaemonConfig): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [name, p] of Object.entries(allPrinters(config))) checks.push(await printerCheck(name, p.url, p.commandSet));
  for (const l of config.lanes) {
    const pad = lanePinPad(config, l);
    if (pad.startsWith('serial://')) checks.push(await pinPadCheck(l.name, pad));
    if (l.display) checks.push(displayCheck(l.name, l.display));
    const stripe = laneStripe(config, l);
    if (stripe && stripe !== 'virtual') checks.push(await stripeCheck(l.name, stripe));
  }
  return checks;
}

async function printerCheck(name: string, url: string, commandSet: 'escpos' | 'generic' | 'star'): Promise<Check> {
  try {
    const s = await printerStatusAt(url, commandSet);
    const why = notReadyReasons(s);
    return why.length
      ? { name: `printer ${name}`, status: 'warn', detail: `${url}: ${why.join(', ')}`, fix: 'load paper, close the cover, put the printer online' }
      : { name: `printer ${name}`, status: 'ok', detail: `${url}: ready, paper ${s.paper}` };
  } catch (err) {
    if (!(err instanceof PrinterError)) throw err;
    return { name: `printer ${name}`, status: 'fail', detail: `${url}: ${errorLine(err)}`, fix: 'check the cable or network address and that the printer is on' };
  }
}

async function pinPadCheck(lane: string, url: string): Promise<Check> {
  const pad = SerialPinPad.fromUrl(url, { replyTimeoutMs: 1500 });
  try {
    const id = await pad.identify();
    return { name: `lane ${lane} PIN pad`, status: 'ok', detail: `${url}: ${id.model}, ${id.scheme}` };
  } catch (err) {
    if (!(err instanceof PinPadError)) throw err;
    return { name: `lane ${lane} PIN pad`, status: 'fail', detail: `${url}: ${errorLine(err)}`, fix: 'check the PIN pad is plugged in and powered, and the port and baud rate' };
  } finally {
    await pad.close();
  }
}

/** A pole display answers nothing: only its port can be checked (where ports are files). */
function displayCheck(lane: string, url: string): Check {
  const a = parsePrinterUrl(url);
  const path = a.kind === 'tcp' ? null : a.path;
  if (path === null || process.platform === 'win32') return { name: `lane ${lane} display`, status: 'ok', detail: `${url} (not checked: the display does not answer)` };
  return existsSync(path)
    ? { name: `lane ${lane} display`, status: 'ok', detail: `${path} present` }
    : { name: `lane ${lane} display`, status: 'fail', detail: `${path} not found`, fix: 'plug the display in, or correct lanes[].display' };
}

async function stripeCheck(lane: string, spec: string): Promise<Check> {
  try {
    const devices = await listHidDevices();
    const t = hidTarget(spec);
    const found = t === undefined ? devices.find((d) => d.likelyCardReader) : 'path' in t ? devices.find((d) => d.path === t.path) : devices.find((d) => d.vendorId === t.vendorId && d.productId === t.productId);
    return found
      ? { name: `lane ${lane} stripe reader`, status: 'ok', detail: `${found.product ?? 'HID device'} (${found.path ?? 'no path'})` }
      : { name: `lane ${lane} stripe reader`, status: 'fail', detail: `no HID device matches "${spec}" (${devices.length} HID device(s) attached)`, fix: 'plug the reader in; `posbridge devices` lists what is attached' };
  } catch (err) {
    if (!(err instanceof HidError)) throw err;
    return { name: `lane ${lane} stripe reader`, status: 'fail', detail: errorLine(err), fix: 'reinstall posbridge with its optional dependency node-hid' };
  }
}
