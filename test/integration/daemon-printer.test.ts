// Receipts on a printer: the daemon (demo mode, real WebSocket) prints a sale's receipt to the software ESC/POS
// printer over TCP — once, reprints marked COPY, refused with the printer's status when it has no paper.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeApiError, PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';

describe('receipt.print on an ESC/POS printer over TCP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-print-'));
  const printer = new EscPosEmulator();
  let d: RunningDaemon;
  let client: PosbridgeClient;
  let paymentId = '';
  let printerPort = 0;
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 60));

  before(async () => {
    const port = (printerPort = await printer.listen());
    const config = parseConfig({
      port: 0,
      dataDir: dir,
      readers: 'virtual',
      demo: true,
      printer: `tcp://127.0.0.1:${port}`,
      merchant: { name: 'Corner Shop | Café', address: ['Main Street 1'], terminalId: 'POSB0001' },
      lanes: [{ name: 'A', reader: 'Virtual A' }],
    });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, undefined, printer);
    client = new PosbridgeClient({ url: d.url, token: d.pair('till', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory });
    await client.connect();
    await client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    client.on('payment.progress', (m) => {
      if (m.step === 'pin-entry') void client.call('sim.enterPin', { lane: 'A', pin: '1234' });
    });
    const paid = await client.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'print-1' });
    assert.equal(paid.result, 'approved');
    paymentId = paid.paymentId;
  });
  after(async () => {
    client.close();
    await d.stop();
    await printer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('paper end (sim.setPrinter): the receipt is queued, nothing printed; once paper is loaded it prints exactly once (receipt.printed)', async () => {
    await assert.rejects(client.call('sim.setPrinter', { lane: 'A', status: 'no-ink' }), (e: unknown) => e instanceof PosbridgeApiError && e.code === 'INVALID_PARAMS');
    await client.call('sim.setPrinter', { lane: 'A', status: 'paper-end' });
    const n = printer.events.length;
    const r = await client.printReceipt(paymentId);
    assert.deepEqual([r.state, r.waitingFor, r.markedCopy], ['queued', 'PRINTER_NOT_READY', false]);
    await assert.rejects(client.printReceipt(paymentId), (e: unknown) => e instanceof PosbridgeApiError && e.code === 'ALREADY_PRINTED', 'a queued receipt is not queued twice');
    await settle();
    assert.equal(printer.events.length, n, 'nothing printed while out of paper');
    const printed = new Promise<{ jobId: number; markedCopy: boolean }>((resolve) => client.on('receipt.printed', resolve));
    await client.call('sim.setPrinter', { lane: 'A', status: 'ready' });
    const done = await printed;
    assert.deepEqual([done.jobId, done.markedCopy], [r.jobId, false]);
    await new Promise((res) => setTimeout(res, 2500)); // one more retry period: a printed job is not printed again
    const job = printer.events.slice(n);
    assert.equal(job.filter((e) => e.kind === 'cut').length, 1, 'printed exactly once');
    assert.equal(job[0]?.kind, 'init');
    assert.equal(job.at(-1)?.kind, 'cut');
    const text = job.flatMap((e) => (e.kind === 'line' ? [e.text] : [])).join('\n');
    for (const t of ['Corner Shop | Café', 'POSB0001', '476173******0119', 'APPROVED', 'PIN VERIFIED', '12.34 EUR', 'CUSTOMER COPY']) assert.ok(text.includes(t), `${t} in:\n${text}`);
    assert.ok(!text.includes('4761739001010119'));
    assert.ok(!text.split('\n').some((l) => l.trim() === 'COPY'), 'an original is not marked COPY');
  });

  test('printing again is ALREADY_PRINTED; a reprint is marked COPY; the merchant copy is its own original', async () => {
    await assert.rejects(client.printReceipt(paymentId), (e: unknown) => e instanceof PosbridgeApiError && e.code === 'ALREADY_PRINTED');
    const n = printer.events.length;
    const r = await client.printReceipt(paymentId, 'customer', true);
    assert.deepEqual([r.markedCopy, r.state], [true, 'printed']);
    await settle();
    const lines = printer.events.slice(n).flatMap((e) => (e.kind === 'line' ? [e.text.trim()] : []));
    assert.equal(lines.filter((l) => l === 'COPY').length, 2, lines.join('\n'));
    const m = await client.printReceipt(paymentId, 'merchant');
    assert.deepEqual([m.markedCopy, m.state], [false, 'printed']);
    await settle();
    assert.ok(printer.lines.some((l) => l.includes('TVR')));
  });

  test('the print count and a queued job survive a daemon restart (journal), also when the printer is renamed; a GB18030 printer gets Chinese text', async () => {
    printer.setStatus({ paper: 'end' });
    const queued = await client.printReceipt(paymentId, 'customer', true);
    assert.equal(queued.state, 'queued');
    client.close();
    await d.stop();
    // Restarted with the printer under a name of its own: the job queued for "default" moves to lane A's printer.
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, printers: { front: { url: `tcp://127.0.0.1:${printerPort}`, encoding: 'gb18030', charactersPerLine: 32 } }, merchant: { name: '街角小店 Corner Shop', language: 'zh' }, lanes: [{ name: 'A', reader: 'Virtual A', printer: 'front' }] });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    client = new PosbridgeClient({ url: d.url, token: d.pair('till 2', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory });
    await client.connect();
    const printed = new Promise<{ jobId: number; markedCopy: boolean }>((resolve) => client.on('receipt.printed', resolve));
    printer.setStatus({ paper: 'ok' });
    assert.deepEqual(await printed, { ...(await printed), jobId: queued.jobId, markedCopy: true }, 'the job queued before the restart printed after it');
    await assert.rejects(client.printReceipt(paymentId, 'merchant'), (e: unknown) => e instanceof PosbridgeApiError && e.code === 'ALREADY_PRINTED');
    const n = printer.events.length;
    assert.deepEqual((await client.printReceipt(paymentId, 'merchant', true)).markedCopy, true);
    await settle();
    const job = printer.events.slice(n);
    assert.ok(job.some((e) => e.kind === 'chinese-on'), 'GB18030 receipts switch the printer to Chinese mode');
    assert.ok(printer.lines.some((l) => l.includes('街角小店 Corner Shop')), printer.lines.join('\n'));
    assert.ok(printer.lines.includes('商户存根') && printer.lines.includes('476173******0119'), 'Chinese labels (merchant.language), masked PAN');
    // receipt.get: the same document, laid out for this lane's printer (32 characters: 384 dots).
    const r = await client.receipt(paymentId, 'merchant');
    assert.match(r.svg, /^<svg width="384px"/);
    assert.ok(r.text.includes('商户存根') && r.text.includes('476173******0119'), r.text);
    assert.ok(r.text.split('\n').every((l) => [...l].reduce((n, c) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 2 : 1), 0) <= 32), r.text);
  });

  test('a bad printer URL in the config names the key', () => {
    assert.throws(() => parseConfig({ printer: 'lpt1', lanes: [{ name: 'A', reader: 'r' }] }), /printer/);
  });
});
