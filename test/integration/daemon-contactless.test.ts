// Taps through the daemon on the real PC/SC stack (pcscd + vpcd): lane A has a contact reader and a contactless one
// (the two vpcd slots). A tap pays (field 22 071, the ARQC verified by the host simulator, CONTACTLESS on the receipt),
// a phone is verified on the device, a card that asks for another interface is inserted within the same payment, a
// card left in the field after its read is not read again, and an online PIN asked by the card is typed on the pad.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type PaymentInfo, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { createCard } from '../../src/sim/emv/catalog.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { pcscSkip, startStack, type StackFixture } from '../helpers/pcsc.js';

describe('contactless payments through the daemon on pcscd + vpcd', { skip: pcscSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-tap-'));
  const host = new HostSimulator({ port: 0 });
  let fx: StackFixture;
  let d: RunningDaemon;
  let client: PosbridgeClient;
  let n = 0;

  before(async () => {
    fx = await startStack(36520);
    const hostPort = await host.start();
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'pcsc', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: fx.readers[0], contactless: fx.readers[1] }] });
    const [contact, tap] = fx.slots;
    const slot = { insert: (p: string) => contact.insert(createCard(p)), remove: () => contact.remove(), contactless: { insert: (p: string) => tap.insert(createCard(p)), remove: () => tap.remove() } };
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, new Map([['A', slot]]));
    client = new PosbridgeClient({ url: d.url, token: d.pair('tap test', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    client.on('payment.progress', (m) => {
      if (m.step === 'pin-entry') void client.call('sim.enterPin', { lane: 'A', pin: '1234' });
    });
  });
  after(async () => {
    client?.close();
    await d?.stop();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves when lane A's running payment reports `wanted`. */
  const step = (wanted: string): Promise<void> =>
    new Promise((resolve) => {
      const off = client.on('payment.progress', (m) => {
        if (m.step === wanted) {
          off();
          resolve();
        }
      });
    });
  /** A sale on lane A; `present` is called once the lane waits for a card. */
  const sale = async (amount: number, present: () => Promise<unknown>): Promise<PaymentInfo> => {
    const waiting = step('waiting-for-card');
    const paying = client.pay({ lane: 'A', type: 'sale', amount, currency: 'EUR', reference: `tap-${++n}` });
    await waiting;
    await present();
    return paying;
  };
  const field = (r: ReturnType<HostSimulator['received']>[number], f: number): string | undefined => r.decoded?.fields.find((x) => x.field === f)?.value;

  test('a Visa qVSDC card with fDDA: approved online, field 22 071, ARQC verified, CONTACTLESS on the receipt', async () => {
    host.clearReceived();
    const paid = await sale(1250, () => client.call('sim.tapCard', { lane: 'A', profile: 'visa-qvsdc-fdda' }));
    assert.equal(paid.result, 'approved', paid.reason ?? '');
    assert.equal(paid.entryMode, 'contactless');
    const auth = host.received('0200');
    assert.equal(auth.length, 1);
    assert.equal(field(auth[0], 22), '071');
    assert.equal(auth[0].arqc, 'verified');
    const receipt = await client.receipt(paid.paymentId);
    assert.match(receipt.text, /CONTACTLESS/);
  });

  test('the card left in the field is not read again: the next payment waits for a new tap', async () => {
    host.clearReceived();
    const waiting = step('waiting-for-card');
    const paying = client.pay({ lane: 'A', type: 'sale', amount: 1300, currency: 'EUR', reference: `tap-${++n}` });
    await waiting;
    // The first card is still in the field and this payment does not take it. It leaves (the daemon sees it go:
    // a same-millisecond swap on one vpcd slot is below what pcscd sees), and the phone presented next pays.
    const removed = new Promise<void>((resolve) => {
      const off = client.on('card.removed', () => {
        off();
        resolve();
      });
    });
    await client.call('sim.removeCard', { lane: 'A' });
    await removed;
    const reading = step('tap-reading');
    await client.call('sim.tapCard', { lane: 'A', profile: 'visa-qvsdc-phone' });
    await reading;
    const paid = await paying;
    assert.equal(paid.maskedPan, '476173******0044', 'paid by the phone, not by the card left in the field');
    assert.equal(paid.result, 'approved', paid.reason ?? '');
    assert.equal(paid.cvm, 'cdcvm', 'the phone verified its holder');
    assert.equal(host.received('0200').length, 1, 'one authorisation for one payment');
    assert.match((await client.receipt(paid.paymentId)).text, /VERIFIED ON DEVICE/);
  });

  test('a card asking for another interface: "insert card", then the chip pays in the same payment', async () => {
    const other = step('insert-card');
    const paying = sale(1400, () => client.call('sim.tapCard', { lane: 'A', profile: 'visa-qvsdc-try-other' }));
    await other;
    await client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    const paid = await paying;
    assert.equal(paid.result, 'approved', paid.reason ?? '');
    assert.equal(paid.entryMode, 'chip');
    await client.call('sim.removeCard', { lane: 'A' });
  });

  test('above the CVM limit the card asks for online PIN: typed on the pad, sent with the request', async () => {
    host.clearReceived();
    const paid = await sale(8000, () => client.call('sim.tapCard', { lane: 'A', profile: 'visa-qvsdc-online-pin' }));
    assert.equal(paid.result, 'approved', paid.reason ?? '');
    assert.equal(paid.cvm, 'online-pin');
    assert.ok(host.received('0200')[0]?.present.includes(52), 'field 52 (PIN block) sent');
  });

  test('a Mastercard (Kernel 2, CDA at GENERATE AC): approved online, the ARQC verified by the host simulator', async () => {
    host.clearReceived();
    const paid = await sale(1260, () => client.call('sim.tapCard', { lane: 'A', profile: 'mastercard-contactless-cda' }));
    assert.equal(paid.result, 'approved', paid.reason ?? '');
    assert.equal(paid.entryMode, 'contactless');
    const auth = host.received('0200');
    assert.equal(auth.length, 1);
    assert.equal(field(auth[0], 22), '071');
    assert.equal(auth[0].arqc, 'verified');
  });

  test('a Maestro above the CVM limit (Kernel 2, CVM list): online PIN typed on the pad, sent with the request', async () => {
    host.clearReceived();
    const paid = await sale(7000, () => client.call('sim.tapCard', { lane: 'A', profile: 'maestro-contactless-online-pin' }));
    assert.equal(paid.result, 'approved', paid.reason ?? '');
    assert.equal(paid.cvm, 'online-pin');
    assert.ok(host.received('0200')[0]?.present.includes(52), 'field 52 (PIN block) sent');
  });
});
