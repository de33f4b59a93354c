import { toHex } from '../../apdu/hex.js';
import { printerStatusAt } from '../../drivers/printer/escpos-printer.js';
import type { PrinterStatus } from '../../drivers/printer/types.js';
import { listSerialPorts, type SerialPortInfo } from '../../drivers/serial/list-ports.js';
import { listHidDevices, type ListedHidDevice } from '../../drivers/hid/node-hid-binding.js';
import { PosbridgeError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { ReaderDriver } from '../../drivers/pcsc/types.js';
import { configPrinters } from './print.js';

/** A part of the inventory that could not be read: its stable code and message. */
interface Failure {
  readonly error: { readonly code: string; readonly message: string };
}

const failure = (err: unknown): Failure => ({ error: { code: err instanceof PosbridgeError ? err.code : 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) } });

/** The whole inventory `posbridge devices` prints. */
export interface DevicesReport {
  /** Each reader with its PC/SC part 10 features (null with `featuresError` when the reader could not be asked). */
  readonly readers: { name: string; cardPresent: boolean; atr: string | null; features: string[] | null; pinPad: boolean; display: boolean; featuresError?: string }[] | Failure;
  readonly serialPorts: SerialPortInfo[] | Failure;
  readonly hid: ListedHidDevice[] | Failure;
  readonly printers: ({ readonly url: string; readonly name?: string; readonly status: PrinterStatus } | ({ readonly url: string; readonly name?: string } & Failure))[];
}

/** A reader's part 10 features, asked over a direct connection (no card needed where the driver allows it). */
async function readerFeatures(driver: ReaderDriver, reader: string, cardPresent: boolean): Promise<{ features: string[] | null; pinPad: boolean; display: boolean; featuresError?: string }> {
  try {
    const conn = await driver.connect(reader, { share: cardPresent ? 'shared' : 'direct' });
    try {
      const names = [...(await conn.features()).keys()];
      return { features: names, pinPad: names.some((n) => n.startsWith('VERIFY_PIN')), display: names.includes('IFD_DISPLAY_PROPERTIES') };
    } finally {
      await conn.disconnect();
    }
  } catch (err) {
    return { features: null, pinPad: false, display: false, featuresError: err instanceof PosbridgeError ? err.code : 'UNEXPECTED' };
  }
}

/**
 * `posbridge devices`: readers with their PIN pad / display features, serial ports, HID devices, and printers (given
 * by URL, or every printer of `--config`) with their status; one failing part does not hide the others.
 */
export async function devicesCommand(ctx: CliContext, opts: { printer?: string[]; config?: string; json?: boolean }): Promise<number> {
  const readers = await (async () => {
    const driver = await ctx.createReaderDriver();
    try {
      const list = await driver.listReaders();
      const out = [];
      for (const r of list) out.push({ name: r.name, cardPresent: r.cardPresent, atr: r.atr ? toHex(r.atr) : null, ...(await readerFeatures(driver, r.name, r.cardPresent)) });
      return out;
    } finally {
      await driver.close();
    }
  })().catch(failure);
  const serialPorts = await listSerialPorts().catch(failure);
  const hid = await listHidDevices().catch(failure);
  const configured = Object.entries(configPrinters(opts.config)).map(([name, p]) => ({ url: p.url, name, commandSet: p.commandSet }));
  const printers = await Promise.all(
    [...(opts.printer ?? []).map((url) => ({ url, name: undefined, commandSet: 'escpos' as const })), ...configured].map(async ({ url, name, commandSet }) => {
      try {
        return { url, ...(name ? { name } : {}), status: await printerStatusAt(url, commandSet) };
      } catch (err) {
        return { url, ...(name ? { name } : {}), ...failure(err) };
      }
    }),
  );
  const report: DevicesReport = { readers, serialPorts, hid, printers };
  if (opts.json) {
    ctx.out(JSON.stringify(report));
  } else {
    ctx.out('Card readers (PC/SC):');
    if ('error' in readers) ctx.out(`  ${readers.error.code}: ${readers.error.message}`);
    else if (readers.length === 0) ctx.out('  none');
    else for (const r of readers) ctx.out(`  ${r.name}\t${r.cardPresent ? `card, ATR ${r.atr ?? '?'}` : 'no card'}\t${featureWords(r)}`);
    ctx.out('Serial ports:');
    if ('error' in serialPorts) ctx.out(`  ${serialPorts.error.code}: ${serialPorts.error.message}`);
    else if (serialPorts.length === 0) ctx.out('  none');
    else for (const s of serialPorts) ctx.out(`  ${s.path}\t${s.driver ?? ''}`);
    ctx.out('HID devices:');
    if ('error' in hid) ctx.out(`  ${hid.error.code}: ${hid.error.message}`);
    else if (hid.length === 0) ctx.out('  none');
    else for (const h of hid) ctx.out(`  ${hidLine(h)}`);
    if (printers.length) ctx.out('Printers:');
      for (const p of printers) ctx.out('error' in p ? `  ${p.name ?? p.url}\t${p.error.code}: ${p.error.message}` : `  ${p.name ?? p.url}\tonline=${p.status.online} cover=${p.status.coverOpen ? 'open' : 'closed'} paper=${p.status.paper}`);
  }
  return EXIT.OK;
}

/** What a technician needs of a reader's features: a PIN pad, a display, or why it could not be asked. */
function featureWords(r: { features: string[] | null; pinPad: boolean; display: boolean; featuresError?: string }): string {
  if (r.features === null) return `features unknown (${r.featuresError ?? '?'})`;
  const has = [r.pinPad ? 'PIN pad' : '', r.display ? 'display' : ''].filter((x) => x !== '');
  return has.length ? has.join(', ') : 'no PIN pad';
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** One HID device as a line: vvvv:pppp, product, usage page, path, and the card-reader guess. */
function hidLine(h: ListedHidDevice): string {
  const usage = h.usagePage !== undefined ? `usage page 0x${hex4(h.usagePage)}` : '';
  const guess = h.cardReaderHint ? `likely card reader (${h.cardReaderHint})` : '';
  return [`${hex4(h.vendorId)}:${hex4(h.productId)}`, h.product ?? '', usage, h.path ?? '', guess].filter((x) => x !== '').join('\t');
}
