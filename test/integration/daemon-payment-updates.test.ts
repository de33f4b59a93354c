// The daemon's own wiring of payment.updated (issue 17), over a real WebSocket, with the journal in SQLite and the
// host simulator on 127.0.0.1 as the daemon's configured host: a supervisor's void told to every client, then its
// reversal's delivery; a lost host answer → payment.completed reversal-pending, then payment.updated reversed when
// the store-and-forward worker gets the reversal through (no reversal poll left in the daemon).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { RpcSession as Session } from '../helpers/rpc-session.js';



describe('daemon: payment.updated', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-updates-'));
  const sim = new HostSimulator({ port: 0 });
  let d: RunningDaemon;
  let cashier: Session;
  let sup: Session;
  before(async () => {
    const port = await sim.start();
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, host: { host: '127.0.0.1', port }, lanes: [{ name: 'A', reader: 'Virtual A' }] });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    cashier = await Session.open(d.url, d.pair('till', 'cashier'));
    sup = await Session.open(d.url, d.pair('back office', 'supervisor'));
    await cashier.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });
  });
  after(async () => {
    cashier.ws.close();
    sup.ws.close();
    await d.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a supervisor's void: payment.updated reversal-pending, then reversed, to the cashier and the supervisor", async () => {
    const id = (await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 1500, currency: 'EUR', reference: 'void-me' })).result?.paymentId;
    const done = await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === id);
    assert.deepEqual([done.params?.state, done.params?.result], ['completed', 'approved']);
    assert.equal((await sup.call('payment.reverse', { paymentId: id })).result?.state, 'reversal-pending');
    for (const s of [cashier, sup]) {
      const u = await s.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === id && m.params?.state === 'reversed');
      assert.deepEqual([u.params?.result, u.params?.from, u.params?.change], ['approved', 'reversal-pending', 'state']);
      assert.deepEqual(s.story(id).slice(-2), ['payment.updated:reversal-pending', 'payment.updated:reversed']);
    }
    assert.deepEqual(cashier.story(id), ['payment.completed:completed', 'payment.updated:reversal-pending', 'payment.updated:reversed']);
  });

  test('the host answer lost: payment.completed reversal-pending (result null), then payment.updated reversed once the reversal gets through', async () => {
    // The authorisation's answer is cut mid-frame (its fate unknown: a reversal is due); reversals are cut too until
    // the payment has ended, so the update is news after payment.completed.
    await sim.setMode('drop-mid-response', { only: ['0200', '0400', '0420', '0421'] });
    const id = (await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 2500, currency: 'EUR', reference: 'lost-answer' })).result?.paymentId;
    const done = await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === id);
    assert.deepEqual([done.params?.state, done.params?.result], ['reversal-pending', null]);
    await sim.setMode('normal');
    // The worker's next try (its backoff, 5 s at first) gets the reversal through.
    for (const s of [cashier, sup]) {
      const u = await s.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === id);
      assert.deepEqual([u.params?.state, u.params?.result, u.params?.from], ['reversed', 'failed', 'reversal-pending']);
    }
    assert.deepEqual(cashier.story(id), ['payment.completed:reversal-pending', 'payment.updated:reversed']);
  });
});
