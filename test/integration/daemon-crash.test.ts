// The daemon SIGKILLed mid-payment and started again on the same journal: payment.status gives a final, correct
// answer and the host (a separate simulator process) saw exactly the messages it should — no double charge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ClientRegistry } from '../../src/api/clients.js';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { openDatabase } from '../../src/journal/database.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';
import { freePort, startDaemonProcess } from '../helpers/daemon-process.js';



/** A cashier token paired straight in the daemon's journal (the daemon runs in another process). */
function pairCashier(dir: string): string {
  const db = openDatabase(join(dir, 'journal.db'));
  try {
    return new ClientRegistry(db).pair('crash test', 'cashier', Date.now()).token;
  } finally {
    db.close();
  }
}

describe('daemon killed mid-payment', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  for (const killAt of ['waiting-for-card', 'pin-entry', 'after-host-approved'] as const) {
    test(`SIGKILL at ${killAt}: a final status after restart, and the host saw exactly what it should`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'posbridge-crash-'));
      dirs.push(dir);
      const host = new HostSimulator({ port: 0 });
      const hostPort = await host.start();
      const port = await freePort();
      const configPath = join(dir, 'config.json');
      writeFileSync(configPath, JSON.stringify({ port, dataDir: dir, readers: 'virtual', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }] }));
      let daemon = await startDaemonProcess(configPath, dir);
      const token = pairCashier(dir);
      const url = `ws://127.0.0.1:${port}/v1`;
      const c = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
      try {
        await c.connect();
        if (killAt !== 'waiting-for-card') await c.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
        const killed = new Promise<void>((resolve) => {
          c.on('payment.progress', (m) => {
            if (m.step === killAt) {
              daemon.kill('SIGKILL');
              resolve();
            }
          });
          if (killAt === 'after-host-approved') {
            // The PIN first; the kill comes once the host has answered the 0200 (the card has not finished yet).
            c.on('payment.progress', (m) => m.step === 'pin-entry' && void c.call('sim.enterPin', { lane: 'A', pin: '1234' }));
            host.onMessage((r) => {
              if (r.mti === '0200') setTimeout(() => {
                daemon.kill('SIGKILL');
                resolve();
              }, 5);
            });
          }
        });
        // The kill may come before the answer to payment.start (the first progress is sent at once).
        void c.startPayment({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: `crash-${killAt}` }).catch(() => undefined);
        await killed;
        await new Promise((r) => daemon.once('exit', r));
        c.close();
        daemon = await startDaemonProcess(configPath, dir);
        const c2 = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
        await c2.connect();
        let status = await c2.paymentStatus({ reference: `crash-${killAt}` });
        for (let i = 0; i < 100 && status.state === 'reversal-pending'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = await c2.paymentStatus({ reference: `crash-${killAt}` });
        }
        c2.close();
        const mtis = host.received().map((m) => m.mti);
        if (killAt === 'after-host-approved') {
          // Killed before the card finished: reversed, the host got one 0200 and one 0400. Killed after: completed,
          // and the host got the 0200 alone. Never both, never a second charge.
          if (status.state === 'completed') assert.deepEqual([status.result, mtis.filter((m) => m !== '0800')], ['approved', ['0200']]);
          else {
            assert.deepEqual([status.state, status.result], ['reversed', 'failed']);
            assert.deepEqual(mtis.filter((m) => m !== '0800'), ['0200', '0400'], 'one authorisation, one reversal');
          }
        } else {
          assert.deepEqual([status.state, status.result], ['cancelled', 'cancelled']);
          assert.deepEqual(mtis.filter((m) => m !== '0800'), [], 'nothing reached the host');
        }
      } finally {
        daemon.kill('SIGKILL');
        await host.stop();
      }
    });
  }
});

// A service stop (SIGTERM, as systemd sends) while the 0200 waits for a host that does not answer: the daemon is gone
// within its 4.5 s stop bound, and the next start resolves the payment from the journal exactly as after a crash.
describe('daemon stopped (SIGTERM) while a payment waits for the host', () => {
  test('gone within the stop bound; after the restart the payment is reversed and the net charge is 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posbridge-term-'));
    const host = new HostSimulator({ port: 0 });
    const hostPort = await host.start();
    const port = await freePort();
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ port, dataDir: dir, readers: 'virtual', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }] }));
    let daemon = await startDaemonProcess(configPath, dir);
    const token = pairCashier(dir);
    const url = `ws://127.0.0.1:${port}/v1`;
    const c = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    try {
      await c.connect();
      await c.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
      c.on('payment.progress', (m) => m.step === 'pin-entry' && void c.call('sim.enterPin', { lane: 'A', pin: '1234' }));
      await host.setMode('timeout');
      const atHost = new Promise<void>((resolve) => host.onMessage((r) => r.mti === '0200' && resolve()));
      void c.startPayment({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'term-1' }).catch(() => undefined);
      await atHost;
      const t0 = Date.now();
      const exited = new Promise<number | null>((r) => daemon.once('exit', (code) => r(code)));
      daemon.kill('SIGTERM');
      const code = await exited;
      process.stdout.write(`# SIGTERM with a payment at the host: the daemon exited ${code} after ${Date.now() - t0} ms\n`);
      assert.ok(Date.now() - t0 < 15_000, 'the stop is bounded (4.5 s, with room for a loaded machine)');
      c.close();
      await host.setMode('normal');
      daemon = await startDaemonProcess(configPath, dir);
      const c2 = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
      await c2.connect();
      let status = await c2.paymentStatus({ reference: 'term-1' });
      for (let i = 0; i < 100 && status.state === 'reversal-pending'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await c2.paymentStatus({ reference: 'term-1' });
      }
      c2.close();
      assert.deepEqual([status.state, status.result], ['reversed', 'failed']);
      const mtis = host.received().map((m) => m.mti).filter((m) => m !== '0800');
      assert.equal(mtis.filter((m) => m === '0200').length, 1, 'one authorisation, never a second');
      assert.ok(mtis.includes('0400'), 'the ambiguous authorisation was reversed');
    } finally {
      daemon.kill('SIGKILL');
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The same at every journal state, deterministically: the daemon SIGKILLs itself right after committing the state
// (POSBRIDGE_FAILPOINT=payment:<state>), is started again without it, and must reach the rule's final answer; the
// host simulator's ledger shows the net charge (debits minus reversals): the amount once, or nothing.
describe('daemon killed right after each journal state', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const cases = [
    { state: 'created', profile: 'visa-sda-pse', final: ['cancelled', 'cancelled'], net: 0 },
    { state: 'card-read', profile: 'visa-sda-pse', final: ['cancelled', 'cancelled'], net: 0 },
    { state: 'authorizing', profile: 'visa-sda-pse', final: ['reversed', 'failed'], net: 0 },
    { state: 'authorized', profile: 'visa-sda-pse', final: ['reversed', 'failed'], net: 0 },
    { state: 'completed', profile: 'visa-sda-pse', final: ['completed', 'approved'], net: 1234 },
    { state: 'declined', profile: 'visa-decline-offline', final: ['declined', 'declined'], net: 0 },
    // The host answers garbage: the 0200 is ambiguous, so the payment goes reversal-pending; killed there.
    { state: 'reversal-pending', profile: 'visa-sda-pse', final: ['reversed', 'failed'], net: 0, hostMode: 'garbage' as const },
  ];
  for (const c of cases) {
    test(`killed at ${c.state}: ${c.final[0]} after restart, net charge ${c.net}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'posbridge-failpoint-'));
      dirs.push(dir);
      const host = new HostSimulator({ port: 0 });
      const hostPort = await host.start();
      if (c.hostMode) await host.setMode(c.hostMode);
      const port = await freePort();
      const configPath = join(dir, 'config.json');
      writeFileSync(configPath, JSON.stringify({ port, dataDir: dir, readers: 'virtual', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }] }));
      let daemon = await startDaemonProcess(configPath, dir, { POSBRIDGE_FAILPOINT: `payment:${c.state}` });
      const token = pairCashier(dir);
      const url = `ws://127.0.0.1:${port}/v1`;
      const reference = `failpoint-${c.state}`;
      try {
        const killed = new Promise((r) => daemon.once('exit', (_code, signal) => r(signal)));
        const cl = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
        await cl.connect();
        await cl.call('sim.insertCard', { lane: 'A', profile: c.profile });
        cl.on('payment.progress', (m) => m.step === 'pin-entry' && void cl.call('sim.enterPin', { lane: 'A', pin: '1234' }).catch(() => undefined));
        void cl.startPayment({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference }).catch(() => undefined);
        assert.equal(await killed, 'SIGKILL', 'the daemon stopped at the failpoint');
        cl.close();
        if (c.hostMode) await host.setMode('normal');
        daemon = await startDaemonProcess(configPath, dir);
        const c2 = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
        await c2.connect();
        let status = await c2.paymentStatus({ reference });
        for (let i = 0; i < 200 && status.state === 'reversal-pending'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = await c2.paymentStatus({ reference });
        }
        c2.close();
        assert.deepEqual([status.state, status.result], c.final);
        const t = host.totals();
        assert.equal(t.debitsAmount - t.debitReversalsAmount, c.net, `net charge (debits ${t.debitsAmount}, reversals ${t.debitReversalsAmount})`);
        const mtis = host.received().map((m) => m.mti);
        assert.ok(mtis.filter((m) => m === '0200').length <= 1, `never a second authorisation: ${mtis.join(' ')}`);
      } finally {
        daemon.kill('SIGKILL');
        await host.stop();
      }
    });
  }
});

// autoPrint: the receipt prints by itself; a daemon killed right after the payment completed (before the receipt was
// queued) prints it after the restart — once, as an original.
describe('autoPrint across a crash', () => {
  test('killed right after completed: the receipt prints after the restart, exactly once', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posbridge-autoprint-'));
    const host = new HostSimulator({ port: 0 });
    const hostPort = await host.start();
    const printer = new EscPosEmulator();
    const printerPort = await printer.listen();
    const port = await freePort();
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ port, dataDir: dir, readers: 'virtual', demo: true, autoPrint: 'customer', host: { host: '127.0.0.1', port: hostPort }, printers: { front: { url: `tcp://127.0.0.1:${printerPort}` } }, lanes: [{ name: 'A', reader: 'Virtual A', printer: 'front' }] }));
    let daemon = await startDaemonProcess(configPath, dir, { POSBRIDGE_FAILPOINT: 'payment:completed' });
    const token = pairCashier(dir);
    const url = `ws://127.0.0.1:${port}/v1`;
    try {
      const killed = new Promise((r) => daemon.once('exit', (_code, signal) => r(signal)));
      const cl = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
      await cl.connect();
      await cl.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
      cl.on('payment.progress', (m) => m.step === 'pin-entry' && void cl.call('sim.enterPin', { lane: 'A', pin: '1234' }).catch(() => undefined));
      void cl.startPayment({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'autoprint-1' }).catch(() => undefined);
      assert.equal(await killed, 'SIGKILL');
      cl.close();
      assert.equal(printer.events.filter((e) => e.kind === 'cut').length, 0, 'nothing printed before the crash');
      daemon = await startDaemonProcess(configPath, dir);
      for (let i = 0; i < 100 && printer.events.filter((e) => e.kind === 'cut').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 2500)); // a retry period more: never printed twice
      assert.equal(printer.events.filter((e) => e.kind === 'cut').length, 1, 'printed once after the restart');
      assert.ok(printer.lines.some((l) => l.includes('CUSTOMER COPY')) && !printer.lines.some((l) => l.trim() === 'COPY'), 'an original, not a COPY');
      // The next payment prints by itself at once.
      const c2 = new PosbridgeClient({ url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
      await c2.connect();
      const printed = new Promise<{ paymentId: string }>((resolve) => c2.on('receipt.printed', resolve));
      c2.on('payment.progress', (m) => m.step === 'pin-entry' && void c2.call('sim.enterPin', { lane: 'A', pin: '1234' }).catch(() => undefined));
      await c2.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' }); // a new daemon: its virtual reader is empty
      const paid = await c2.pay({ lane: 'A', type: 'sale', amount: 500, currency: 'EUR', reference: 'autoprint-2' });
      assert.equal((await printed).paymentId, paid.paymentId);
      await assert.rejects(c2.printReceipt(paid.paymentId), /already printed/);
      c2.close();
    } finally {
      daemon.kill('SIGKILL');
      await host.stop();
      await printer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
