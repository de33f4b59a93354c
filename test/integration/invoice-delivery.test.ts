// Invoice requests delivered through the journal's durable queue to a real HTTPS server on loopback (the invoicing
// service simulator behind a private CA): once each with its Idempotency-Key, the card only masked, retried on 5xx
// and dropped connections, refused for good on a 4xx; requests refused for payments that cannot be invoiced.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase, type Db } from '../../src/journal/database.js';
import { InvoiceDelivery, type InvoiceEnd } from '../../src/invoices/invoice-delivery.js';
import { invoiceSender, retryAfterMs, type SendAttempt } from '../../src/invoices/invoice-sender.js';
import { InvoiceStore } from '../../src/invoices/invoice-store.js';
import { isPosbridgeError } from '../../src/errors.js';
import { selfSignedCertificate } from '../../src/nexo/self-signed.js';
import { PaymentStore, type Payment } from '../../src/payments/payment-store.js';
import { InvoiceEndpointSimulator, type ReceivedRequest } from '../../src/sim/invoice/invoice-endpoint-simulator.js';
import { TEST_CARDS } from '../../src/sim/stripe/test-cards.js';
import type { Logger } from '../../src/log/logger.js';

const PAN = TEST_CARDS.visaChip.pan;
const MERCHANT = { merchantId: 'SHOP0000001', name: '街角小店', terminalId: 'POSB0001' };
const BUYER = { name: '上海示例科技有限公司', taxId: '91310000MA1FL8XQ2B', email: 'finance@example.cn' };

interface Rig {
  readonly dir: string;
  readonly db: Db;
  readonly payments: PaymentStore;
  readonly store: InvoiceStore;
  readonly sim: InvoiceEndpointSimulator;
  readonly delivery: InvoiceDelivery;
  readonly send: SendAttempt;
  /** Resolves with the next request end. */
  ended(): Promise<InvoiceEnd>;
  close(): Promise<void>;
}

/** A journal, a completed sale's worth of payments, the simulator over HTTPS with its own CA, and the worker. */
async function rig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-invoice-'));
  const db = openDatabase(join(dir, 'journal.db'));
  const payments = new PaymentStore(db, new Uint8Array(32).fill(7), 'POSB0001');
  const store = new InvoiceStore(db, payments, MERCHANT);
  const pair = selfSignedCertificate({ terminalName: 'Invoice-Sim' });
  const sim = new InvoiceEndpointSimulator({ tls: { cert: pair.certificate, key: pair.key } });
  const url = await sim.start();
  const send = invoiceSender({ url, token: 'secret-token', headers: { 'X-Shop': 'corner' }, caPem: pair.certificate, timeoutMs: 5000 });
  const delivery = new InvoiceDelivery(store, send, { firstRetryMs: 10, maxRetryMs: 40 }, Date.now);
  const waiting: ((e: InvoiceEnd) => void)[] = [];
  delivery.onEnd((e) => waiting.shift()?.(e));
  delivery.start();
  return {
    dir,
    db,
    payments,
    store,
    sim,
    delivery,
    send,
    ended: () => new Promise((r) => waiting.push(r)),
    async close() {
      await delivery.stop();
      await sim.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let refs = 0;
/** A payment taken to the end: an approved sale by default (the card's full PAN goes in; the store keeps it masked). */
function payment(p: PaymentStore, type: Payment['type'] = 'sale', result: 'approved' | 'declined' = 'approved'): Payment {
  const { payment: created } = p.create({ lane: 'A', type, amount: 8800, currency: '156', reference: `inv-${++refs}` }, 1_000);
  p.move(created.id, 'card-read', 2_000, { pan: PAN, aid: 'A0000000031010', scheme: 'visa' });
  p.move(created.id, 'authorizing', 3_000);
  if (result === 'declined') return p.move(created.id, 'declined', 4_000, { result: 'declined', responseCode: '05' });
  p.move(created.id, 'authorized', 4_000, { authCode: 'A1B2C3', responseCode: '00' });
  return p.move(created.id, 'completed', Date.UTC(2026, 11, 6, 6, 30, 0), { result: 'approved', cvm: 'online-pin' });
}

/** The request bodies the simulator received, parsed. */
const bodies = (r: readonly ReceivedRequest[]): Record<string, unknown>[] => r.map((x) => JSON.parse(x.body) as Record<string, unknown>);

/** Every byte of the journal's files (database and WAL) as latin1 text. */
function journalBytes(dir: string): string {
  return readdirSync(dir).filter((f) => f.startsWith('journal.db')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
}

describe('invoice requests delivered through the durable queue', () => {
  const rigs: Rig[] = [];
  after(async () => {
    for (const r of rigs) await r.close();
  });

  test('a request is delivered once over HTTPS with its Idempotency-Key; the body has the masked PAN only, the journal no full PAN', async () => {
    const r = await rig();
    rigs.push(r);
    const p = payment(r.payments);
    const ended = r.ended();
    const { request, created } = r.store.request(p.id, BUYER, Date.UTC(2026, 11, 6, 6, 31, 0));
    assert.equal(created, true);
    assert.match(request.idempotencyKey, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    r.delivery.wake();
    const end = await ended;
    assert.equal(end.outcome, 'delivered');
    assert.equal(end.request.state, 'delivered');
    assert.equal(end.request.attempts, 1);
    assert.equal(end.request.invoiceNumber, 'SIM-00000001');
    const got = r.sim.received();
    assert.equal(got.length, 1);
    assert.equal(got[0].idempotencyKey, request.idempotencyKey);
    assert.equal(got[0].authorization, 'Bearer secret-token');
    assert.deepEqual(bodies(got)[0], {
      requestId: request.id,
      idempotencyKey: request.idempotencyKey,
      paymentId: p.id,
      reference: p.reference,
      kind: 'sale',
      amount: { minor: 8800, currency: 'CNY', exponent: 2, value: '88.00' },
      date: '2026-12-06T06:30:00Z',
      terminalId: 'POSB0001',
      merchant: { id: 'SHOP0000001', name: '街角小店' },
      card: { maskedPan: '476173******0119', scheme: 'visa', authCode: 'A1B2C3' },
      buyer: BUYER,
      requestedAt: '2026-12-06T06:31:00Z',
    });
    assert.ok(!got[0].body.includes(PAN) && !got[0].body.includes(PAN.slice(6, 12)), 'no full PAN, nor its middle digits, in the body');
    assert.ok(!journalBytes(r.dir).includes(PAN), 'no full PAN in the journal');
    assert.deepEqual(r.sim.invoices().map((i) => [i.paymentId, i.deliveries, i.maskedPan]), [[p.id, 1, '476173******0119']]);
    // The same payment asked again: the live request, not a second one.
    const again = r.store.request(p.id, { name: 'someone else' }, Date.now());
    assert.deepEqual([again.created, again.request.id, again.request.buyer.name], [false, request.id, BUYER.name]);
  });

  test('the endpoint failing three times (503, 503, a dropped connection) is retried: delivered once, one invoice, one key', async () => {
    const r = await rig();
    rigs.push(r);
    const p = payment(r.payments);
    r.sim.failNext(2);
    r.sim.dropNext(1);
    const ended = r.ended();
    const { request } = r.store.request(p.id, { name: 'Li Lei' }, Date.now());
    r.delivery.wake();
    const end = await ended;
    assert.equal(end.outcome, 'delivered');
    assert.equal(end.request.attempts, 4);
    const got = r.sim.received();
    assert.deepEqual(got.map((g) => g.answer), ['dropped', 503, 503, 200]);
    assert.ok(got.every((g) => g.idempotencyKey === request.idempotencyKey), 'every attempt carries the same key');
    assert.ok(got.every((g) => g.body === got[0].body), 'every attempt sends the same bytes');
    assert.equal(r.sim.invoices().length, 1);
  });

  test('a 4xx other than 408/429 fails for good with its reason kept; the payment may then be asked again with a new key', async () => {
    const r = await rig();
    rigs.push(r);
    const p = payment(r.payments);
    r.sim.rejectNext(1);
    const ended = r.ended();
    const first = r.store.request(p.id, { name: 'Han Meimei' }, Date.now()).request;
    r.delivery.wake();
    const end = await ended;
    assert.equal(end.outcome, 'failed-permanent');
    assert.equal(end.request.state, 'failed-permanent');
    assert.match(end.request.lastError ?? '', /^HTTP 422: .*buyer not accepted/);
    assert.equal(r.sim.received().length, 1, 'not retried');
    assert.equal(r.sim.invoices().length, 0);
    const next = r.ended();
    const second = r.store.request(p.id, { name: 'Han Meimei Ltd' }, Date.now());
    assert.equal(second.created, true);
    assert.notEqual(second.request.idempotencyKey, first.idempotencyKey);
    r.delivery.wake();
    assert.equal((await next).outcome, 'delivered');
    assert.deepEqual(r.store.forPayment(p.id).map((x) => x.state), ['delivered', 'failed-permanent']);
  });

  test('a stop abandons the attempt in flight (pending, due at once); the next worker sends it again with the same key: one invoice', async () => {
    const r = await rig();
    rigs.push(r);
    const p = payment(r.payments);
    r.sim.holdNext(1);
    const held = new Promise<void>((resolve) => r.sim.onRequest((x) => x.answer === 'held' && resolve()));
    const { request } = r.store.request(p.id, { name: 'Li Lei' }, Date.now());
    r.delivery.wake();
    await held;
    assert.equal(r.store.get(request.id).state, 'delivering');
    await r.delivery.stop();
    const stopped = r.store.get(request.id);
    assert.deepEqual([stopped.state, stopped.attempts, stopped.lastError], ['pending', 1, 'the daemon stopped before the answer']);
    const next = new InvoiceDelivery(r.store, r.send, { firstRetryMs: 10, maxRetryMs: 40 }, Date.now);
    const ended = new Promise<InvoiceEnd>((resolve) => next.onEnd(resolve));
    next.start();
    const end = await ended;
    await next.stop();
    assert.deepEqual([end.outcome, end.request.attempts, end.request.idempotencyKey], ['delivered', 2, request.idempotencyKey]);
    assert.deepEqual(r.sim.invoices().map((i) => i.deliveries), [2], 'one invoice, its key delivered twice');
  });

  test('only an approved sale or a captured pre-authorisation can be invoiced', async () => {
    const r = await rig();
    rigs.push(r);
    const refused = (id: string): boolean => {
      try {
        r.store.request(id, { name: 'x' }, Date.now());
        return false;
      } catch (err) {
        return isPosbridgeError(err, 'INVOICE_NOT_INVOICEABLE');
      }
    };
    assert.ok(refused(payment(r.payments, 'sale', 'declined').id), 'a declined sale');
    assert.ok(refused(payment(r.payments, 'refund').id), 'a refund');
    const pre = payment(r.payments, 'preauth');
    assert.ok(refused(pre.id), 'a pre-authorisation not captured');
    r.payments.note(pre.id, Date.UTC(2026, 11, 6, 7, 0, 0), 'captured 5000', { kind: 'captured', amount: 5000 });
    const ended = r.ended();
    r.store.request(pre.id, { name: 'x' }, Date.now());
    r.delivery.wake();
    await ended;
    const body = bodies(r.sim.received())[0];
    assert.deepEqual([body.kind, body.amount, body.date], ['capture', { minor: 5000, currency: 'CNY', exponent: 2, value: '50.00' }, '2026-12-06T07:00:00Z']);
    assert.throws(() => r.store.request('no-such-payment', { name: 'x' }, Date.now()), (e: unknown) => isPosbridgeError(e, 'PAYMENT_NOT_FOUND'));
  });

  test('a journal that fails under the worker stops delivery with one logged error (no busy loop); nothing is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posbridge-invoice-broken-'));
    const db = openDatabase(join(dir, 'journal.db'));
    const payments = new PaymentStore(db, new Uint8Array(32).fill(7), 'POSB0001');
    const store = new InvoiceStore(db, payments, MERCHANT);
    store.request(payment(payments).id, { name: 'Li Lei' }, Date.now());
    const errors: string[] = [];
    const logger = { error: (m: string) => errors.push(m), warn: () => undefined, info: () => undefined } as unknown as Logger;
    let sent = 0;
    const worker = new InvoiceDelivery(store, async () => ({ kind: 'delivered', status: 200, invoiceNumber: String(++sent) }), { firstRetryMs: 10, maxRetryMs: 40 }, Date.now, logger);
    db.close();
    assert.throws(() => worker.start(), /not open/, 'recovery itself needs the journal');
    worker.wake();
    worker.wake();
    await worker.stop();
    assert.deepEqual([errors.length, sent], [1, 0]);
    assert.match(errors[0], /stops until the daemon starts again/);
    const reopened = openDatabase(join(dir, 'journal.db'));
    assert.equal((reopened.prepare(`SELECT state FROM invoice_requests`).get() as { state: string }).state, 'pending', 'the request waits for the next start');
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Retry-After is read as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 11, 6, 6, 0, 0);
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Sun, 06 Dec 2026 06:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('soon', now), null);
    assert.equal(retryAfterMs(undefined, now), null);
  });
});
