import { resolve } from 'node:path';
import { SerialPinPadEmulator, type CardholderAction } from '../../sim/pinpad/serial-pinpad-emulator.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { ptyPair } from '../pty-link.js';

/** Options of `posbridge sim pinpad`. */
export interface SimPinPadOptions {
  readonly pty?: string;
  readonly pin?: string;
  readonly aes?: boolean;
  readonly json?: boolean;
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
  const { socat, emulatorEnd } = await ptyPair(path);
  const link = await emu.attachToPath(emulatorEnd);
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
