// The daemon as a real child process (dist/bin/posbridge.js), for tests that SIGKILL it and start it again on the
// same journal; the one place such tests start it, so how test-only switches reach it is changed in one place.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ClientRegistry } from '../../src/api/clients.js';
import { openDatabase } from '../../src/journal/database.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');
const FAILPOINT_ENTRY = join(process.cwd(), 'dist', 'test', 'helpers', 'failpoint-daemon.js');

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  await new Promise((r) => s.close(r));
  return typeof a === 'object' && a ? a.port : 0;
}

/**
 * Starts `posbridge daemon --config FILE`; resolves once it listens (rejects when it exits first). With
 * `POSBRIDGE_FAILPOINT` in `env`, the test harness's entry arms that failpoint (docs/security.md, "Fault injection").
 */
export function startDaemonProcess(configPath: string, dataDir: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const { POSBRIDGE_FAILPOINT: failpoint, ...rest } = env;
  const entry = failpoint ? [FAILPOINT_ENTRY, '--failpoint', failpoint] : [BIN];
  const child = spawn(process.execPath, [...entry, 'daemon', '--config', configPath], { env: { ...process.env, POSBRIDGE_DATA_DIR: dataDir, ...rest }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('posbridge daemon on')) resolve(child);
    });
    child.stderr?.on('data', () => undefined);
    child.once('exit', (code, signal) => reject(new Error(`daemon exited ${code ?? signal}: ${out}`)));
  });
}

/** SIGKILLs the daemon (when still running) and resolves once it is gone. */
export async function killDaemonProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** A token paired straight in the daemon's journal (the daemon runs in another process). */
export function pairToken(dataDir: string, role: 'cashier' | 'supervisor' | 'admin' = 'cashier'): string {
  const db = openDatabase(join(dataDir, 'journal.db'));
  try {
    return new ClientRegistry(db).pair('crash test', role, Date.now()).token;
  } finally {
    db.close();
  }
}
