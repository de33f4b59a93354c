// The daemon on the real PC/SC stack: pcscd + vpcd with the virtual card, a sale through the typed client.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { createCard } from '../../src/sim/emv/catalog.js';
import { pcscSkip, startStack } from '../helpers/pcsc.js';

test('a sale with PIN through the daemon driving pcscd + vpcd', { skip: pcscSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-dpcsc-'));
  const fx = await startStack(36300);
  const config = parseConfig({ port: 0, dataDir: dir, readers: 'pcsc', demo: true, lanes: [{ name: 'A', reader: fx.readers[0] }] });
  const slot = fx.slots[0];
  const d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, new Map([['A', { insert: (profile: string) => slot.insert(createCard(profile)), remove: () => slot.remove() }]]));
  const client = new PosbridgeClient({ url: d.url, token: d.pair('pcsc test', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
  try {
    await client.connect();
    await client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    client.on('payment.progress', (m) => m.step === 'pin-entry' && void client.call('sim.enterPin', { lane: 'A', pin: '1234' }));
    const result = await client.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'pcsc-1' });
    assert.deepEqual([result.result, result.maskedPan, result.cvm], ['approved', '476173******0119', 'offline-pin']);
    const devices = await client.devices();
    assert.deepEqual(devices.lanes, [{ lane: 'A', reader: fx.readers[0], cardPresent: true, connected: true, pinpad: { kind: 'virtual', connected: true }, printer: null, display: null, stripe: { kind: 'virtual', connected: true } }]);
  } finally {
    client.close();
    await d.stop();
    await slot.remove();
    await fx.stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
