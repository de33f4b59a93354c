import { toHex } from '../../apdu/hex.js';
import { printerStatusAt } from '../../drivers/printer/escpos-printer.js';
import type { PrinterStatus } from '../../drivers/printer/types.js';
import { listSerialPorts, type SerialPortInfo } from '../../drivers/serial/list-ports.js';
import { listHidDevices, type ListedHidDevice } from '../../drivers/hid/node-hid-binding.js';
import { PosbridgeError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** A part of the inventory that could not be read: its stable code and message. */
interface Failure {
  readonly error: { readonly code: string; readonly message: string };
}

const failure = (err: unknown): Failure => ({ error: { code: err instanceof PosbridgeError ? err.code : 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) } });

/** The whole inventory `posbridge devices` prints. */
export interface DevicesReport {
  readonly readers: { name: string; cardPresent: boolean; atr: string | null }[] | Failure;
  readonly serialPorts: SerialPortInfo[] | Failure;
  readonly hid: ListedHidDevice[] | Failure;
  readonly printers: ({ readonly url: string; readonly status: PrinterStatus } | ({ readonly url: string } & Failure))[];
}

/** `posbridge devices`: readers, serial ports, HID and the given printers with their status; one failing part does not hide the others. */
export async function devicesCommand(ctx: CliContext, opts: { printer?: string[]; json?: boolean }): Promise<number> {
  const readers = await (async () => {
    const driver = await ctx.createReaderDriver();
    try {
      return (await driver.listReaders()).map((r) => ({ name: r.name, cardPresent: r.cardPresent, atr: r.atr ? toHex(r.atr) : null }));
    } finally {
      await driver.close();
    }
  })().catch(failure);
  const serialPorts = await listSerialPorts().catch(failure);
  const hid = await listHidDevices().catch(failure);
  const printers = await Promise.all(
    (opts.printer ?? []).map(async (url) => {
      try {
        return { url, status: await printerStatusAt(url) };
      } catch (err) {
        return { url, ...failure(err) };
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
    else for (const r of readers) ctx.out(`  ${r.name}\t${r.cardPresent ? `card, ATR ${r.atr ?? '?'}` : 'no card'}`);
    ctx.out('Serial ports:');
    if ('error' in serialPorts) ctx.out(`  ${serialPorts.error.code}: ${serialPorts.error.message}`);
    else if (serialPorts.length === 0) ctx.out('  none');
    else for (const s of serialPorts) ctx.out(`  ${s.path}\t${s.driver ?? ''}`);
    ctx.out('HID devices:');
    if ('error' in hid) ctx.out(`  ${hid.error.code}: ${hid.error.message}`);
    else if (hid.length === 0) ctx.out('  none');
    else for (const h of hid) ctx.out(`  ${hidLine(h)}`);
    if (printers.length) ctx.out('Printers:');
      for (const p of printers) ctx.out('error' in p ? `  ${p.url}\t${p.error.code}: ${p.error.message}` : `  ${p.url}\tonline=${p.status.online} cover=${p.status.coverOpen ? 'open' : 'closed'} paper=${p.status.paper}`);
  }
  return EXIT.OK;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** One HID device as a line: vvvv:pppp, product, usage page, path, and the card-reader guess. */
function hidLine(h: ListedHidDevice): string {
  const usage = h.usagePage !== undefined ? `usage page 0x${hex4(h.usagePage)}` : '';
  const guess = h.cardReaderHint ? `likely card reader (${h.cardReaderHint})` : '';
  return [`${hex4(h.vendorId)}:${hex4(h.productId)}`, h.product ?? '', usage, h.path ?? '', guess].filter((x) => x !== '').join('\t');
}
