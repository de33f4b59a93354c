import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { UsageError } from './exit-codes.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A null-modem cable in software for the `sim … --pty PATH` emulators: a socat pty pair, `path` for the driver and
 * `path`.emu for the emulator. Linux and macOS only (Windows has no ptys: use a com0com pair there).
 */
export async function ptyPair(path: string): Promise<{ readonly socat: ChildProcess; readonly emulatorEnd: string }> {
  if (process.platform === 'win32') throw new UsageError('--pty needs a Unix pty (socat); on Windows link two virtual COM ports (com0com) and use the other end');
  const emulatorEnd = `${path}.emu`;
  const socat = spawn('socat', [`pty,raw,echo=0,link=${emulatorEnd}`, `pty,raw,echo=0,link=${path}`], { stdio: 'ignore' });
  const spawnError = new Promise<Error>((r) => socat.once('error', r));
  for (let i = 0; i < 250 && !(existsSync(emulatorEnd) && existsSync(path)); i++) {
    const failed = await Promise.race([spawnError, sleep(20).then(() => null)]);
    if (failed) throw new UsageError(`--pty needs socat: ${failed.message}`);
    if (socat.exitCode !== null) throw new UsageError(`socat could not link a pty at ${path} (exit ${socat.exitCode})`);
  }
  if (!existsSync(emulatorEnd) || !existsSync(path)) {
    socat.kill('SIGTERM');
    throw new UsageError(`socat did not link a pty at ${path}`);
  }
  return { socat, emulatorEnd };
}
