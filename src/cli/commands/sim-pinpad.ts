import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SerialPinPadEmulator, type CardholderAction } from '../../sim/pinpad/serial-pinpad-emulator.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge sim pinpad`. */
export interface SimPinPadOptions {
  readonly pty?: string;
  readonly pin?: string;
  readonly aes?: boolean;
  readonly json?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A socat pty pair (as `sim printer --pty` makes it): `path` for the driver, `path`.emu for the emulator. */
async function ptyPair(path: string): Promise<ChildProcess> {
  const emuEnd = `${path}.emu`;
  const socat = spawn('socat', [`pty,raw,echo=0,link=${emuEnd}`, `pty,raw,echo=0,link=${path}`], { stdio: 'ignore' });
  const spawnError = new Promise<Error>((r) => socat.once('error', r));
  for (let i = 0; i < 250 && !(existsSync(emuEnd) && existsSync(path)); i++) {
    const failed = await Promise.race([spawnError, sleep(20).then(() => null)]);
    if (failed) throw new UsageError(`--pty needs socat: ${failed.message}`);
    if (socat.exitCode !== null) throw new UsageError(`socat could not link a pty at ${path} (exit ${socat.exitCode})`);
  }
  if (!existsSync(emuEnd) || !existsSync(path)) {
    socat.kill('SIGTERM');
    throw new UsageError(`socat did not link a pty at ${path}`);
  }
  return socat;
}

/**
 * `posbridge sim pinpad --pty PATH [--pin 1234] [--aes]`: the emulated serial PIN pad behind a pty linked at PATH
 * (the driver opens serial://PATH), answering every PIN prompt with `--pin`, until Ctrl-C. TDES DUKPT (format 0) by
 * default, AES DUKPT (format 4) with --aes, both under the standards' test BDKs. Prints prompts, never PIN or PAN.
 */
export async function simPinPadCommand(ctx: CliContext, opts: SimPinPadOptions, signal?: AbortSignal): Promise<number> {
  if (!opts.pty) throw new UsageError('--pty PATH is required');
  const pin = opts.pin ?? '1234';
  if (!/^\d{4,12}$/.test(pin)) throw new UsageError('--pin must be 4 to 12 digits');
  const path = resolve(opts.pty);
  const emit = (event: Record<string, unknown>, text: string): void => ctx.out(opts.json ? JSON.stringify(event) : text);
  const emu = new SerialPinPadEmulator({
    scheme: opts.aes ? 'aes-dukpt' : 'tdes-dukpt',
    supplier: async (p): Promise<CardholderAction> => {
      emit({ event: 'prompt', kind: p.kind, pan: p.maskedPan ?? null, amount: p.amount, currency: p.currency }, `[PIN prompt: ${p.kind}${p.maskedPan ? `, card ${p.maskedPan}` : ''}] entered ${'*'.repeat(pin.length)}`);
      return pin;
    },
  });
  const socat = await ptyPair(path);
  const link = await emu.attachToPath(`${path}.emu`);
  const scheme = emu.scheme === 'aes-dukpt' ? 'AES DUKPT, format 4' : 'TDES DUKPT, format 0';
  emit({ pinpad: `serial://${path}`, scheme: emu.scheme, nextKsn: emu.nextKsn() }, `PIN pad emulator on serial://${path} (${scheme}, next KSN ${emu.nextKsn()}). Ctrl-C stops it.`);
  await new Promise<void>((r) => {
    if (signal?.aborted) r();
    signal?.addEventListener('abort', () => r(), { once: true });
  });
  await link.close();
  if (socat.exitCode === null && socat.signalCode === null) {
    const exited = new Promise((r) => socat.once('exit', r));
    socat.kill('SIGTERM');
    await exited;
  }
  return EXIT.OK;
}
