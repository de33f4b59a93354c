import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimError } from './scripted-card.js';

/** Where Debian installs pcscd and the vpcd driver. */
export const PCSCD_PATH = '/usr/sbin/pcscd';
export const VPCD_DRIVER_PATH = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
/** pcscd's socket; fixed at build time, so only a private mount namespace isolates it. */
export const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

/** Options of a private pcscd with vpcd reader slots. */
export interface PcscdStackOptions {
  /** First vpcd TCP port (each reader.conf entry opens two slots: port and port+1). Default 35963. */
  readonly port?: number;
  /** Friendly name; pcscd names the slots "<name> 00 00" and "<name> 00 01". */
  readonly readerName?: string;
  readonly startTimeoutMs?: number;
}

/**
 * A pcscd of the project's own, started with its own reader.conf directory holding one vpcd entry, for
 * integration tests, benchmarks and the demo. Linux only; needs the private namespace set up by
 * scripts/lib/pcsc-ns.mjs (POSBRIDGE_PCSC_NS=1), so it never touches the machine's pcscd.
 */
export class PcscdStack {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly confDir: string,
    readonly port: number,
    readonly readerName: string,
    private readonly startTimeoutMs: number,
  ) {}

  /** The names of the two vpcd slots, in port order. */
  get readers(): [string, string] {
    return [`${this.readerName} 00 00`, `${this.readerName} 00 01`];
  }

  /** The vpcd TCP ports of the two slots. */
  get ports(): [number, number] {
    return [this.port, this.port + 1];
  }

  /** Why a private pcscd cannot run here, or null when it can. */
  static problem(): string | null {
    if (process.platform !== 'linux') return 'a private pcscd needs Linux';
    if (!existsSync(PCSCD_PATH)) return `pcscd is not installed (${PCSCD_PATH})`;
    if (!existsSync(VPCD_DRIVER_PATH)) return `vsmartcard-vpcd is not installed (${VPCD_DRIVER_PATH})`;
    if (process.env.POSBRIDGE_PCSC_NS !== '1') return 'not inside the private PC/SC namespace (run through scripts/lib/pcsc-ns.mjs)';
    return null;
  }

  /** Writes the reader.conf directory and starts pcscd; resolves once its socket accepts clients. */
  static async start(options: PcscdStackOptions = {}): Promise<PcscdStack> {
    const problem = PcscdStack.problem();
    if (problem) throw new SimError('PCSCD_START_FAILED', problem);
    const port = options.port ?? 35963;
    const name = options.readerName ?? 'Virtual PCD';
    const dir = mkdtempSync(join(tmpdir(), 'posbridge-pcscd-'));
    writeFileSync(
      join(dir, 'vpcd'),
      `FRIENDLYNAME "${name}"\nDEVICENAME /dev/null:0x${port.toString(16).toUpperCase()}\nLIBPATH ${VPCD_DRIVER_PATH}\nCHANNELID 0x${port.toString(16).toUpperCase()}\n`,
    );
    const stack = new PcscdStack(dir, port, name, options.startTimeoutMs ?? 10_000);
    await stack.startDaemon();
    return stack;
  }

  /** Starts pcscd (again); used by tests that restart the service. */
  async startDaemon(): Promise<void> {
    if (this.child) return;
    rmSync(PCSCD_SOCKET, { force: true });
    const child = spawn(PCSCD_PATH, ['--foreground', '--config', this.confDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    this.child = child;
    // A process that exits without stopping us (a second Ctrl-C, a forced stop) must not leave pcscd behind.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
      rmSync(this.confDir, { recursive: true, force: true });
    };
    process.once('exit', killOnExit);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        process.removeListener('exit', killOnExit);
        resolve();
      }),
    );
    const deadline = Date.now() + this.startTimeoutMs;
    while (!existsSync(PCSCD_SOCKET) || !(await this.portsOpen())) {
      if (child.exitCode !== null) throw new SimError('PCSCD_START_FAILED', `pcscd exited with ${child.exitCode}: ${stderr.trim()}`);
      if (Date.now() > deadline) {
        await this.stopDaemon();
        throw new SimError('PCSCD_START_FAILED', `pcscd did not come up within ${this.startTimeoutMs} ms: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Stops pcscd (SIGTERM, then SIGKILL after 1.5 s) and waits for it to exit. */
  async stopDaemon(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null) {
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 1500);
      await this.exited;
      clearTimeout(t);
    }
  }

  /** Stops pcscd and removes the reader.conf directory. */
  async stop(): Promise<void> {
    await this.stopDaemon();
    rmSync(this.confDir, { recursive: true, force: true });
  }

  /** True once vpcd listens on the slot port (read from /proc/net/tcp: a probe connection would look like a card). */
  private async portsOpen(): Promise<boolean> {
    const hexPort = this.port.toString(16).toUpperCase().padStart(4, '0');
    const table = await readFile('/proc/net/tcp', 'utf8');
    return table.split('\n').some((line) => {
      const cols = line.trim().split(/\s+/);
      return cols[1]?.endsWith(`:${hexPort}`) === true && cols[3] === '0A';
    });
  }
}
