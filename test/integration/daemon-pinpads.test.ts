// A lane's PIN pad from the daemon config, end to end over the API: a serial PIN pad on a socat pty (the emulator
// holding a DUKPT key; the host simulator decrypts the PIN block with the BDK and checks it), and the reader's own
// keypad (PC/SC part 10 secure PIN entry on the in-process class-3 reader: the PIN never passes through the daemon).
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
import { SerialPinPadEmulator, type CardholderAction, type PadEmulatorLink } from '../../src/sim/pinpad/serial-pinpad-emulator.js';
import { noSocat, PtyPair } from '../helpers/pty.js';

describe('PIN pads named by the lane config', { skip: noSocat() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-pinpads-'));
  const host = new HostSimulator({ port: 0 });
  const pty = new PtyPair(join(dir, 'pad-dev'), join(dir, 'pad'));
  let action: CardholderAction = '4321';
  const pad = new SerialPinPadEmulator({ supplier: async () => action });
  let link: PadEmulatorLink;
  let d: RunningDaemon;
  let client: PosbridgeClient;
  const steps: string[] = [];

  before(async () => {
    await pty.start();
    link = await pad.attachToPath(pty.a, 19200);
    const hostPort = await host.start();
    const config = parseConfig({
      port: 0,
      dataDir: dir,
      readers: 'virtual',
      demo: true,
      host: { host: '127.0.0.1', port: hostPort },
      lanes: [
        { name: 'S', reader: 'Virtual S', pinpad: `serial://${pty.b}?baud=19200` },
        { name: 'R', reader: 'Virtual R', pinpad: 'reader' },
      ],
    });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    client = new PosbridgeClient({ url: d.url, token: d.pair('pinpad test', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    client.on('payment.progress', (m) => steps.push(`${m.lane}:${m.step}`));
  });
  after(async () => {
    client.close();
    await d.stop();
    await link.close();
    await pty.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serial pad: online PIN under DUKPT, checked by the host with the BDK; the pad showed the amount and the result', async () => {
    action = '4321';
    host.clearReceived();
    await client.call('sim.insertCard', { lane: 'S', profile: 'mastercard-dda-online-pin' });
    const paid = await client.pay({ lane: 'S', type: 'sale', amount: 4200, currency: 'EUR', reference: 'pad-ok' });
    assert.deepEqual([paid.result, paid.cvm], ['approved', 'online-pin']);
    const auth = host.received().filter((m) => m.mti === '0200');
    assert.equal(auth.length, 1);
    assert.ok(auth[0].present.includes(52) && auth[0].present.includes(53), 'PIN block and KSN sent');
    assert.match(auth[0].note ?? '', /online PIN verified/);
    assert.ok(pad.shown.includes('AMOUNT 4200 0978'), pad.shown.join(' / '));
    await waitFor(() => pad.shown.includes('APPROVED'));
    assert.ok(steps.includes('S:pin-entry'));
    await client.call('sim.removeCard', { lane: 'S' });
  });

  test('serial pad: a wrong PIN is declined by the host (55)', async () => {
    action = '1111';
    host.clearReceived();
    await client.call('sim.insertCard', { lane: 'S', profile: 'mastercard-dda-online-pin' });
    const paid = await client.pay({ lane: 'S', type: 'sale', amount: 4300, currency: 'EUR', reference: 'pad-wrong' });
    assert.deepEqual([paid.result, paid.responseCode], ['declined', '55']);
    await client.call('sim.removeCard', { lane: 'S' });
  });

  test("serial pad: the cardholder's cancel key while the card is awaited cancels the payment", async () => {
    steps.length = 0;
    const paying = client.pay({ lane: 'S', type: 'sale', amount: 500, currency: 'EUR', reference: 'pad-cancel' });
    await waitFor(() => steps.includes('S:waiting-for-card'));
    await pad.pressCancelKey();
    assert.equal((await paying).result, 'cancelled');
  });

  test('reader keypad lane: a card asking for an online PIN gets its next CVM (the terminal does not claim online PIN)', async () => {
    steps.length = 0;
    await client.call('sim.insertCard', { lane: 'R', profile: 'mastercard-dda-online-pin' });
    const paid = await client.pay({ lane: 'R', type: 'sale', amount: 1000, currency: 'EUR', reference: 'reader-online-pin' });
    assert.notEqual(paid.cvm, 'online-pin');
    assert.ok(!steps.includes('R:pin-entry'), 'no PIN asked');
    await client.call('sim.removeCard', { lane: 'R' });
  });

  test("reader keypad: offline PIN verified by the reader itself (part 10), typed on the reader's keypad", async () => {
    steps.length = 0;
    await client.call('sim.insertCard', { lane: 'R', profile: 'visa-sda-pse' });
    const off = client.on('payment.progress', (m) => m.lane === 'R' && m.step === 'pin-entry' && void client.call('sim.enterPin', { lane: 'R', pin: '1234' }));
    const paid = await client.pay({ lane: 'R', type: 'sale', amount: 1234, currency: 'EUR', reference: 'reader-pin' });
    off();
    assert.deepEqual([paid.result, paid.cvm], ['approved', 'offline-pin']);
    const { lanes } = await client.devices();
    assert.deepEqual(
      lanes.map((l) => [l.lane, l.pinpad]),
      [
        ['S', { kind: 'serial', connected: true }],
        ['R', { kind: 'reader', connected: true }],
      ],
    );
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
