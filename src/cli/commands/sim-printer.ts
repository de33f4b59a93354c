import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { SerialPort } from 'serialport';
import { EscPosEmulator, SIM_PRINTER_STATES, type PrinterEvent } from '../../sim/printer/escpos-emulator.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { ptyPair } from '../pty-link.js';

/** Options of `posbridge sim printer`. */
export interface SimPrinterOptions {
  readonly tcp?: string;
  readonly pty?: string;
  readonly status?: string;
  readonly commandSet?: string;
  readonly drawerClosesAfter?: string;
  readonly json?: boolean;
}

/** The emulator's end of a pty pair, opened: the driver opens `path`. */
async function ptyPort(path: string): Promise<{ readonly socat: ChildProcess; readonly port: SerialPort }> {
  const { socat, emulatorEnd } = await ptyPair(path);
  const port = new SerialPort({ path: emulatorEnd, baudRate: 19200, autoOpen: false, hupcl: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  // The driver's side closing and reopening shows as errors on ours: the emulator keeps serving.
  port.on('error', () => undefined);
  return { socat, port };
}

function parseOptions(opts: SimPrinterOptions): { port: number | null; commandSet: 'escpos' | 'star'; closesAfter: number | undefined } {
  if (opts.pty !== undefined && opts.tcp !== undefined) throw new UsageError('give --tcp PORT or --pty PATH, not both');
  const port = opts.pty !== undefined ? null : opts.tcp === undefined ? 9100 : Number(opts.tcp);
  if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--tcp must be 0..65535, got "${opts.tcp}"`);
  const set = opts.commandSet ?? 'escpos';
  if (set !== 'escpos' && set !== 'star') throw new UsageError(`--command-set must be escpos or star, got "${set}"`);
  const closesAfter = opts.drawerClosesAfter === undefined ? undefined : Number(opts.drawerClosesAfter);
  if (closesAfter !== undefined && !(Number.isInteger(closesAfter) && closesAfter >= 0)) throw new UsageError(`--drawer-closes-after must be milliseconds, got "${opts.drawerClosesAfter}"`);
  return { port, commandSet: set, closesAfter };
}

/**
 * `posbridge sim printer --tcp PORT | --pty PATH`: a software receipt printer (ESC/POS, or Star with --command-set
 * star) on 127.0.0.1 or on a pty linked at PATH, that shows what it prints, until Ctrl-C.
 */
export async function simPrinterCommand(ctx: CliContext, opts: SimPrinterOptions, signal?: AbortSignal): Promise<number> {
  const { port, commandSet, closesAfter } = parseOptions(opts);
  const status = SIM_PRINTER_STATES[opts.status ?? 'ready'];
  if (!status) throw new UsageError(`--status must be one of ${Object.keys(SIM_PRINTER_STATES).join(', ')}, got "${opts.status}"`);
  const show = (e: PrinterEvent): void => ctx.out(opts.json ? JSON.stringify(e) : e.kind === 'line' ? `| ${e.text}` : e.kind === 'image' ? `[image ${e.width}x${e.height}]` : e.kind === 'drawer' ? `[drawer pin ${e.pin} ${e.onMs} ms${e.realtime ? ' real-time' : ''}]` : `[${e.kind}]`);
  const emu = new EscPosEmulator(show, { commandSet, drawerClosesAfterMs: closesAfter });
  emu.setStatus(status);
  let pty: { readonly socat: ChildProcess; readonly port: SerialPort } | null = null;
  let url: string;
  if (port === null) {
    const path = resolve(opts.pty ?? '');
    pty = await ptyPort(path);
    emu.serve(pty.port);
    url = `serial://${path}?baud=19200`;
  } else {
    url = `tcp://127.0.0.1:${await emu.listen(port)}`;
  }
  const state = opts.status ?? 'ready';
  ctx.out(opts.json ? JSON.stringify({ printer: url, status: state, commandSet }) : `Printer emulator (${commandSet}) on ${url} (status: ${state}). Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await emu.close();
  if (pty) {
    const { socat, port: sp } = pty;
    if (sp.isOpen) await new Promise<void>((r) => sp.close(() => r()));
    if (socat.exitCode === null && socat.signalCode === null) {
      const exited = new Promise((r) => socat.once('exit', r));
      socat.kill('SIGTERM');
      await exited;
    }
  }
  return EXIT.OK;
}
