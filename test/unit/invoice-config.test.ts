// The `invoice` section of the configuration, the QR URL's placeholders and encoding, and the buyer's checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/daemon/config.js';
import { refuseSimulators } from '../../src/daemon/demo-only.js';
import { isPosbridgeError } from '../../src/errors.js';
import { checkBuyer } from '../../src/invoices/buyer.js';
import type { Payment } from '../../src/payments/payment-store.js';
import { decimalAmount, invoiceQrUrl } from '../../src/receipts/invoice-qr.js';

const lanes = [{ name: 'A', reader: 'r' }];
const host = { host: 'acquirer.example', port: 7001 };

/** The config key a ConfigError names, and its message. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.replace(/^config: /, "");
  }
  return 'no error';
}

test('the invoice section: off when absent; a template and an https endpoint with defaults', () => {
  assert.equal(parseConfig({ lanes }).invoice, undefined);
  const c = parseConfig({ lanes, host, invoice: { qrUrl: 'https://fapiao.example/i?r={reference}&a={amount}&c={currency}&d={date}&t={terminalId}&p={paymentId}', endpoint: { url: 'https://invoices.example/v1/requests', token: 'abc' } } });
  assert.deepEqual(c.invoice?.endpoint, { url: 'https://invoices.example/v1/requests', token: 'abc', headers: {}, timeoutMs: 10_000, firstRetryMs: 5000, maxRetryMs: 600_000 });
  assert.doesNotThrow(() => refuseSimulators({ ...c, host }));
});

test('a bad template or endpoint is refused, naming the key', () => {
  const bad = (invoice: unknown, demo = false): string => refusal(() => parseConfig({ lanes, demo, invoice }));
  assert.match(bad({ qrUrl: 'https://x.example/?pan={pan}' }), /^invoice\.qrUrl: unknown placeholder \{pan\}/);
  assert.match(bad({ qrUrl: 'https://x.example/?r={Reference}' }), /^invoice\.qrUrl: unknown placeholder \{Reference\}/);
  assert.match(bad({ qrUrl: 'https://x.example/?r={reference' }), /^invoice\.qrUrl: .*not part of a \{placeholder\}/);
  assert.match(bad({ qrUrl: 'http://x.example/?r={reference}' }), /^invoice\.qrUrl: must be https:\/\/ \(http:\/\/ is refused outside demo mode\)/);
  assert.match(bad({ qrUrl: 'https://{terminalId}.example/' }), /^invoice\.qrUrl: placeholders go in the path or the query/);
  assert.match(bad({ endpoint: { url: 'http://invoices.example/' } }), /^invoice\.endpoint\.url: must be https:\/\//);
  assert.match(bad({ endpoint: { url: 'http://127.0.0.1:9000/' } }), /^invoice\.endpoint\.url: must be https:\/\/ \(http:\/\/ is refused outside demo mode\)/);
  assert.match(bad({ endpoint: { url: 'http://invoices.example/' } }, true), /^invoice\.endpoint\.url: must be https:\/\/ \(http:\/\/ only to 127\.0\.0\.1/);
  assert.match(bad({ endpoint: 'simulator' }), /^invoice\.endpoint: "simulator" is for demo mode only/);
  assert.match(bad({ endpoint: { url: 'https://i.example/', headers: { 'Idempotency-Key': 'x' } } }), /^invoice\.endpoint\.headers\.Idempotency-Key:/);
  assert.match(bad({ endpoint: { url: 'https://i.example/', retries: 3 } }), /^invoice\.endpoint\.retries: unknown key/);
  assert.match(bad({ endpoint: { url: 'https://i.example/', firstRetryMs: 1000, maxRetryMs: 10 } }), /^invoice\.endpoint\.maxRetryMs:/);
  assert.match(bad({ fapiao: true }), /^invoice\.fapiao: unknown key/);
  // Loopback http and the simulator are for the demo.
  assert.equal(bad({ qrUrl: 'http://127.0.0.1:8080/i?r={reference}', endpoint: { url: 'http://localhost:9000/i' } }, true), 'no error');
  assert.equal(bad({ endpoint: 'simulator' }, true), 'no error');
});

const SALE: Payment = {
  id: 'pay-9',
  lane: 'A',
  type: 'sale',
  amount: 123456,
  currency: '156',
  reference: 'A&B=1/2 ?#',
  state: 'completed',
  result: 'approved',
  createdAt: 0,
  updatedAt: Date.UTC(2026, 11, 6, 6, 30, 5, 123),
  maskedPan: '476173******0119',
  aid: null,
  scheme: null,
  cvm: null,
  authCode: null,
  responseCode: null,
  reversalId: null,
  reason: null,
  label: null,
  tvr: null,
  tsi: null,
  entryMode: 'chip',
  terminalId: 'T 1',
  cashier: null,
};

test('the QR URL: every value URL-encoded, the amount a decimal with the currency exponent, the date ISO 8601 UTC', () => {
  const url = invoiceQrUrl('https://fapiao.example/i?r={reference}&a={amount}&c={currency}&d={date}&t={terminalId}&p={paymentId}', SALE, 'POSB0001');
  assert.equal(url, 'https://fapiao.example/i?r=A%26B%3D1%2F2%20%3F%23&a=1234.56&c=CNY&d=2026-12-06T06%3A30%3A05Z&t=T%201&p=pay-9');
  assert.equal(new URL(url).searchParams.get('r'), SALE.reference);
  assert.deepEqual([decimalAmount(1234, 'JPY'), decimalAmount(5, 'EUR'), decimalAmount(12345, 'KWD'), decimalAmount(1234, '392')], ['1234', '0.05', '12.345', '1234']);
});

test('the buyer: a name, a 15–20 character tax id (upper-cased), an email shape', () => {
  assert.deepEqual(checkBuyer({ name: '  上海示例科技有限公司 ', taxId: '91310000ma1fl8xq2b', email: 'a.b@example.cn' }), { name: '上海示例科技有限公司', taxId: '91310000MA1FL8XQ2B', email: 'a.b@example.cn' });
  for (const [b, field] of [
    [{ name: '   ' }, 'buyer.name'],
    [{ name: 'a\nb' }, 'buyer.name'],
    [{ name: 'x'.repeat(101) }, 'buyer.name'],
    [{ name: 'Li', taxId: '12345678901234' }, 'buyer.taxId'],
    [{ name: 'Li', taxId: '9131000-MA1FL8XQ2B' }, 'buyer.taxId'],
    [{ name: 'Li', email: 'nobody' }, 'buyer.email'],
    [{ name: 'Li', email: 'a@b' }, 'buyer.email'],
  ] as const) {
    assert.throws(() => checkBuyer(b), (e: unknown) => isPosbridgeError(e, 'INVOICE_BUYER_INVALID') && e.details.field === field, JSON.stringify(b));
  }
});
