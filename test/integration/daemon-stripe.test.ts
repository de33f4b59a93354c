// Swiped cards through the daemon on the real PC/SC stack (pcscd + vpcd) with the demo's virtual stripe reader and
// a host simulator of its own: a stripe-only card pays online (field 35, no field 55, entry mode 90); a chip card's
// swipe is refused until its chip has failed in this payment, then taken as fallback (entry mode 80).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { TableCard } from '../../src/sim/table-card.js';
import { createCard } from '../../src/sim/emv/catalog.js';
import { pcscSkip, startStack, type StackFixture } from '../helpers/pcsc.js';

describe('swiped cards', { skip: pcscSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-stripe-'));
  const host = new HostSimulator({ port: 0 });
  let fx: StackFixture;
  let d: RunningDaemon;
  let client: PosbridgeClient;
  const steps: string[] = [];
  let pinToType = '4321';

  before(async () => {
    fx = await startStack(36320);
    const hostPort = await host.start();
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'pcsc', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: fx.readers[0] }] });
    const slot = fx.slots[0];
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, new Map([['A', { insert: (profile: string) => slot.insert(createCard(profile)), remove: () => slot.remove() }]]));
    client = new PosbridgeClient({ url: d.url, token: d.pair('stripe test', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    client.on('payment.progress', (m) => {
      steps.push(m.step);
      if (m.step === 'pin-entry') void client.call('sim.enterPin', { lane: 'A', pin: pinToType });
    });
  });
  after(async () => {
    client.close();
    await d.stop();
    await host.stop();
    await fx.stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a stripe-only card (service code 101) pays online: field 35, no field 55, SWIPED on the receipt', async () => {
    host.clearReceived();
    const paying = client.pay({ lane: 'A', type: 'sale', amount: 2500, currency: 'EUR', reference: 'swipe-1' });
    await waitFor(() => steps.includes('waiting-for-card'));
    await client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe' });
    const paid = await paying;
    assert.deepEqual([paid.result, paid.entryMode, paid.maskedPan], ['approved', 'swiped', '541333******0010']);
    const auth = host.received().filter((m) => m.mti === '0200');
    assert.equal(auth.length, 1);
    assert.ok(auth[0].present.includes(35) && !auth[0].present.includes(55), `fields ${auth[0].present.join(',')}`);
    const receipt = await client.receipt(paid.paymentId);
    assert.match(receipt.text, /Entry\s+SWIPED/);
    assert.ok(!receipt.text.includes('5413330089600010'));
  });

  test('a bad read asks for another swipe; the payment goes on', async () => {
    steps.length = 0;
    const paying = client.pay({ lane: 'A', type: 'sale', amount: 300, currency: 'EUR', reference: 'swipe-bad' });
    await waitFor(() => steps.includes('waiting-for-card'));
    await client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe', badRead: true });
    await waitFor(() => steps.includes('swipe-again'));
    await client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe' });
    assert.equal((await paying).result, 'approved');
  });

  test('a chip card swiped first is told to insert (STRIPE_CHIP_FIRST); a chip that cannot be read allows the fallback swipe', async () => {
    steps.length = 0;
    host.clearReceived();
    const paying = client.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'swipe-fallback' });
    await waitFor(() => steps.includes('waiting-for-card'));
    await client.call('sim.swipeCard', { lane: 'A', card: 'visa-chip' });
    await waitFor(() => steps.includes('STRIPE_CHIP_FIRST'));
    assert.equal(host.received().filter((m) => m.mti === '0200').length, 0, 'a refused swipe never goes online');
    // A chip with no application the terminal supports: every SELECT is "file not found".
    await fx.slots[0].insert(new TableCard('3B6800000073C84013009000', {}, '6A82'));
    await waitFor(() => steps.includes('swipe-fallback'));
    await client.call('sim.swipeCard', { lane: 'A', card: 'visa-chip' });
    const paid = await paying;
    assert.deepEqual([paid.result, paid.entryMode, paid.maskedPan], ['approved', 'fallback', '476173******0119'], JSON.stringify(host.received().map((m) => [m.mti, m.answer, m.note])));
    const auth = host.received().filter((m) => m.mti === '0200');
    assert.equal(auth.length, 1);
    assert.ok(auth[0].present.includes(35) && !auth[0].present.includes(55));
    await fx.slots[0].remove();
  });

  test('a swipe while no payment waits is dropped: it never pays the next payment', async () => {
    host.clearReceived();
    await client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe' });
    steps.length = 0;
    const started = await client.startPayment({ lane: 'A', type: 'sale', amount: 9999, currency: 'EUR', reference: 'swipe-stale' });
    await waitFor(() => steps.includes('waiting-for-card'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await client.paymentStatus({ paymentId: started.paymentId })).state, 'created', 'still waiting for a card');
    assert.equal(host.received().length, 0, 'nothing went to the host');
    await client.cancelPayment(started.paymentId);
    let state = '';
    for (let i = 0; i < 100 && state !== 'cancelled'; i++) {
      state = (await client.paymentStatus({ paymentId: started.paymentId })).state;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(state, 'cancelled');
  });

  test('a stripe card whose service code asks for a PIN: online PIN (DUKPT) checked by the host; a wrong one is declined', async () => {
    for (const [pin, result, code] of [['4321', 'approved', '00'], ['1111', 'declined', '55']] as const) {
      pinToType = pin;
      host.clearReceived();
      steps.length = 0;
      const paying = client.pay({ lane: 'A', type: 'sale', amount: 1500, currency: 'EUR', reference: `swipe-pin-${pin}` });
      await waitFor(() => steps.includes('waiting-for-card'));
      await client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe-pin' });
      const paid = await paying;
      assert.deepEqual([paid.result, paid.responseCode, paid.cvm, paid.entryMode], [result, code, 'online-pin', 'swiped']);
      const auth = host.received().filter((m) => m.mti === '0200');
      assert.ok(auth[0].present.includes(52) && auth[0].present.includes(53), 'PIN block and KSN sent');
    }
  });

  test('the host unreachable: the swiped sale fails (try again), it is not a decline', async () => {
    await host.setMode('down');
    try {
      steps.length = 0;
      const paying = client.pay({ lane: 'A', type: 'sale', amount: 800, currency: 'EUR', reference: 'swipe-down' });
      await waitFor(() => steps.includes('waiting-for-card'));
      await client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe' });
      const paid = await paying;
      assert.equal(paid.result, 'failed', JSON.stringify(paid));
      assert.notEqual(paid.state, 'declined');
    } finally {
      await host.setMode('normal');
    }
  });

  test('devices.list reports the virtual stripe reader', async () => {
    const { lanes } = await client.devices();
    assert.deepEqual(lanes[0].stripe, { kind: 'virtual', connected: true });
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
