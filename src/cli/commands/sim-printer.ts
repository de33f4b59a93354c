import { EscPosEmulator, SIM_PRINTER_STATES, type PrinterEvent } from '../../sim/printer/escpos-emulator.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge sim printer`. */
export interface SimPrinterOptions {
  readonly tcp?: string;
  readonly status?: string;
  readonly json?: boolean;
}


/** `posbridge sim printer --tcp PORT`: a software ESC/POS printer on 127.0.0.1 that shows what it prints, until Ctrl-C. */
export async function simPrinterCommand(ctx: CliContext, opts: SimPrinterOptions, signal?: AbortSignal): Promise<number> {
  const port = opts.tcp === undefined ? 9100 : Number(opts.tcp);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--tcp must be 0..65535, got "${opts.tcp}"`);
  const status = SIM_PRINTER_STATES[opts.status ?? 'ready'];
  if (!status) throw new UsageError(`--status must be one of ${Object.keys(SIM_PRINTER_STATES).join(', ')}, got "${opts.status}"`);
  const show = (e: PrinterEvent): void => ctx.out(opts.json ? JSON.stringify(e) : e.kind === 'line' ? `| ${e.text}` : `[${e.kind}]`);
  const emu = new EscPosEmulator(show);
  emu.setStatus(status);
  const bound = await emu.listen(port);
  ctx.out(opts.json ? JSON.stringify({ printer: `tcp://127.0.0.1:${bound}`, status: opts.status ?? 'ready' }) : `Printer emulator on tcp://127.0.0.1:${bound} (status: ${opts.status ?? 'ready'}). Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await emu.close();
  return EXIT.OK;
}
