// Invoice requests through a real daemon process (demo mode on virtual readers, the host simulator): the customer
// receipt carries the invoice QR code; invoice.request is refused for a declined payment; a request whose answer is
// lost when the daemon is SIGKILLed is sent again by the restarted daemon with the same key, and the invoicing
// service (the simulator, in this process) issues exactly one invoice for it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeApiError, PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { HostSimulator } from '../../src/sim/host/host-simulator.js';
import { InvoiceEndpointSimulator, type ReceivedRequest } from '../../src/sim/invoice/invoice-endpoint-simulator.js';
import { freePort, killDaemonProcess, pairToken, startDaemonProcess } from '../helpers/daemon-process.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { parseConfig } from '../../src/daemon/config.js';
import { createLogger } from '../../src/log/logger.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A client connected to the daemon on `port`. */
async function connect(port: number, token: string): Promise<PosbridgeClient> {
  const c = new PosbridgeClient({ url: `ws://127.0.0.1:${port}/v1`, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
  await c.connect();
  return c;
}

/** One payment on lane A with a virtual card of `profile` (its PIN typed when asked). */
async function sale(c: PosbridgeClient, profile: string, reference: string): Promise<{ paymentId: string; result: string | null }> {
  await c.call('sim.insertCard', { lane: 'A', profile });
  const off = c.on('payment.progress', (m) => m.step === 'pin-entry' && void c.call('sim.enterPin', { lane: 'A', pin: '1234' }));
  try {
    const p = await c.pay({ lane: 'A', type: 'sale', amount: 8800, currency: 'CNY', reference });
    return { paymentId: p.paymentId, result: p.result };
  } finally {
    off();
    await c.call('sim.removeCard', { lane: 'A' });
  }
}

/** Resolves with the next request the simulator handles that `pick` accepts. */
function nextRequest(sim: InvoiceEndpointSimulator, pick: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest> {
  return new Promise((resolve) => {
    const off = sim.onRequest((r) => {
      if (!pick(r)) return;
      off();
      resolve(r);
    });
  });
}

test('SIGKILL with an invoice request in flight: the restarted daemon sends it again with the same key, and one invoice is issued', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-invoice-daemon-'));
  dirs.push(dir);
  const host = new HostSimulator({ port: 0 });
  const hostPort = await host.start();
  const invoices = new InvoiceEndpointSimulator();
  const endpoint = await invoices.start();
  const port = await freePort();
  const configPath = join(dir, 'config.json');
  const qrUrl = 'https://fapiao.example/issue?ref={reference}&amount={amount}&tid={terminalId}';
  writeFileSync(configPath, JSON.stringify({ port, dataDir: dir, readers: 'virtual', demo: true, host: { host: '127.0.0.1', port: hostPort }, lanes: [{ name: 'A', reader: 'Virtual A' }], invoice: { qrUrl, endpoint: { url: endpoint, token: 't0ken', firstRetryMs: 50, maxRetryMs: 200 } } }));
  let daemon = await startDaemonProcess(configPath, dir);
  const token = pairToken(dir);
  try {
    const c = await connect(port, token);
    const declined = await sale(c, 'visa-decline-offline', 'inv-declined');
    assert.equal(declined.result, 'declined');
    await assert.rejects(c.call('invoice.request', { paymentId: declined.paymentId, buyer: { name: 'Li Lei' } }), (e: unknown) => e instanceof PosbridgeApiError && e.code === 'NOT_INVOICEABLE');
    const approved = await sale(c, 'visa-sda-pse', 'inv-approved');
    assert.equal(approved.result, 'approved');
    const customer = await c.call('receipt.get', { paymentId: approved.paymentId, copy: 'customer' });
    assert.ok(customer.text.includes('Scan to request your invoice') && customer.text.replace(/\s+/g, '').includes('https://fapiao.example/issue?ref=inv-approved&amount=88.00'), customer.text);
    const merchant = await c.call('receipt.get', { paymentId: approved.paymentId, copy: 'merchant' });
    assert.ok(!merchant.text.includes('fapiao.example'), 'no QR code on the merchant copy');
    // The service issues the invoice but its answer never comes back; the daemon dies while waiting for it.
    invoices.holdNext(1);
    const held = nextRequest(invoices, (r) => r.answer === 'held');
    const asked = await c.call('invoice.request', { paymentId: approved.paymentId, buyer: { name: '上海示例科技有限公司', taxId: '91310000ma1fl8xq2b', email: 'finance@example.cn' } });
    assert.deepEqual([asked.created, asked.buyer.taxId], [true, '91310000MA1FL8XQ2B']);
    const first = await held;
    assert.equal(first.idempotencyKey, asked.idempotencyKey);
    c.close();
    await killDaemonProcess(daemon);
    const repeated = nextRequest(invoices, (r) => r.answer === 200);
    daemon = await startDaemonProcess(configPath, dir);
    const again = await repeated;
    assert.equal(again.idempotencyKey, asked.idempotencyKey, 'the same key after the restart');
    assert.equal(again.body, first.body, 'the same body after the restart');
    assert.deepEqual(invoices.invoices().map((i) => [i.paymentId, i.deliveries]), [[approved.paymentId, 2]], 'one invoice for the key, repeats included');
    assert.match(invoices.invoices()[0].maskedPan ?? '', /^\d{6}\*{6}\d{4}$/);
    const c2 = await connect(port, token);
    // The journal's commit follows the answer: listen for its notification before asking, then wait for it if needed.
    const delivered = new Promise<void>((resolve) => c2.on('invoice.delivered', (m) => m.requestId === asked.requestId && resolve()));
    let status = await c2.call('invoice.status', { paymentId: approved.paymentId });
    if (status.requests[0]?.state !== 'delivered') {
      await delivered;
      status = await c2.call('invoice.status', { paymentId: approved.paymentId });
    }
    assert.deepEqual(status.requests.map((r) => [r.state, r.attempts, r.invoiceNumber, r.idempotencyKey]), [['delivered', 2, 'SIM-00000001', asked.idempotencyKey]]);
    const again2 = await c2.call('invoice.request', { paymentId: approved.paymentId, buyer: { name: 'someone else' } });
    assert.deepEqual([again2.created, again2.requestId], [false, asked.requestId]);
    const listed = await c2.call('invoice.list', { state: 'delivered' });
    assert.deepEqual(listed.requests.map((r) => r.requestId), [asked.requestId]);
    // Refused for good (422): told to every client and kept visible; asking again makes a new request, delivered.
    const third = await sale(c2, 'visa-sda-pse', 'inv-refused');
    invoices.rejectNext(1);
    const failedNote = new Promise<string | null>((resolve) => c2.on('invoice.failed', (m) => m.paymentId === third.paymentId && resolve(m.lastError)));
    const refused = await c2.call('invoice.request', { paymentId: third.paymentId, buyer: { name: 'Han Meimei' } });
    assert.match((await failedNote) ?? '', /^HTTP 422/);
    const failedList = await c2.call('invoice.list', { state: 'failed-permanent' });
    assert.deepEqual(failedList.requests.map((r) => [r.requestId, r.attempts]), [[refused.requestId, 1]]);
    const deliveredNote = new Promise<string | null>((resolve) => c2.on('invoice.delivered', (m) => m.paymentId === third.paymentId && resolve(m.invoiceNumber)));
    const retried = await c2.call('invoice.request', { paymentId: third.paymentId, buyer: { name: 'Han Meimei Ltd' } });
    assert.ok(retried.created && retried.idempotencyKey !== refused.idempotencyKey, 'a new request with a new key');
    assert.equal(await deliveredNote, 'SIM-00000002');
    assert.deepEqual((await c2.call('invoice.status', { paymentId: third.paymentId })).requests.map((r) => r.state), ['delivered', 'failed-permanent']);
    assert.ok(invoices.received().every((r) => r.authorization === 'Bearer t0ken' && !/\d{13,19}/.test(r.body)), 'the token on each, and no full card number in any body');
    c2.close();
  } finally {
    await killDaemonProcess(daemon);
    await invoices.stop();
    await host.stop();
  }
});

test('demo mode with "endpoint": "simulator": the daemon runs the invoicing-service simulator, and sim.invoiceEndpoint shows what it received', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-invoice-demo-'));
  dirs.push(dir);
  const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, backup: false, lanes: [{ name: 'A', reader: 'Virtual A' }], invoice: { endpoint: 'simulator' } });
  const d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
  try {
    const c = await connect(d.port, d.pair('till', 'cashier'));
    const paid = await sale(c, 'visa-sda-pse', 'demo-invoice');
    const delivered = new Promise<void>((resolve) => c.on('invoice.delivered', (m) => m.paymentId === paid.paymentId && resolve()));
    await c.call('invoice.request', { paymentId: paid.paymentId, buyer: { name: 'Demo Buyer' } });
    await delivered;
    const seen = await c.call('sim.invoiceEndpoint', {});
    assert.equal(seen.requests, 1);
    assert.deepEqual(seen.invoices.map((i) => [i.paymentId, i.reference, i.amount, i.currency, i.buyer, i.deliveries]), [[paid.paymentId, 'demo-invoice', '88.00', 'CNY', 'Demo Buyer', 1]]);
    assert.match(seen.invoices[0].maskedPan ?? '', /^\d{6}\*{6}\d{4}$/);
    // No QR template configured: the customer receipt has no code.
    const text = (await c.call('receipt.get', { paymentId: paid.paymentId })).text;
    assert.ok(!text.includes('Scan to request'), text);
    c.close();
  } finally {
    await d.stop();
  }
});

test('the invoice QR code prints through the print queue on an ESC/POS printer: the code as a graphic, the URL below it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-invoice-print-'));
  dirs.push(dir);
  const printer = new EscPosEmulator();
  const printerPort = await printer.listen();
  const qrUrl = 'https://fapiao.example/i?r={reference}&a={amount}';
  const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, backup: false, printer: `tcp://127.0.0.1:${printerPort}`, lanes: [{ name: 'A', reader: 'Virtual A' }], invoice: { qrUrl } });
  const d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, undefined, printer);
  try {
    const c = await connect(d.port, d.pair('till', 'cashier'));
    const paid = await sale(c, 'visa-sda-pse', 'print-qr');
    const printed = new Promise<void>((resolve) => c.on('receipt.printed', (m) => m.paymentId === paid.paymentId && resolve()));
    const job = await c.call('receipt.print', { paymentId: paid.paymentId, copy: 'customer' });
    if (job.state !== 'printed') await printed;
    const images = printer.events.flatMap((e) => (e.kind === 'image' ? [e] : []));
    assert.equal(images.length, 1, 'the code, as one graphic');
    // The URL in words below the code (wrapped at the paper's 42 characters).
    const below = printer.lines.slice(printer.lines.findIndex((l) => l.trim() === 'Scan to request your invoice') + 1);
    assert.equal(below.map((l) => l.trim()).join(''), 'https://fapiao.example/i?r=print-qr&a=88.00', printer.lines.join('\n'));
    // The merchant copy: no code.
    const merchantJob = await c.call('receipt.print', { paymentId: paid.paymentId, copy: 'merchant' });
    assert.equal(merchantJob.state, 'printed');
    assert.equal(printer.events.filter((e) => e.kind === 'image').length, 1, 'no second graphic');
    c.close();
  } finally {
    await d.stop();
    await printer.close();
  }
});
