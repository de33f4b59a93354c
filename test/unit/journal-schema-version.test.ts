// Journal migrations only go forward: an older posbridge on a journal a newer one wrote stops and touches nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, openDatabase, SCHEMA_VERSION } from '../../src/journal/database.js';
import { JournalError } from '../../src/journal/errors.js';

test('a journal of a newer schema version stops with JOURNAL_TOO_NEW and is left as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-schema-'));
  try {
    const file = join(dir, 'journal.db');
    openDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(
      () => openDatabase(file),
      (err: unknown) => err instanceof JournalError && err.code === 'JOURNAL_TOO_NEW' && /newer posbridge/.test(err.message),
    );
    const after = new Database(file, { readonly: true });
    assert.equal(Number(after.pragma('user_version', { simple: true })), SCHEMA_VERSION + 1);
    after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a journal of the current version opens, and an empty one is migrated to it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-schema-'));
  try {
    const db = openDatabase(join(dir, 'journal.db'));
    assert.equal(Number(db.pragma('user_version', { simple: true })), SCHEMA_VERSION);
    db.close();
    openDatabase(join(dir, 'journal.db')).close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the print queue rebuilt for documents keeps every receipt job as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-schema-'));
  try {
    const file = join(dir, 'journal.db');
    const rebuild = MIGRATIONS.findIndex((m) => m.includes('print_jobs_v2'));
    assert.ok(rebuild > 0);
    const raw = new Database(file);
    for (let i = 0; i < rebuild; i++) raw.exec(MIGRATIONS[i] ?? '');
    raw.pragma(`user_version = ${rebuild}`);
    raw.prepare(`INSERT INTO payments (id, reference, lane, type, amount, currency, state, created_at, updated_at) VALUES ('p1', 'r1', 'A', 'sale', 100, '978', 'completed', 1, 1)`).run();
    raw.prepare(`INSERT INTO print_jobs (id, payment_id, copy, state, attempts, last_error, created_at, updated_at, printer) VALUES (5, 'p1', 'merchant', 'pending', 2, 'PRINTER_NOT_READY', 1, 2, 'front')`).run();
    raw.close();
    const db = openDatabase(file);
    assert.deepEqual(db.prepare(`SELECT id, kind, payment_id, copy, document, state, attempts, last_error, printer FROM print_jobs`).all(), [
      { id: 5, kind: 'receipt', payment_id: 'p1', copy: 'merchant', document: null, state: 'pending', attempts: 2, last_error: 'PRINTER_NOT_READY', printer: 'front' },
    ]);
    // A document job needs its document; a receipt job its payment and copy.
    assert.throws(() => db.prepare(`INSERT INTO print_jobs (kind, state, created_at, updated_at) VALUES ('document', 'pending', 1, 1)`).run(), /CHECK/);
    assert.throws(() => db.prepare(`INSERT INTO print_jobs (kind, document, state, created_at, updated_at) VALUES ('receipt', 'x', 'pending', 1, 1)`).run(), /CHECK/);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
