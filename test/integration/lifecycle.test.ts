// The daemon's life as a process: what stops it from starting is one line and exit 2; SIGTERM and SIGINT stop it
// (a second signal at once); the demo leaves no pcscd and no data directory behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PcscdStack } from '../../src/sim/pcscd-stack.js';
import { freePort, startDaemonProcess } from '../helpers/daemon-process.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');
const DEMO = join(process.cwd(), 'scripts', 'demo.mjs');

/** Runs the CLI to its end; resolves with its exit code, output and how long it ran. */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, ms: Date.now() - t0 })));
}

/** Resolves with the exit code and signal once `child` has exited. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('the daemon process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-life-'));
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A production config (a host, real readers) with `extra` on top, written to a file. */
  const config = (name: string, extra: Record<string, unknown>): string => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ port: 0, dataDir: join(dir, name), host: { host: '127.0.0.1', port: 9 }, readers: 'pcsc', lanes: [{ name: 'A', reader: 'Reader A' }], ...extra }));
    return file;
  };

  test('a port in use: one line naming it, exit 2, nothing left running', async () => {
    const busy = createServer();
    servers.push(busy);
    const port = await new Promise<number>((r) => busy.listen(0, '127.0.0.1', () => r((busy.address() as { port: number }).port)));
    const r = await run(['daemon', '--config', config('busy', { port })]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^posbridge: PORT_IN_USE: 127\\.0\\.0\\.1:${port} is in use`));
    process.stdout.write(`# port in use: exit 2 after ${r.ms} ms\n`);
  });

  test('a data directory that cannot be one: DATA_DIR_UNUSABLE, exit 2', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await run(['daemon', '--config', config('nodir', { dataDir: join(file, 'data') })]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), /^posbridge: DATA_DIR_UNUSABLE: the data directory .*a-file\/data cannot be used/);
    process.stdout.write(`# unusable data directory: exit 2 after ${r.ms} ms\n`);
  });

  test('a journal another daemon holds: JOURNAL_LOCKED, exit 2; a SIGTERM stops the first in order', async () => {
    const cfg = config('locked', {});
    const first = await startDaemonProcess(cfg, join(dir, 'locked'));
    try {
      const r = await run(['daemon', '--config', cfg]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), /^posbridge: JOURNAL_LOCKED: /);
      process.stdout.write(`# locked journal: exit 2 after ${r.ms} ms\n`);
    } finally {
      const t0 = Date.now();
      first.kill('SIGTERM');
      const end = await exited(first);
      assert.equal(end.code, 0, 'a SIGTERM is an orderly stop');
      process.stdout.write(`# SIGTERM: the daemon stopped after ${Date.now() - t0} ms\n`);
    }
  });
});

describe('npm run demo and SIGTERM', { skip: PcscdStack.problem() ?? (process.getuid?.() === 0 ? undefined : 'needs root for its pcscd') }, () => {
  test('the demo, its pcscd and its data directory are gone after a SIGTERM', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    delete env.POSBRIDGE_PCSC_NS; // as from a shell: the demo makes its own namespace
    const demo = spawn(process.execPath, [DEMO, '--json', '--port', String(await freePort())], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const info = await new Promise<{ pid: number; dataDir: string }>((resolve, reject) => {
      demo.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { pid: number; dataDir: string });
      });
      demo.once('exit', (code) => reject(new Error(`the demo exited ${code} before it was ready: ${out}`)));
    });
    demo.stderr.resume();
    const group = (): number[] =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after the ')'.
            const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
            return Number(fields[2]) === info.pid;
          } catch {
            return false; // the process ended while we looked
          }
        })
        .map(Number);
    assert.ok(group().length >= 2, 'the daemon and its pcscd run in the demo process group');
    assert.ok(existsSync(info.dataDir));
    const t0 = Date.now();
    demo.kill('SIGTERM');
    const end = await exited(demo);
    process.stdout.write(`# demo stopped ${Date.now() - t0} ms after SIGTERM (exit ${end.code})\n`);
    assert.equal(end.code, 0);
    assert.deepEqual(group(), [], 'no process of the demo (daemon, pcscd, card host) is left');
    assert.equal(existsSync(info.dataDir), false, 'the data directory is removed');
  });
});
