// Printers with no back channel: a bare TCP listener and a bare pty that take bytes and answer nothing (a print
// server, a one-way port, a test rig that never saw posbridge). A payment receipt still reaches them — ESC @ first,
// the cut last, GB18030 for Chinese, the masked PAN only — sent unchecked and reported "unconfirmed".
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { serialPortClass } from '../../src/drivers/serial/serialport-module.js';
import { createLogger } from '../../src/log/logger.js';
import { noSocat, PtyPair } from '../helpers/pty.js';

/** A TCP listener that keeps every byte it gets and never answers. */
class BlindListener {
  readonly received: Buffer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((s) => {
    this.sockets.add(s);
    s.on('data', (d: Buffer) => this.received.push(d));
    s.on('close', () => this.sockets.delete(s));
  });

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

const ESC_AT = Buffer.from([0x1b, 0x40]);
const CUT = Buffer.from([0x1d, 0x56]);
const RECEIPT_GB18030 = Buffer.from([0xca, 0xd5, 0xbe, 0xdd]); // 收据
const MASKED = Buffer.from('476173******0119');
const FULL = Buffer.from('4761739001010119');

/** The receipt job within what a printer received (status requests first): ESC @ … cut, Chinese in GB18030, masked PAN only. */
function assertReceipt(all: Buffer): void {
  const start = all.indexOf(ESC_AT);
  assert.ok(start >= 0, 'ESC @ starts the job');
  const job = all.subarray(start);
  assert.ok(job.lastIndexOf(CUT) > job.indexOf(MASKED), 'cut after the receipt text');
  assert.ok(job.includes(RECEIPT_GB18030), 'Chinese text in GB18030');
  assert.ok(job.includes(Buffer.from([0x1c, 0x26])), 'FS & (Chinese mode)');
  assert.ok(job.includes(MASKED), 'the masked PAN');
  assert.ok(!all.includes(FULL), 'never the full PAN');
}

describe('printers with no back channel', { skip: noSocat() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-blind-'));
  const tcp = new BlindListener();
  const pty = new PtyPair(join(dir, 'printer-dev'), join(dir, 'printer'));
  const ptyBytes: Buffer[] = [];
  let closePty: () => Promise<void> = async () => undefined;
  let d: RunningDaemon;
  let client: PosbridgeClient;
  let paymentId = '';

  before(async () => {
    const tcpPort = await tcp.listen();
    await pty.start();
    const port = new (serialPortClass())({ path: pty.a, baudRate: 19200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    port.on('data', (b: Buffer) => ptyBytes.push(b));
    closePty = () => new Promise<void>((r) => port.close(() => r()));
    const config = parseConfig({
      port: 0,
      dataDir: dir,
      readers: 'virtual',
      demo: true,
      merchant: { name: '街角小店 Corner Shop', address: ['收据 1 Main Street'] },
      printers: { lan: { url: `tcp://127.0.0.1:${tcpPort}`, encoding: 'gb18030' }, serial: { url: `serial://${pty.b}?baud=19200`, encoding: 'gb18030' } },
      lanes: [
        { name: 'A', reader: 'Virtual A', printer: 'lan' },
        { name: 'B', reader: 'Virtual B', printer: 'serial' },
      ],
    });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    client = new PosbridgeClient({ url: d.url, token: d.pair('blind', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    client.on('payment.progress', (m) => m.step === 'pin-entry' && void client.call('sim.enterPin', { lane: m.lane, pin: '1234' }));
    await client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    const paid = await client.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'blind-1' });
    assert.equal(paid.result, 'approved');
    paymentId = paid.paymentId;
  });
  after(async () => {
    client.close();
    await d.stop();
    await closePty();
    await pty.stop();
    await tcp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a bare TCP listener gets the payment receipt, reported unconfirmed (no status back channel)', { timeout: 20_000 }, async () => {
    const r = await client.printReceipt(paymentId);
    assert.deepEqual([r.state, r.waitingFor], ['unconfirmed', 'PRINTER_TIMEOUT']);
    await new Promise((res) => setTimeout(res, 100));
    assertReceipt(tcp.bytes());
    // Printed once: asking again is ALREADY_PRINTED, a reprint is a marked COPY.
    await assert.rejects(client.printReceipt(paymentId), /already printed/);
  });

  test('a bare pty gets the receipt of lane B the same way', { timeout: 20_000 }, async () => {
    await client.call('sim.insertCard', { lane: 'B', profile: 'visa-sda-pse' });
    const paid = await client.pay({ lane: 'B', type: 'sale', amount: 900, currency: 'EUR', reference: 'blind-2' });
    const r = await client.printReceipt(paid.paymentId, 'merchant');
    assert.equal(r.state, 'unconfirmed');
    await new Promise((res) => setTimeout(res, 200));
    assertReceipt(Buffer.concat(ptyBytes));
  });

  test('devices.list says the printer answers no status (PRINTER_TIMEOUT), not a made-up one', { timeout: 20_000 }, async () => {
    const { lanes } = await client.devices();
    assert.deepEqual(lanes[0].printer, { name: 'lan', error: 'PRINTER_TIMEOUT' });
  });
});
