// Simulators only in the demo: outside demo mode a configuration choosing one (no `host`, virtual readers, PIN pad or
// stripe reader) is refused at start with exit code 2 and one line naming the key; a production run loads no module
// of src/sim (recorded by a module-loading hook); and the production entry ignores POSBRIDGE_FAILPOINT.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ClientRegistry } from '../../src/api/clients.js';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { openDatabase } from '../../src/journal/database.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { failpoint } from '../../src/util/failpoint.js';
import { freePort } from '../helpers/daemon-process.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');
const RECORDER = join(process.cwd(), 'dist', 'test', 'helpers', 'load-recorder.js');

/** Runs `posbridge daemon --config` on `config` to its exit: code, stderr and how long it took. */
function runDaemon(dir: string, config: object): Promise<{ code: number | null; stderr: string; ms: number }> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ port: 0, dataDir: join(dir, 'data'), ...config }));
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'daemon', '--config', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, ms: performance.now() - t0 })));
}

/** Starts a daemon process and resolves once it says it listens. */
function started(child: ChildProcess): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('posbridge daemon on')) resolve(child);
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${out}`)));
  });
}


describe('outside demo mode, every simulator is refused at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-nosim-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const lane = { name: 'A', reader: 'ACS ACR39U ICC Reader 00 00' };
  const host = { host: '127.0.0.1', port: 9 };

  test('no host: exit 2 at once, one line naming host and showing its form', async () => {
    const r = await runDaemon(dir, { lanes: [lane] });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /CONFIG_INVALID: config: host: /);
    assert.match(lines[0], /"host": \{"host": "[^"]+", "port": \d+/, 'the message shows the form of the setting');
    assert.ok(r.ms < 5000, `refused in ${r.ms} ms`);
  });

  for (const [what, config, key] of [
    ['host "simulator"', { host: 'simulator', lanes: [lane] }, 'host'],
    ['readers "virtual"', { host, readers: 'virtual', lanes: [lane] }, 'readers'],
    ['pinpad "virtual"', { host, lanes: [{ ...lane, pinpad: 'virtual' }] }, 'lanes[0].pinpad'],
    ['stripe "virtual"', { host, lanes: [lane, { name: 'B', reader: 'R2', stripe: 'virtual' }] }, 'lanes[1].stripe'],
  ] as const) {
    test(`${what}: exit 2, the message names ${key}`, async () => {
      const r = await runDaemon(dir, config);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.includes(`config: ${key}: `), r.stderr);
      assert.match(r.stderr, /demo/);
    });
  }
});

describe('a production run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-prod-'));
  const servers: Server[] = [];
  after(() => {
    servers.forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  });

  test('loads no simulator module (src/sim, the simulated stripe reader, the demo parts)', { timeout: 30_000 }, async () => {
    // An acquirer that accepts the connection and says nothing: enough for the daemon to start its host link.
    const acquirer = createServer((s) => s.on('error', () => undefined));
    servers.push(acquirer);
    const hostPort = await new Promise<number>((r) => acquirer.listen(0, '127.0.0.1', () => r((acquirer.address() as { port: number }).port)));
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ port: 0, dataDir: join(dir, 'data'), readers: 'pcsc', backup: false, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'ACS ACR39U ICC Reader 00 00', pinpad: 'reader' }] }));
    const log = join(dir, 'loaded.txt');
    const child = spawn(process.execPath, ['--import', RECORDER, BIN, 'daemon', '--config', configPath], { env: { ...process.env, POSBRIDGE_LOAD_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] });
    await started(child);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(loaded.some((u) => u.endsWith('/dist/src/daemon/daemon.js')), 'the recorder saw the daemon load (else this test proves nothing)');
    const simulators = loaded.filter((u) => /\/dist\/src\/sim\/|simulated-|test-cards|demo-parts|sim-methods|\/commands\/(demo|sim-)/.test(u));
    assert.deepEqual(simulators, [], 'no simulator module in a production run');
  });

  test('ignores POSBRIDGE_FAILPOINT: a sale goes through every journal state and the daemon lives on', { timeout: 60_000 }, async () => {
    // demo: true only for sim.insertCard (a card to pay with); the entry is the production one, bin/posbridge.
    const host = new HostSimulator({ port: 0 });
    const hostPort = await host.start();
    const port = await freePort();
    const data = join(dir, 'fp');
    const configPath = join(dir, 'fp.json');
    writeFileSync(configPath, JSON.stringify({ port, dataDir: data, readers: 'virtual', demo: true, backup: false, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }] }));
    let exitedEarly = false;
    const child = spawn(process.execPath, [BIN, 'daemon', '--config', configPath], { env: { ...process.env, POSBRIDGE_DATA_DIR: data, POSBRIDGE_FAILPOINT: 'payment:authorizing' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('exit', () => (exitedEarly = true));
    try {
      await started(child);
      const db = openDatabase(join(data, 'journal.db'));
      const token = new ClientRegistry(db).pair('failpoint test', 'cashier', Date.now()).token;
      db.close();
      const c = new PosbridgeClient({ url: `ws://127.0.0.1:${port}/v1`, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
      await c.connect();
      await c.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
      c.on('payment.progress', (m) => m.step === 'pin-entry' && void c.call('sim.enterPin', { lane: 'A', pin: '1234' }));
      const paid = await c.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'fp-ignored' });
      assert.deepEqual([paid.state, paid.result], ['completed', 'approved']);
      assert.equal(exitedEarly, false, 'the daemon did not kill itself at payment:authorizing');
      c.close();
    } finally {
      child.kill('SIGKILL');
      await host.stop();
    }
  });
});

test('failpoint() without an armed failpoint is a no-op, whatever the environment says', () => {
  process.env.POSBRIDGE_FAILPOINT = 'unit:here';
  try {
    failpoint('unit:here'); // armed only by armFailpoint (the test harness's entry): this process lives on
  } finally {
    delete process.env.POSBRIDGE_FAILPOINT;
  }
  assert.ok(true);
});
