// The typed client against the daemon over a real socket: a whole sale, errors with stable codes, and the client
// reconnecting (new hello) after the daemon restarts, the payment's final state recovered from the journal.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import WebSocket from 'ws';
import { METHODS } from '../../src/api/contract/methods.js';
import { NOTIFICATIONS, type NotificationName } from '../../src/api/contract/notifications.js';
import { PosbridgeApiError, PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { freePort } from '../helpers/daemon-process.js';

const dir = mkdtempSync(join(tmpdir(), 'posbridge-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));


/** What is wrong with `value` by `schema` (empty: it fits). */
function misfits(schema: TSchema, value: unknown): string[] {
  return [...TypeCompiler.Compile(schema).Errors(value)].map((e) => `${e.path}: ${e.message}`);
}

async function daemon(port: number): Promise<RunningDaemon> {
  const config = parseConfig({ port, dataDir: dir, readers: 'virtual', demo: true, lanes: [{ name: 'A', reader: 'Virtual A' }] });
  return startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
}

test('a sale through the client; errors carry codes; the client survives a daemon restart', async () => {
  const port = await freePort();
  let d = await daemon(port);
  const token = d.pair('client test', 'cashier');
  const client = new PosbridgeClient({ url: d.url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: { initialMs: 50, maxMs: 200 } });
  try {
    await client.connect();
    assert.equal(client.session?.role, 'cashier');
    assert.deepEqual(misfits(METHODS['session.hello'].result, client.session), []);
    // Every notification the daemon sends during the sale fits the contract's schema for it.
    const heard: [NotificationName, unknown][] = [];
    for (const name of Object.keys(NOTIFICATIONS) as NotificationName[]) client.on(name, (p) => heard.push([name, p]));
    assert.deepEqual(misfits(METHODS['devices.list'].result, await client.devices()), []);
    await client.call('sim.insertCard', { lane: 'A', profile: 'mastercard-dda-online-pin' });
    const steps: string[] = [];
    const paying = client.pay({ lane: 'A', type: 'sale', amount: 2500, currency: 'EUR', reference: 'c-1' }, { onProgress: (m) => steps.push(m) });
    client.on('payment.progress', (m) => {
      if (m.step === 'pin-entry') void client.call('sim.enterPin', { lane: 'A', pin: '4321' });
    });
    const result = await paying;
    assert.deepEqual([result.result, result.maskedPan, result.cvm], ['approved', '541333******0010', 'online-pin']);
    assert.ok(steps.includes('Authorising'));
    assert.ok(heard.some(([n]) => n === 'payment.completed') && heard.some(([n]) => n === 'payment.progress'), heard.map(([n]) => n).join(','));
    assert.deepEqual(heard.flatMap(([n, p]) => misfits(NOTIFICATIONS[n].params, p).map((m) => `${n} ${m}`)), []);
    assert.deepEqual(misfits(METHODS['payment.status'].result, await client.paymentStatus({ reference: 'c-1' })), []);
    assert.deepEqual(misfits(METHODS['receipt.get'].result, await client.receipt(result.paymentId)), []);
    assert.deepEqual(misfits(METHODS['payment.list'].result, await client.listPayments()), []);
    await assert.rejects(client.startPayment({ lane: 'Z', type: 'sale', amount: 1, currency: 'EUR', reference: 'c-2' }), (e: unknown) => e instanceof PosbridgeApiError && e.code === 'NOT_FOUND' && !e.retriable);

    const states: string[] = [];
    client.on('connection', (c) => states.push(c.state));
    await d.stop();
    d = await daemon(port);
    for (let i = 0; i < 100 && !states.includes('connected'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(states.includes('connected'), `states: ${states.join(',')}`);
    const status = await client.paymentStatus({ reference: 'c-1' });
    assert.equal(status.result, 'approved', 'the journal kept the result across the restart');
  } finally {
    client.close();
    await d.stop();
  }
});
