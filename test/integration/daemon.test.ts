// The daemon in demo mode over a real WebSocket on 127.0.0.1: a cashier app's whole sale, driven through the API
// and the sim.* methods, with the host simulator verifying the card's cryptogram; duplicate references; a busy lane.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { parseConfig, ConfigError } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';

interface Msg {
  id?: number;
  result?: Record<string, unknown>;
  error?: { data: { code: string } };
  method?: string;
  params?: Record<string, unknown>;
}

class Client {
  readonly inbox: Msg[] = [];
  private seq = 0;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => this.inbox.push(JSON.parse(d.toString()) as Msg));
  }
  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    return new Client(ws);
  }
  async call(method: string, params: Record<string, unknown> = {}): Promise<Msg> {
    const id = ++this.seq;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.waitFor((m) => m.id === id);
  }
  async waitFor(pred: (m: Msg) => boolean, ms = 10_000): Promise<Msg> {
    const t0 = Date.now();
    for (;;) {
      const m = this.inbox.find(pred);
      if (m) return m;
      if (Date.now() - t0 > ms) throw new Error(`timed out; inbox: ${JSON.stringify(this.inbox.map((x) => x.method ?? x.id))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  close(): void {
    this.ws.close();
  }
}

describe('daemon (demo mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-daemon-'));
  let d: RunningDaemon;
  let token = '';
  before(async () => {
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, lanes: [{ name: 'A', reader: 'Virtual A' }] });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    token = d.pair('test till', 'cashier');
  });
  after(async () => {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a sale with PIN: payment.progress, then payment.completed approved; status by reference', async () => {
    const c = await Client.open(d.url);
    assert.equal((await c.call('session.hello', { token })).result?.role, 'cashier');
    await c.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    const started = await c.call('payment.start', { lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'order-1' });
    const paymentId = started.result?.paymentId;
    assert.equal(typeof paymentId, 'string');
    await c.waitFor((m) => m.method === 'payment.progress' && m.params?.step === 'pin-entry');
    await c.call('sim.enterPin', { lane: 'A', pin: '1234' });
    const done = await c.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === paymentId);
    assert.deepEqual([done.params?.state, done.params?.result, done.params?.maskedPan, done.params?.currency, done.params?.scheme], ['completed', 'approved', '476173******0119', 'EUR', 'visa']);
    assert.match(String(done.params?.receipt), /APPROVED/);
    assert.ok(!JSON.stringify(c.inbox).includes('4761739001010119'), 'no full PAN on the API');
    const status = await c.call('payment.status', { reference: 'order-1' });
    assert.equal(status.result?.state, 'completed');
    const customer = (await c.call('receipt.get', { paymentId, copy: 'customer' })).result as { text: string; svg: string };
    const merchant = (await c.call('receipt.get', { paymentId, copy: 'merchant' })).result as { text: string; svg: string };
    for (const t of ['APPROVED', '476173******0119', 'PIN VERIFIED', '12.34 EUR', 'VISA CREDIT', 'CUSTOMER COPY']) assert.ok(customer.text.includes(t), `${t} on the receipt:\n${customer.text}`);
    assert.ok(!customer.text.includes('TVR') && merchant.text.includes('TVR') && merchant.text.includes('MERCHANT COPY'));
    assert.match(customer.svg, /^<svg [^>]+>.*<\/svg>$/s);
    assert.match(customer.svg.replace(/<[^>]+>/g, ''), /APPROVED/, 'receiptline draws the receipt one <tspan> per character');
    assert.ok(!customer.text.includes('4761739001010119'));
    const again = await c.call('payment.start', { lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'order-1' });
    assert.deepEqual([again.result?.paymentId, again.result?.created], [paymentId, false]);
    c.close();
  });

  test('a second payment on a busy lane is BUSY; bad parameters are INVALID_PARAMS; sim methods validate', async () => {
    const c = await Client.open(d.url);
    await c.call('session.hello', { token });
    await c.call('sim.removeCard', { lane: 'A' });
    const first = await c.call('payment.start', { lane: 'A', type: 'sale', amount: 500, currency: 'EUR', reference: 'order-2' });
    const busy = await c.call('payment.start', { lane: 'A', type: 'sale', amount: 600, currency: 'EUR', reference: 'order-3' });
    assert.equal(busy.error?.data.code, 'BUSY');
    assert.equal((await c.call('payment.start', { lane: 'A', type: 'sale', amount: 1.5, currency: 'EUR', reference: 'x' })).error?.data.code, 'INVALID_PARAMS');
    assert.equal((await c.call('sim.insertCard', { lane: 'A', profile: 'nope' })).error?.data.code, 'INVALID_PARAMS');
    await c.call('payment.cancel', { paymentId: first.result?.paymentId });
    const cancelled = await c.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === first.result?.paymentId);
    assert.equal(cancelled.params?.state, 'cancelled');
    const list = await c.call('payment.list', {});
    assert.equal((list.result?.payments as unknown[]).length, 2);
    c.close();
  });

  test('a bad config names the key', () => {
    assert.throws(() => parseConfig({ lanes: [] }), (e: unknown) => e instanceof ConfigError && /lanes/.test(e.message));
    assert.throws(() => parseConfig({ lanes: [{ name: 'A', reader: 'r' }], prot: 1 }), (e: unknown) => e instanceof ConfigError && /prot: unknown key/.test(e.message));
  });

  test('a supervisor reverses a completed sale; settlement closes the batch; diag.transmit is off unless configured', async () => {
    const sup = d.pair('back office', 'supervisor');
    const admin = d.pair('it', 'admin');
    const c = await Client.open(d.url);
    await c.call('session.hello', { token: sup });
    await c.call('sim.insertCard', { lane: 'A', profile: 'mastercard-dda-online-pin' });
    const started = await c.call('payment.start', { lane: 'A', type: 'sale', amount: 990, currency: 'EUR', reference: 'void-me' });
    await c.waitFor((m) => m.method === 'payment.progress' && m.params?.step === 'pin-entry' && m.params?.paymentId === started.result?.paymentId);
    await c.call('sim.enterPin', { lane: 'A', pin: '4321' });
    await c.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === started.result?.paymentId);
    const cashier = await Client.open(d.url);
    await cashier.call('session.hello', { token });
    assert.equal((await cashier.call('payment.reverse', { paymentId: started.result?.paymentId })).error?.data.code, 'FORBIDDEN');
    cashier.close();
    const reversed = await c.call('payment.reverse', { paymentId: started.result?.paymentId });
    assert.equal(reversed.result?.state, 'reversal-pending');
    let state = '';
    for (let i = 0; i < 60 && state !== 'reversed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = String((await c.call('payment.status', { paymentId: started.result?.paymentId })).result?.state);
    }
    assert.equal(state, 'reversed');
    const closed = await c.call('settlement.close');
    assert.equal(closed.result?.closed, true, JSON.stringify(closed));
    c.close();
    const a = await Client.open(d.url);
    await a.call('session.hello', { token: admin });
    assert.equal((await a.call('diag.transmit', { lane: 'A', apdu: '00A404000E315041592E5359532E444446303100' })).error?.data.code, 'DISABLED');
    a.close();
  });

  test('a pre-authorisation is captured once, for at most its amount, and settles as a sale', async () => {
    const c = await Client.open(d.url);
    await c.call('session.hello', { token });
    await c.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });
    const started = await c.call('payment.start', { lane: 'A', type: 'preauth', amount: 5000, currency: 'EUR', reference: 'hotel-1' });
    const done = await c.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === started.result?.paymentId);
    assert.equal(done.params?.result, 'approved');
    assert.equal((await c.call('payment.capture', { paymentId: started.result?.paymentId, amount: 6000 })).error?.data.code, 'INVALID_PARAMS');
    assert.deepEqual((await c.call('payment.capture', { paymentId: started.result?.paymentId, amount: 4200 })).result, { paymentId: started.result?.paymentId, captured: 4200 });
    assert.equal((await c.call('payment.capture', { paymentId: started.result?.paymentId, amount: 100 })).error?.data.code, 'INVALID_PARAMS');
    c.close();
  });

  test('cancelling during PIN entry ends the payment at once, cancelled, nothing sent to the host', async () => {
    const c = await Client.open(d.url);
    await c.call('session.hello', { token });
    await c.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    const started = await c.call('payment.start', { lane: 'A', type: 'sale', amount: 777, currency: 'EUR', reference: 'cancel-at-pin' });
    await c.waitFor((m) => m.method === 'payment.progress' && m.params?.step === 'pin-entry' && m.params?.paymentId === started.result?.paymentId);
    const t0 = Date.now();
    await c.call('payment.cancel', { paymentId: started.result?.paymentId });
    const done = await c.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === started.result?.paymentId, 5000);
    assert.deepEqual([done.params?.state, done.params?.result], ['cancelled', 'cancelled']);
    assert.ok(Date.now() - t0 < 2000, 'not left waiting for the PIN pad timeout');
    c.close();
  });
});
