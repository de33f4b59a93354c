// A socat pty pair for serial-device tests: two linked pseudo-terminals standing in for a cable.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why pty tests must skip (socat missing), or false when they can run. */
export function noSocat(): string | false {
  try {
    execFileSync('which', ['socat'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'socat is not installed (needed for a pty pair)';
  }
}

/** A pty pair whose ends are the links `a` (the device's side) and `b` (the driver's side); stop() is an unplug. */
export class PtyPair {
  private proc: ChildProcess | null = null;
  constructor(
    readonly a: string,
    readonly b: string,
  ) {}

  /** Starts socat and waits for both links. */
  async start(): Promise<void> {
    const p = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.proc = p;
    for (let i = 0; i < 250 && !(existsSync(this.a) && existsSync(this.b)); i++) {
      if (p.exitCode !== null) break;
      await sleep(20);
    }
    if (!existsSync(this.a) || !existsSync(this.b)) throw new Error(`socat did not make the pty links (exit ${p.exitCode})`);
  }

  /** Stops socat: both ptys go away. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
}
