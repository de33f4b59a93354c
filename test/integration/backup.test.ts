// `posbridge backup now|verify|restore` on real files and a real SQLite journal: the data directory destroyed and
// restored with its payment, its sealed reversal (which opens with the restored key) and its batches; the file holds
// nothing in clear; verify catches a changed byte, another key, a missing key and a newer schema; a restore is refused
// into a data directory a live process holds; retention in both folders; a failed copy is reported; an online backup
// while another connection writes is one consistent state.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { processContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { hostLeasePath } from '../../src/host/stack.js';
import { createBackup, openJournalForBackup, verifyBackup } from '../../src/journal/backup.js';
import { Batches } from '../../src/journal/batches.js';
import { MIGRATIONS, openDatabase, SCHEMA_VERSION } from '../../src/journal/database.js';
import { HostQueue } from '../../src/journal/host-queue.js';
import { acquireLease } from '../../src/journal/lease.js';
import { loadKeyFile, Sealer } from '../../src/journal/sealed.js';
import { PaymentStore } from '../../src/payments/payment-store.js';

const root = mkdtempSync(join(tmpdir(), 'posbridge-backup-'));
const data = join(root, 'data');
const share = join(root, 'share');
const cfgDir = join(root, 'config');
const REVERSAL = new TextEncoder().encode('the original 0200 of order-2, to be reversed');
const MASKED = '476173******0119';

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  process.env.POSBRIDGE_DATA_DIR = data;
  process.env.POSBRIDGE_CONFIG_DIR = cfgDir;
  const code = await runCli({ ...processContext(), out: (l) => out.push(l), err: (l) => err.push(l) }, argv);
  return { code, out, err };
}

const json = <T>(r: { out: string[] }): T => JSON.parse(r.out[0]) as T;

/** The journal's rows that a restore must bring back, as plain values. */
function rows(dir: string): { payments: unknown[]; queue: unknown[]; batches: unknown[] } {
  const db = openDatabase(join(dir, 'journal.db'));
  try {
    return {
      payments: db.prepare('SELECT id, reference, type, amount, state, result, masked_pan, pan_hash FROM payments ORDER BY id').all(),
      queue: db.prepare('SELECT id, kind, ref, mti, status, hex(payload) AS payload FROM host_queue ORDER BY id').all(),
      batches: db.prepare('SELECT id, status, opened_at, closed_at FROM batches ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

function makeJournal(dir: string): number {
  const db = openDatabase(join(dir, 'journal.db'));
  const store = new PaymentStore(db, new Uint8Array(loadKeyFile(join(dir, 'pan-hash.key'))));
  const p = store.create({ lane: 'A', type: 'sale', amount: 1234, currency: '978', reference: 'order-1' }, Date.UTC(2026, 11, 6, 9)).payment;
  store.move(p.id, 'card-read', Date.UTC(2026, 11, 6, 9, 0, 1), { pan: '4761739001010119' });
  store.move(p.id, 'completed', Date.UTC(2026, 11, 6, 9, 0, 2), { result: 'approved', authCode: 'A1' });
  const sealer = Sealer.fromKeyFile(join(dir, 'saf.key'));
  const id = new HostQueue(db, sealer).enqueue('reversal', 'order-2', '0400', REVERSAL, Date.now(), 3600_000, 'no answer');
  const batches = new Batches(db, sealer);
  batches.close(batches.open(1000).id, 2000, 'settled');
  batches.open(3000);
  db.close();
  return id;
}

describe('posbridge backup', () => {
  let queueId = 0;
  before(() => {
    queueId = makeJournal(data);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('backup now → data directory destroyed → restore: the payment, the sealed reversal (it still opens) and the batches are back', async () => {
    const made = await cli(['backup', 'now', '--json', '--copy-to', share]);
    assert.equal(made.code, 0, made.err.join('\n'));
    const r = json<{ backup: string; keyFile: string; keyCreated: boolean; files: string[]; copy: { file: string } }>(made);
    assert.deepEqual([r.keyFile, r.keyCreated], [join(cfgDir, 'backup.key'), true], 'the key is made outside the data directory on first use');
    assert.ok(made.err.some((l) => l.includes(join(cfgDir, 'backup.key')) && l.includes('keep a copy')), 'the new key is said, with where it is');
    assert.equal(statSync(r.keyFile).mode & 0o777, 0o600);
    assert.deepEqual(r.files, ['journal.db', 'saf.key', 'pan-hash.key']);
    const bytes = readFileSync(r.backup);
    assert.ok(readFileSync(r.copy.file).equals(bytes), 'copyTo holds the same file');
    for (const clear of [MASKED, 'SQLite format 3', 'order-1', Buffer.from(REVERSAL).toString('latin1')]) {
      assert.equal(bytes.includes(Buffer.from(clear, 'latin1')), false, `no ${JSON.stringify(clear)} in clear`);
    }
    for (const key of ['saf.key', 'pan-hash.key']) assert.equal(bytes.includes(readFileSync(join(data, key))), false, `no ${key} in clear`);

    const verified = await cli(['backup', 'verify', r.backup, '--json']);
    assert.equal(verified.code, 0, verified.err.join('\n'));
    const v = json<{ integrity: string; backupSchemaVersion: number; knownSchemaVersion: number; counts: unknown }>(verified);
    assert.deepEqual([v.integrity, v.backupSchemaVersion, v.knownSchemaVersion], ['ok', SCHEMA_VERSION, SCHEMA_VERSION]);
    assert.deepEqual(v.counts, { payments: 1, hostQueue: { pending: 1 }, batches: { closed: 1, open: 1 } });

    const before = rows(data);
    // The data directory is lost with the backups inside it: the copy on the share is what is left.
    rmSync(data, { recursive: true, force: true });
    const restored = await cli(['backup', 'restore', r.copy.file, '--json']);
    assert.equal(restored.code, 0, restored.err.join('\n'));
    for (const f of ['journal.db', 'saf.key', 'pan-hash.key']) assert.equal(statSync(join(data, f)).mode & 0o777, 0o600, `${f} is 0600`);
    assert.deepEqual(rows(data), before, 'every payment, queue item and batch, with the same ids');
    const db = openDatabase(join(data, 'journal.db'));
    try {
      assert.deepEqual(new HostQueue(db, Sealer.fromKeyFile(join(data, 'saf.key'))).get(queueId)?.message, REVERSAL, 'the sealed reversal opens with the restored key');
      const store = new PaymentStore(db, new Uint8Array(loadKeyFile(join(data, 'pan-hash.key'))));
      assert.deepEqual(store.list(0, Number.MAX_SAFE_INTEGER).map((p) => [p.reference, p.state, p.maskedPan]), [['order-1', 'completed', MASKED]]);
    } finally {
      db.close();
    }

    const again = await cli(['backup', 'restore', r.copy.file]);
    assert.equal(again.code, 2);
    assert.match(again.err.join('\n'), /BACKUP_TARGET_NOT_EMPTY/);
    const forced = await cli(['backup', 'restore', r.copy.file, '--force', '--json']);
    assert.equal(forced.code, 0, forced.err.join('\n'));
    const aside = json<{ keptAside: string[] }>(forced).keptAside;
    assert.ok(aside.some((f) => /^journal\.db\.before-restore-.*Z$/.test(f)) && aside.every((f) => existsSync(join(data, f))), 'the journal that was there is kept aside');
    assert.deepEqual(rows(data), before);
  });

  test('restore is refused while a live process holds the data directory; nothing is touched', async () => {
    const file = join(share, readdirSync(share).sort().at(-1) ?? '');
    const journalBefore = readFileSync(join(data, 'journal.db'));
    const filesBefore = readdirSync(data).sort();
    const lease = acquireLease(hostLeasePath(data), 'posbridge daemon');
    try {
      const r = await cli(['backup', 'restore', file, '--force']);
      assert.equal(r.code, 2);
      assert.match(r.err.join('\n'), /BACKUP_TARGET_IN_USE: .* in use by process \d+/);
    } finally {
      lease.release();
    }
    assert.ok(readFileSync(join(data, 'journal.db')).equals(journalBefore));
    assert.deepEqual(readdirSync(data).sort(), filesBefore, 'nothing set aside, nothing written');
  });

  test('verify catches a changed byte, a cut file, another key, a missing key and a newer schema', async () => {
    const made = json<{ backup: string }>(await cli(['backup', 'now', '--json']));
    const good = readFileSync(made.backup);
    const bad = (name: string, b: Buffer): string => {
      const f = join(root, name);
      writeFileSync(f, b);
      return f;
    };
    for (const at of [9, 12, 60, Math.floor(good.length / 2), good.length - 1]) {
      const flipped = Buffer.from(good);
      flipped[at] ^= 0x01;
      const r = await cli(['backup', 'verify', bad(`flip-${at}`, flipped)]);
      assert.equal(r.code, 1, `byte ${at}`);
      assert.match(r.err.join('\n'), /BACKUP_CORRUPT/);
    }
    assert.match((await cli(['backup', 'verify', bad('cut', good.subarray(0, good.length - 100))])).err.join('\n'), /BACKUP_CORRUPT/);
    const otherKey = join(root, 'other.key');
    writeFileSync(otherKey, randomBytes(32));
    const wrong = await cli(['backup', 'verify', made.backup, '--key', otherKey]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err.join('\n'), /BACKUP_KEY_WRONG/);
    const missing = await cli(['backup', 'restore', made.backup, '--key', join(root, 'nowhere.key'), '--data-dir', join(root, 'fresh')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err.join('\n'), /BACKUP_KEY_MISSING/);
    assert.equal(existsSync(join(root, 'nowhere.key')), false, 'reading a backup never makes a key');

    // A journal written by a newer posbridge (one more migration than this one knows).
    const newer = join(root, 'newer');
    mkdirSync(newer);
    const raw = new Database(join(newer, 'journal.db'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const newerBackup = json<{ backup: string; schemaVersion: number }>(await cli(['backup', 'now', '--data-dir', newer, '--json']));
    assert.equal(newerBackup.schemaVersion, SCHEMA_VERSION + 1);
    const v = await cli(['backup', 'verify', newerBackup.backup]);
    assert.equal(v.code, 2);
    assert.match(v.err.join('\n'), /BACKUP_TOO_NEW/);
    const target = join(root, 'target');
    const r = await cli(['backup', 'restore', newerBackup.backup, '--data-dir', target]);
    assert.match(r.err.join('\n'), /BACKUP_TOO_NEW/);
    assert.equal(existsSync(join(target, 'journal.db')), false, 'nothing restored');
  });

  test('a backup of an older journal restores and is migrated forward', async () => {
    const older = join(root, 'older');
    mkdirSync(older);
    const raw = new Database(join(older, 'journal.db'));
    const at = SCHEMA_VERSION - 1;
    for (const m of MIGRATIONS.slice(0, at)) raw.exec(m);
    raw.pragma(`user_version = ${at}`);
    raw.close();
    const made = json<{ backup: string; schemaVersion: number }>(await cli(['backup', 'now', '--data-dir', older, '--json']));
    assert.equal(made.schemaVersion, at);
    const target = join(root, 'older-restored');
    const r = await cli(['backup', 'restore', made.backup, '--data-dir', target, '--json']);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual([json<{ backupSchemaVersion: number }>(r).backupSchemaVersion, json<{ schemaVersion: number }>(r).schemaVersion], [at, SCHEMA_VERSION]);
  });

  test('keep applies to the backups folder and to copyTo; a failed copy is reported and the local backup stands', async () => {
    const dir = join(root, 'kept');
    const copies = join(root, 'kept-share');
    for (let i = 0; i < 3; i++) assert.equal((await cli(['backup', 'now', '--dir', dir, '--copy-to', copies, '--keep', '2'])).code, 0);
    assert.equal(readdirSync(dir).length, 2);
    assert.deepEqual(readdirSync(copies), readdirSync(dir));
    // `journal backup` is the older name of `backup now`: encrypted the same way.
    const old = await cli(['journal', 'backup', '--dir', dir, '--keep', '2', '--json']);
    assert.equal(old.code, 0);
    assert.equal((await cli(['backup', 'verify', json<{ backup: string }>(old).backup])).code, 0);

    const notAFolder = join(root, 'a-file');
    writeFileSync(notAFolder, 'x');
    const r = await cli(['backup', 'now', '--dir', dir, '--copy-to', notAFolder, '--json']);
    assert.equal(r.code, 1);
    const out = json<{ backup: string; copy: { error: { code: string } } }>(r);
    assert.equal(out.copy.error.code, 'BACKUP_COPY_FAILED');
    assert.ok(existsSync(out.backup), 'the local backup was made');
    assert.match(r.err.join('\n'), /BACKUP_COPY_FAILED/);
  });

  test('an online backup through a read-only connection while another connection writes is one consistent state', async () => {
    const dir = join(root, 'busy');
    const db = openDatabase(join(dir, 'journal.db'));
    db.exec('CREATE TABLE filler (b BLOB); CREATE TABLE pairs (grp INTEGER, n INTEGER)');
    const fill = db.prepare('INSERT INTO filler VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 1000; i++) fill.run(randomBytes(4000));
    })();
    const pair = db.transaction((g: number) => {
      db.prepare('INSERT INTO pairs VALUES (?, 1)').run(g);
      db.prepare('INSERT INTO pairs VALUES (?, 2)').run(g);
    });
    let group = 0;
    let writing = true;
    let duringBackup = 0;
    const writer = (): void => {
      if (!writing) return;
      pair(group++);
      duringBackup++;
      setImmediate(writer);
    };
    const reader = openJournalForBackup(join(dir, 'journal.db'));
    const key = randomBytes(32);
    pair(group++);
    duringBackup = 0;
    setImmediate(writer);
    const made = await createBackup(reader, { dataDir: dir, files: [], dir: join(dir, 'backups'), keep: 1, key, now: new Date() });
    writing = false;
    reader.close();
    db.close();
    assert.ok(duringBackup > 0, 'the writer wrote while the backup ran');
    const journal = verifyBackup(readFileSync(made.file), key).entries.find((e) => e.name === 'journal.db');
    const copy = new Database(Buffer.from(journal?.data ?? []));
    const groups = copy.prepare('SELECT grp, COUNT(*) AS n FROM pairs GROUP BY grp').all() as { grp: number; n: number }[];
    copy.close();
    assert.ok(groups.length >= 1);
    assert.deepEqual(groups.filter((g) => g.n !== 2), [], 'no transaction is half in the backup');
    assert.deepEqual(groups.map((g) => g.grp), groups.map((_, i) => i), 'a prefix of the writes, without a gap');
  });
});
