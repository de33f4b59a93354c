// One terminal identity: the configured merchant.terminalId (and merchantId) reach the 0200's fields 41 and 42, the
// 9F1C the kernel sends in field 55, the receipt and the payment's journal row — all from the configuration.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type PaymentInfo, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { openDatabase } from '../../src/journal/database.js';
import { createLogger } from '../../src/log/logger.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';

describe('the configured terminal identity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-tid-'));
  const host = new HostSimulator({ port: 0 });
  let d: RunningDaemon;
  before(async () => {
    const hostPort = await host.start();
    // 5 characters: fields 41/42 are fixed-length, so the identity is space-filled there (and in 9F1C), not refused.
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, backup: false, host: { host: '127.0.0.1', port: hostPort }, merchant: { name: 'Corner Shop', terminalId: 'TILL7', merchantId: 'M-778899' }, lanes: [{ name: 'A', reader: 'Virtual A' }] });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
  });
  after(async () => {
    await d.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reaches field 41/42, 9F1C in field 55, the receipt and the journal row', async () => {
    const c = new PosbridgeClient({ url: d.url, token: d.pair('tid test', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await c.connect();
    try {
      await c.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
      c.on('payment.progress', (m) => m.step === 'pin-entry' && void c.call('sim.enterPin', { lane: 'A', pin: '1234' }));
      const paid: PaymentInfo & { receipt?: string | null } = await c.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'tid-1' });
      assert.deepEqual([paid.state, paid.result], ['completed', 'approved']);
      const auth = host.received().find((m) => m.mti === '0200');
      assert.ok(auth, 'the host got the 0200');
      assert.equal(auth.terminalId, 'TILL7   ', 'field 41');
      assert.equal(auth.merchantId, 'M-778899       ', 'field 42');
      assert.equal(auth.iccTerminalId, 'TILL7   ', '9F1C in field 55');
      assert.equal(auth.arqc, 'verified', 'the ARQC over the card data still checks');
      assert.match(paid.receipt ?? '', /Terminal\s+TILL7\b/, 'the receipt');
      const db = openDatabase(join(dir, 'journal.db'));
      try {
        const row = db.prepare(`SELECT terminal_id FROM payments WHERE reference = ?`).get('tid-1') as { terminal_id: string };
        assert.equal(row.terminal_id, 'TILL7', 'the journal row');
      } finally {
        db.close();
      }
    } finally {
      c.close();
    }
  });
});
