// The API contract (src/api/contract/): the committed OpenRPC copy equals the generated document, the document
// covers every method and notification, the contract's lists equal the daemon's, and params validation names the
// wrong param with words from its schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { API_CURRENCIES } from '../../src/api/contract/shapes.js';
import { METHODS, SIM_HOST_MODES, SIM_PRINTER_STATUSES, SIM_STRIPE_CARD_NAMES } from '../../src/api/contract/methods.js';
import { NOTIFICATIONS } from '../../src/api/contract/notifications.js';
import { openRpcDocument } from '../../src/api/contract/openrpc.js';
import { validateParams } from '../../src/api/contract/validate.js';
import { ApiError, API_ERROR_CODES } from '../../src/api/errors.js';
import { SIM_STRIPE_CARDS } from '../../src/sim/sim-methods.js';
import { SIM_PRINTER_STATES } from '../../src/sim/printer/escpos-emulator.js';
import { HOST_MODES } from '../../src/sim/host/rules.js';
import { CURRENCY_CODES } from '../../src/util/currency.js';
import { REPORT_GROUP_KEYS } from '../../src/api/contract/report-shapes.js';
import { GROUP_KEYS } from '../../src/reports/report.js';

test('docs/openrpc.json is the document generated from the contract (npm run openrpc rewrites it)', () => {
  const committed = readFileSync(join(process.cwd(), 'docs', 'openrpc.json'), 'utf8');
  assert.equal(committed, `${JSON.stringify(openRpcDocument(), null, 2)}\n`);
});

test('the OpenRPC document has every method with its params by name, every notification marked, and every error', () => {
  const doc = openRpcDocument();
  assert.match(doc.openrpc, /^1\.3\.\d+$/);
  const byName = new Map(doc.methods.map((m) => [m.name, m]));
  for (const [name, c] of Object.entries(METHODS)) {
    const m = byName.get(name);
    assert.ok(m, name);
    assert.equal(m['x-notification'], undefined, name);
    assert.ok(m.result, `${name} has a result`);
    assert.deepEqual(m.params.map((p) => p.name), Object.keys(c.params.properties), name);
    assert.deepEqual(m.params.filter((p) => p.required).map((p) => p.name), c.params.required ?? [], name);
  }
  for (const name of Object.keys(NOTIFICATIONS)) {
    const m = byName.get(name);
    assert.equal(m?.['x-notification'], true, name);
    assert.equal(m?.result, undefined, `${name}: a notification has no result`);
  }
  assert.equal(doc.methods.length, Object.keys(METHODS).length + Object.keys(NOTIFICATIONS).length);
  assert.deepEqual(Object.keys(doc.components.errors).sort(), [...API_ERROR_CODES].sort());
  const refs = JSON.stringify(doc).match(/#\/components\/schemas\/(\w+)/g) ?? [];
  for (const r of new Set(refs)) assert.ok(r.split('/').pop()! in doc.components.schemas, `${r} resolves`);
  assert.ok(!JSON.stringify(doc).includes('"[object'), 'no stringified objects');
});

test("the contract's lists are the daemon's: currencies, printer states, host modes, stripe cards", () => {
  assert.deepEqual([...API_CURRENCIES], [...CURRENCY_CODES]);
  assert.deepEqual([...SIM_PRINTER_STATUSES], Object.keys(SIM_PRINTER_STATES));
  assert.deepEqual([...SIM_HOST_MODES], [...HOST_MODES]);
  assert.deepEqual([...SIM_STRIPE_CARD_NAMES].sort(), Object.keys(SIM_STRIPE_CARDS).sort());
  assert.deepEqual([...REPORT_GROUP_KEYS], [...GROUP_KEYS]);
});

/** The INVALID_PARAMS `validateParams` throws for `params` of `method`, as [param, message]. */
function refusal(method: keyof typeof METHODS, params: Record<string, unknown>): [unknown, string] {
  try {
    validateParams(method, METHODS[method].params, params);
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 'INVALID_PARAMS', String(err));
    assert.equal(err.retriable, false);
    return [err.details.param, err.message];
  }
  assert.fail(`${method} accepted ${JSON.stringify(params)}`);
}

test('params validation: the first wrong, missing or unknown param is named, in words from its schema', () => {
  const ok = { lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'order-1' };
  assert.deepEqual(validateParams('payment.start', METHODS['payment.start'].params, ok), ok);
  assert.deepEqual(refusal('payment.start', { ...ok, amount: 12.5 }), ['amount', 'amount must be an integer from 1 to 99999999']);
  assert.deepEqual(refusal('payment.start', { ...ok, amount: 0 }), ['amount', 'amount must be an integer from 1 to 99999999']);
  assert.deepEqual(refusal('payment.start', { ...ok, type: 'gift' }), ['type', 'type must be "sale", "refund" or "preauth"']);
  assert.equal(refusal('payment.start', { ...ok, currency: 'XYZ' })[0], 'currency');
  assert.match(refusal('payment.start', { ...ok, currency: 'XYZ' })[1], /^currency must be "EUR", "USD", .* or "AUD"$/);
  const { lane: _lane, ...noLane } = ok;
  assert.deepEqual(refusal('payment.start', noLane), ['lane', 'lane must be a non-empty string of at most 40 characters']);
  assert.deepEqual(refusal('payment.start', { ...ok, reference: 'r'.repeat(65) }), ['reference', 'reference must be a non-empty string of at most 64 characters']);
  assert.deepEqual(refusal('payment.start', { ...ok, tip: 100 }), ['tip', 'unknown parameter "tip": payment.start takes lane, type, amount, currency, reference']);
  assert.deepEqual(refusal('receipt.print', { paymentId: 'p', reprint: 'yes' }), ['reprint', 'reprint must be true or false']);
  assert.deepEqual(refusal('sim.enterPin', { lane: 'A', pin: '12a4' }), ['pin', 'pin must be 4 to 12 digits']);
  assert.deepEqual(refusal('devices.list', { verbose: true }), ['verbose', 'unknown parameter "verbose": devices.list takes no parameters']);
  assert.deepEqual(refusal('session.hello', {}), ['token', 'token must be a non-empty string of at most 200 characters']);
});
