// The journal on real SQLite files: counters, the sealed host queue, recovery after a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { nextCounter, nextRrn, nextStan } from '../../src/journal/counters.js';
import { openDatabase } from '../../src/journal/database.js';
import { JournalError } from '../../src/journal/errors.js';
import { HostQueue } from '../../src/journal/host-queue.js';
import { Sealer } from '../../src/journal/sealed.js';

const dir = mkdtempSync(join(tmpdir(), 'posbridge-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PAN_ASCII = '4761739001010119';

describe('journal', () => {
  test('counters are durable across a reopen and wrap at their maximum', () => {
    const path = join(dir, 'counters.db');
    let db = openDatabase(path);
    assert.equal(nextStan(db), '000001');
    assert.equal(nextStan(db), '000002');
    db.close();
    db = openDatabase(path);
    assert.equal(nextStan(db), '000003');
    assert.equal(nextCounter(db, 'small', 3), 1);
    assert.equal(nextCounter(db, 'small', 3), 2);
    assert.equal(nextCounter(db, 'small', 3), 3);
    assert.equal(nextCounter(db, 'small', 3), 1);
    const rrn = nextRrn(db, new Date(Date.UTC(2026, 10, 26, 9, 5)));
    assert.equal(rrn, '6330090' + '00001'.padStart(5, '0'));
    assert.equal(rrn.length, 12);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  test('an armed reversal left by a crash becomes due on restart; a disarmed one never does', () => {
    const path = join(dir, 'queue.db');
    const sealer = Sealer.fromKeyFile(join(dir, 'saf.key'));
    let db = openDatabase(path);
    let q = new HostQueue(db, sealer);
    const msg = new TextEncoder().encode(`0400 PAN ${PAN_ASCII}`);
    const crashed = q.arm('sale-1', '0400', msg, 1000, 60_000);
    const clean = q.arm('sale-2', '0400', msg, 1000, 60_000);
    q.disarm(clean);
    assert.equal(q.nextDue(2000), null, 'armed items are not due');
    db.close(); // the process dies here: request sent, answer never stored
    db = openDatabase(path);
    q = new HostQueue(db, sealer);
    assert.equal(q.recover(5000), 1);
    const due = q.nextDue(5000);
    assert.equal(due?.id, crashed);
    assert.equal(due?.reason, 'restart: no stored answer');
    assert.deepEqual(due?.message, msg);
    assert.equal(q.get(clean)?.status, 'disarmed');
    db.close();
  });

  test('FIFO with one item in flight; retry keeps the head; manual items stay listed', () => {
    const db = openDatabase(join(dir, 'fifo.db'));
    const q = new HostQueue(db, Sealer.fromKey(new Uint8Array(32)));
    const a = q.enqueue('advice', 'a', '0220', Uint8Array.of(1), 0, 1000);
    const b = q.enqueue('reversal', 'b', '0400', Uint8Array.of(2), 0, 1000);
    assert.equal(q.nextDue(10)?.id, a);
    q.markInFlight(a);
    assert.equal(q.nextDue(10), null, 'one in flight at a time');
    q.markRetry(a, 500, 'timeout');
    assert.equal(q.nextDue(10), null, 'the head waits for its retry time; order is kept');
    assert.equal(q.nextDue(500)?.id, a);
    q.markDone(a, 600);
    assert.equal(q.nextDue(600)?.id, b);
    q.markManual(b, 'expired');
    assert.equal(q.nextDue(700), null);
    assert.deepEqual(q.list(['manual']).map((i) => [i.ref, i.lastError]), [['b', 'expired']]);
    db.close();
  });

  test('queued payloads are encrypted at rest and tampering is detected', () => {
    const path = join(dir, 'sealed.db');
    const db = openDatabase(path);
    const q = new HostQueue(db, Sealer.fromKeyFile(join(dir, 'saf2.key')));
    q.enqueue('advice', 'x', '0220', new TextEncoder().encode(`PAN=${PAN_ASCII} TRACK2=${PAN_ASCII}D27122011234`), 0, 1000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(dir).filter((n) => n.startsWith('sealed.db'))) {
      assert.ok(!readFileSync(join(dir, f)).includes(Buffer.from(PAN_ASCII)), `${f} holds the PAN in clear`);
    }
    db.prepare(`UPDATE host_queue SET payload = zeroblob(60)`).run();
    // A payload that no longer opens never blocks the queue: the item goes to manual handling, listed, never sent.
    assert.equal(q.nextDue(Number.MAX_SAFE_INTEGER), null);
    const [item] = q.list();
    assert.equal(item.status, 'manual');
    assert.match(item.lastError ?? '', /unreadable payload/);
    assert.equal(item.message.length, 0);
    db.close();
  });
});

test('one process at a time drives a data directory host link; a dead owner is taken over', async () => {
  const { acquireLease } = await import('../../src/journal/lease.js');
  const { writeFileSync, existsSync } = await import('node:fs');
  const file = join(dir, 'host-link.lock');
  const lease = acquireLease(file, 'test');
  // The same process asking again is not refused (its own stale lease), but another live pid is.
  writeFileSync(file, JSON.stringify({ pid: process.ppid, purpose: 'posbridge daemon' }));
  assert.throws(() => acquireLease(file, 'cli'), (e: unknown) => e instanceof JournalError && e.code === 'JOURNAL_LOCKED' && /daemon/.test(e.message));
  writeFileSync(file, JSON.stringify({ pid: 2 ** 22 - 7, purpose: 'dead' }));
  const taken = acquireLease(file, 'cli');
  taken.release();
  assert.equal(existsSync(file), false);
  lease.release();
});
