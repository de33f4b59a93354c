import { printerFromUrl, printerStatusAt, renderEscPos } from '../../drivers/printer/escpos-printer.js';
import { notReadyReasons } from '../../drivers/printer/escpos-status.js';
import type { PrinterStatus } from '../../drivers/printer/types.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** Options of `posbridge printer status|test`. */
export interface PrinterCliOptions {
  readonly printer: string;
  readonly json?: boolean;
  readonly cpl?: string;
}

/** The status as one line a technician reads. */
function statusLine(s: PrinterStatus): string {
  const problems = [...notReadyReasons(s).map((r) => r.toUpperCase()), ...(s.paper === 'near-end' ? ['paper near end'] : [])];
  return problems.length ? problems.join(', ') : 'ready';
}

/** `posbridge printer status`: the printer's real-time status; exit 1 when it cannot print. */
export async function printerStatusCommand(ctx: CliContext, opts: PrinterCliOptions): Promise<number> {
  const s = await printerStatusAt(opts.printer);
  ctx.out(opts.json ? JSON.stringify({ printer: opts.printer, status: s }) : `${opts.printer}: ${statusLine(s)}`);
  return notReadyReasons(s).length ? EXIT.FAILED : EXIT.OK;
}

/** `posbridge printer test`: prints a test page (refused with PRINTER_NOT_READY when the printer cannot print). */
export async function printerTestCommand(ctx: CliContext, opts: PrinterCliOptions): Promise<number> {
  const cpl = opts.cpl ? Number(opts.cpl) : 42;
  const doc = `^^posbridge test page\n-\nPrinter | ${opts.printer}\nCharacters per line | ${cpl}\n${new Date().toISOString()}\n-\n0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\n`;
  const printer = printerFromUrl(opts.printer);
  try {
    const s = await printer.print(renderEscPos(doc, { cpl, encoding: 'cp858' }));
    ctx.out(opts.json ? JSON.stringify({ printer: opts.printer, printed: true, status: s }) : `${opts.printer}: test page sent (${statusLine(s)})`);
    return EXIT.OK;
  } finally {
    await printer.close();
  }
}
