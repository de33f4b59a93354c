// Journal migrations only go forward: an older posbridge on a journal a newer one wrote stops and touches nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from '../../src/journal/database.js';
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
