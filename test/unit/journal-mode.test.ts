// The journal holds masked PANs, PAN hashes and the sealed host queue: only the daemon's user may read it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/journal/database.js';

test('journal.db and its WAL are mode 0600', { skip: process.platform === 'win32' ? 'Windows: the ACL decides' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-mode-'));
  try {
    const db = openDatabase(join(dir, 'journal.db'));
    db.prepare('CREATE TABLE IF NOT EXISTS t (x)').run();
    assert.equal(statSync(join(dir, 'journal.db')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'journal.db-wal')).mode & 0o777, 0o600);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
