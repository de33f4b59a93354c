import { printerStatusAt } from '../../drivers/printer/escpos-printer.js';
import { notReadyReasons } from '../../drivers/printer/escpos-status.js';
import type { PrinterStatus } from '../../drivers/printer/types.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { configPrinters, printCommand, resolvePrinter } from './print.js';

/** Options of `posbridge printer status|test`. */
export interface PrinterCliOptions {
  /** A printer URL or the name of a printer in the config's "printers". */
  readonly printer: string;
  readonly config?: string;
  readonly commandSet?: string;
  readonly json?: boolean;
}

/** The status as one line a technician reads. */
function statusLine(s: PrinterStatus): string {
  const problems = [...notReadyReasons(s).map((r) => r.toUpperCase()), ...(s.paper === 'near-end' ? ['paper near end'] : [])];
  return problems.length ? problems.join(', ') : 'ready';
}

/**
 * `posbridge printer status`: the printer's real-time status, as JSON
 * `{"online","coverOpen","paper":"ok"|"near-end"|"end","drawerOpen"}`; exit 1 when it cannot print.
 */
export async function printerStatusCommand(ctx: CliContext, opts: PrinterCliOptions): Promise<number> {
  const r = resolvePrinter(opts.printer, configPrinters(opts.config), { commandSet: opts.commandSet });
  const s = await printerStatusAt(r.url, r.profile.commandSet);
  const status = { online: s.online, coverOpen: s.coverOpen, paper: s.paper, drawerOpen: s.drawerOpen };
  ctx.out(opts.json ? JSON.stringify(status) : `${r.name ?? r.url}: ${statusLine(s)}${s.drawerOpen ? ' (drawer open)' : ''}`);
  return notReadyReasons(s).length ? EXIT.FAILED : EXIT.OK;
}

/** `posbridge printer test`: `posbridge print --test` on the printer (refused with PRINTER_NOT_READY when it cannot print). */
export function printerTestCommand(ctx: CliContext, opts: PrinterCliOptions): Promise<number> {
  return printCommand(ctx, undefined, { printer: opts.printer, test: true, ...(opts.config ? { config: opts.config } : {}), ...(opts.commandSet ? { commandSet: opts.commandSet } : {}), ...(opts.json ? { json: true } : {}) });
}
