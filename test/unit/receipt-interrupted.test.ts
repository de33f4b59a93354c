// Start-up settling of print jobs a dead run was printing (real SQLite): written-ahead jobs and jobs an earlier
// version left pending with their print counted become unconfirmed; jobs never sent stay pending.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../src/journal/database.js';
import { settleInterruptedJobs } from '../../src/receipts/receipt-printing.js';

test('settleInterruptedJobs: in-flight and legacy-counted jobs become unconfirmed, unsent ones stay pending', () => {
  const db = openDatabase(':memory:');
  for (const id of ['p1', 'p2', 'p3', 'p4']) {
    db.prepare(`INSERT INTO payments (id, reference, lane, type, amount, currency, state, created_at, updated_at) VALUES (?, ?, 'A', 'sale', 100, '978', 'completed', 1, 1)`).run(id, `ref-${id}`);
  }
  const job = (payment: string, state: string, attempts: number, lastError: string | null): number =>
    Number(db.prepare(`INSERT INTO print_jobs (payment_id, copy, state, attempts, last_error, created_at, updated_at, printer) VALUES (?, 'customer', ?, ?, ?, 1, 7, 'front')`).run(payment, state, attempts, lastError).lastInsertRowid);
  const prints = (payment: string, n: number): void => void db.prepare(`INSERT INTO receipt_prints (payment_id, copy, prints, last_at) VALUES (?, 'customer', ?, 1)`).run(payment, n);
  const inFlight = job('p1', 'unconfirmed', 1, 'PRINTING'); // written ahead, the daemon died
  prints('p1', 1);
  const legacy = job('p2', 'pending', 1, null); // an earlier version: counted, left pending
  prints('p2', 1);
  const refused = job('p3', 'pending', 2, 'PRINTER_NOT_READY'); // refused twice before any byte: nothing counted
  const printedThenReprint = job('p4', 'printed', 1, null);
  const reprintQueued = job('p4', 'pending', 0, null);
  prints('p4', 1);
  const found = settleInterruptedJobs(db);
  assert.deepEqual(
    found.map((j) => j.id),
    [inFlight, legacy],
  );
  const state = (id: number): unknown => db.prepare(`SELECT state, last_error AS e, updated_at AS at FROM print_jobs WHERE id = ?`).get(id);
  assert.deepEqual(state(inFlight), { state: 'unconfirmed', e: 'INTERRUPTED', at: 7 });
  assert.deepEqual(state(legacy), { state: 'unconfirmed', e: 'INTERRUPTED', at: 7 });
  assert.deepEqual(state(refused), { state: 'pending', e: 'PRINTER_NOT_READY', at: 7 });
  assert.deepEqual(state(printedThenReprint), { state: 'printed', e: null, at: 7 });
  assert.deepEqual(state(reprintQueued), { state: 'pending', e: null, at: 7 });
  assert.deepEqual(settleInterruptedJobs(db), [], 'a second start finds nothing');
  db.close();
});
