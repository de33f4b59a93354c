// Payments in a real SQLite journal: idempotent by reference, one per lane, the state machine, restart rules.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../src/journal/database.js';
import { PaymentError } from '../../src/payments/errors.js';
import { PaymentStore } from '../../src/payments/payment-store.js';

const dir = mkdtempSync(join(tmpdir(), 'posbridge-payments-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const KEY = new Uint8Array(32).fill(9);
const PAN = '4761739001010119';
const sale = (reference: string, lane = 'A', amount = 1234) => ({ lane, type: 'sale' as const, amount, currency: '978', reference });
const code = (c: string) => (e: unknown) => e instanceof PaymentError && e.code === c;

describe('PaymentStore', () => {
  test('the same reference twice is the same payment; reused with other details it is refused', () => {
    const db = openDatabase(join(dir, 'a.db'));
    const s = new PaymentStore(db, KEY);
    const first = s.create(sale('r1'), 1);
    const again = s.create(sale('r1'), 2);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.payment.id, first.payment.id);
    assert.throws(() => s.create(sale('r1', 'A', 999), 3), code('PAYMENT_INVALID'));
    db.close();
  });

  test('one payment in progress per lane; another lane is free; a finished payment frees its lane', () => {
    const db = openDatabase(join(dir, 'b.db'));
    const s = new PaymentStore(db, KEY);
    const p = s.create(sale('b1'), 1).payment;
    assert.throws(() => s.create(sale('b2'), 2), code('PAYMENT_LANE_BUSY'));
    assert.equal(s.create(sale('b3', 'B'), 3).created, true);
    s.move(p.id, 'cancelled', 4, { reason: 'cashier cancelled' });
    assert.equal(s.create(sale('b2'), 5).created, true);
    db.close();
  });

  test('moves follow the state machine, each with its event; PAN stored masked with a keyed hash only', () => {
    const path = join(dir, 'c.db');
    const db = openDatabase(path);
    const s = new PaymentStore(db, KEY);
    const p = s.create(sale('c1'), 1).payment;
    assert.throws(() => s.move(p.id, 'completed', 2), code('PAYMENT_STATE_CONFLICT'));
    s.move(p.id, 'card-read', 2, { pan: PAN, aid: 'A0000000031010', scheme: 'visa' });
    s.move(p.id, 'authorizing', 3);
    s.move(p.id, 'authorized', 4, { authCode: 'A12345', responseCode: '00', reversalId: 7 });
    const done = s.move(p.id, 'completed', 5, { result: 'approved', cvm: 'offline-pin' });
    assert.deepEqual([done.state, done.result, done.maskedPan, done.authCode, done.reversalId], ['completed', 'approved', '476173******0119', 'A12345', 7]);
    assert.deepEqual(s.events(p.id).map((e) => e.state), ['created', 'card-read', 'authorizing', 'authorized', 'completed']);
    assert.deepEqual(s.byPan(PAN).map((x) => x.id), [p.id]);
    assert.throws(() => s.move(p.id, 'reversed', 6), code('PAYMENT_STATE_CONFLICT'));
    assert.throws(() => db.prepare('DELETE FROM payment_events').run(), /append-only/);
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(dir).filter((n) => n.startsWith('c.db'))) assert.ok(!readFileSync(join(dir, f)).includes(Buffer.from(PAN)), f);
    db.close();
  });

  test('after a restart the journal decides: before authorising → cancelled; authorising or authorised → reversal', () => {
    const path = join(dir, 'd.db');
    let db = openDatabase(path);
    let s = new PaymentStore(db, KEY);
    const a = s.create(sale('d1', 'A'), 1).payment;
    const b = s.create(sale('d2', 'B'), 1).payment;
    s.move(b.id, 'card-read', 2);
    s.move(b.id, 'authorizing', 3);
    const c = s.create(sale('d3', 'C'), 1).payment;
    s.move(c.id, 'card-read', 2);
    s.move(c.id, 'authorizing', 3);
    s.move(c.id, 'authorized', 4);
    const d = s.create(sale('d4', 'D'), 1).payment;
    s.move(d.id, 'card-read', 2);
    s.move(d.id, 'completed', 3, { result: 'approved' });
    db.close(); // killed here
    db = openDatabase(path);
    s = new PaymentStore(db, KEY);
    const moved = s.recover(10);
    assert.deepEqual(moved.map((m) => [m.id, m.to]).sort(), [[a.id, 'cancelled'], [b.id, 'reversal-pending'], [c.id, 'reversal-pending']].sort());
    assert.equal(s.get(d.id).state, 'completed');
    assert.equal(s.recover(11).length, 0, 'recovery is idempotent');
    s.move(b.id, 'reversed', 12);
    assert.equal(s.get(b.id).state, 'reversed');
    db.close();
  });
});
