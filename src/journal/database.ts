import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { JournalError } from './errors.js';

/** The SQLite handle type the journal modules share. */
export type Db = Database.Database;

/**
 * Schema migrations, in order; `PRAGMA user_version` records how many ran. Never edit a shipped migration: add one.
 * 1: counters (STAN, RRN) and the host queue (reversals and advices, payloads sealed).
 * 2: settlement batches and their items (the original request sealed, for batch upload).
 * 3: API clients: name, role and the SHA-256 of their token (the token itself is never stored).
 * 4: payments (state machine, masked PAN and keyed hash only) and their append-only event log.
 * 5: the EMV facts a receipt shows: application label, TVR, TSI.
 * 6: approved pre-authorisations awaiting capture (the request sealed, without track or PIN data).
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE host_queue (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL CHECK (kind IN ('reversal', 'advice')),
     ref TEXT NOT NULL,
     mti TEXT NOT NULL,
     payload BLOB NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('armed', 'pending', 'in-flight', 'done', 'disarmed', 'manual')),
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     last_error TEXT,
     done_at INTEGER,
     reason TEXT
   );
   CREATE INDEX host_queue_due ON host_queue (status, next_attempt_at, id);
   CREATE INDEX host_queue_ref ON host_queue (ref);`,
  `CREATE TABLE batches (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     status TEXT NOT NULL CHECK (status IN ('open', 'settling', 'closed')),
     opened_at INTEGER NOT NULL,
     closed_at INTEGER,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_result TEXT
   );
   CREATE TABLE batch_items (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     batch_id INTEGER NOT NULL REFERENCES batches (id),
     ref TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
     amount INTEGER NOT NULL,
     currency TEXT NOT NULL,
     stan TEXT NOT NULL,
     auth_code TEXT,
     reversed INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     request BLOB NOT NULL
   );
   CREATE INDEX batch_items_batch ON batch_items (batch_id);
   CREATE UNIQUE INDEX batch_items_ref ON batch_items (ref, kind);`,
  `CREATE TABLE api_clients (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'admin')),
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER,
     last_seen_at INTEGER
   );`,
  `CREATE TABLE payments (
     id TEXT PRIMARY KEY,
     reference TEXT NOT NULL UNIQUE,
     lane TEXT NOT NULL,
     type TEXT NOT NULL CHECK (type IN ('sale', 'refund', 'preauth')),
     amount INTEGER NOT NULL CHECK (amount > 0),
     currency TEXT NOT NULL,
     state TEXT NOT NULL,
     result TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     masked_pan TEXT,
     pan_hash TEXT,
     aid TEXT,
     scheme TEXT,
     cvm TEXT,
     auth_code TEXT,
     response_code TEXT,
     reversal_id INTEGER,
     reason TEXT
   );
   CREATE INDEX payments_lane_state ON payments (lane, state);
   CREATE INDEX payments_created ON payments (created_at);
   CREATE INDEX payments_pan_hash ON payments (pan_hash);
   CREATE TABLE payment_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     payment_id TEXT NOT NULL REFERENCES payments (id),
     at INTEGER NOT NULL,
     state TEXT NOT NULL,
     detail TEXT
   );
   CREATE INDEX payment_events_payment ON payment_events (payment_id, id);
   CREATE TRIGGER payment_events_append_only_u BEFORE UPDATE ON payment_events BEGIN SELECT RAISE(ABORT, 'payment events are append-only'); END;
   CREATE TRIGGER payment_events_append_only_d BEFORE DELETE ON payment_events BEGIN SELECT RAISE(ABORT, 'payment events are append-only'); END;`,
  `ALTER TABLE payments ADD COLUMN label TEXT;
   ALTER TABLE payments ADD COLUMN tvr TEXT;
   ALTER TABLE payments ADD COLUMN tsi TEXT;`,
  `CREATE TABLE preauthorizations (
     ref TEXT PRIMARY KEY,
     amount INTEGER NOT NULL,
     currency TEXT NOT NULL,
     auth_code TEXT,
     request BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     captured_amount INTEGER,
     captured_at INTEGER
   );`,
  `CREATE TABLE receipt_prints (
     payment_id TEXT NOT NULL REFERENCES payments (id),
     copy TEXT NOT NULL CHECK (copy IN ('customer', 'merchant')),
     prints INTEGER NOT NULL,
     last_at INTEGER NOT NULL,
     PRIMARY KEY (payment_id, copy)
   );`,
  `CREATE TABLE print_jobs (
     id INTEGER PRIMARY KEY,
     payment_id TEXT NOT NULL REFERENCES payments (id),
     copy TEXT NOT NULL CHECK (copy IN ('customer', 'merchant')),
     state TEXT NOT NULL CHECK (state IN ('pending', 'printed', 'unconfirmed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX print_jobs_pending ON print_jobs (state, id);`,
  // Lanes print on printers of their own: each queue is per printer (jobs from before are the "default" printer's).
  `ALTER TABLE print_jobs ADD COLUMN printer TEXT NOT NULL DEFAULT 'default';
   CREATE INDEX print_jobs_printer_pending ON print_jobs (printer, state, id);`,
  // Swiped cards: how the card was read (chip, swiped, fallback) for receipts and the API.
  `ALTER TABLE payments ADD COLUMN entry_mode TEXT CHECK (entry_mode IN ('chip', 'swiped', 'fallback'));`,
  // Settlement is per currency: the currencies of a batch the host already agreed to (never reconciled twice).
  `CREATE TABLE batch_currencies (
     batch_id INTEGER NOT NULL REFERENCES batches (id),
     currency TEXT NOT NULL,
     response_code TEXT NOT NULL,
     agreed_at INTEGER NOT NULL,
     PRIMARY KEY (batch_id, currency)
   );`,
  // One terminal identity: the terminal id (config merchant.terminalId, field 41, 9F1C) each payment ran under.
  `ALTER TABLE payments ADD COLUMN terminal_id TEXT;`,
  // A tap: entry_mode stays 'chip' (EMV data from the card; its CHECK predates contactless and SQLite cannot widen a
  // CHECK without rebuilding the table the receipts and events refer to), the interface says contactless.
  `ALTER TABLE payments ADD COLUMN card_interface TEXT CHECK (card_interface IN ('contact', 'contactless'));`,
  // Who took the payment: the API client's name (the cashier) for reports and shifts; null for nexo and the CLI.
  `ALTER TABLE payments ADD COLUMN cashier TEXT;
   CREATE INDEX payments_lane_created ON payments (lane, created_at);`,
  // Reconciliation, line by line: the totals the host answered in each 0510 (round 'first' before a batch upload,
  // 'final' after it) and its answer to each uploaded item (0330), for the report (docs/reports.md, docs/host.md).
  `CREATE TABLE batch_host_totals (
     batch_id INTEGER NOT NULL REFERENCES batches (id),
     currency TEXT NOT NULL,
     round TEXT NOT NULL CHECK (round IN ('first', 'final')),
     response_code TEXT NOT NULL,
     sales_count INTEGER,
     sales_amount INTEGER,
     refunds_count INTEGER,
     refunds_amount INTEGER,
     sales_reversed_count INTEGER,
     sales_reversed_amount INTEGER,
     refunds_reversed_count INTEGER,
     refunds_reversed_amount INTEGER,
     net TEXT,
     at INTEGER NOT NULL,
     PRIMARY KEY (batch_id, currency, round)
   );
   CREATE TABLE batch_item_answers (
     batch_id INTEGER NOT NULL REFERENCES batches (id),
     ref TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
     response_code TEXT NOT NULL,
     host_amount INTEGER,
     at INTEGER NOT NULL,
     PRIMARY KEY (batch_id, ref, kind)
   );`,
  // The print queue prints documents that are not a payment's receipt (the day report, a shift's totals): a job is
  // of kind 'receipt' (payment and copy) or 'document' (its receiptline text and a title). SQLite cannot drop a NOT
  // NULL, so the table is rebuilt with every job kept as a receipt job.
  `CREATE TABLE print_jobs_v2 (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL DEFAULT 'receipt' CHECK (kind IN ('receipt', 'document')),
     payment_id TEXT REFERENCES payments (id),
     copy TEXT CHECK (copy IN ('customer', 'merchant')),
     document TEXT,
     title TEXT,
     state TEXT NOT NULL CHECK (state IN ('pending', 'printed', 'unconfirmed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     printer TEXT NOT NULL DEFAULT 'default',
     CHECK ((kind = 'receipt' AND payment_id IS NOT NULL AND copy IS NOT NULL) OR (kind = 'document' AND document IS NOT NULL))
   );
   INSERT INTO print_jobs_v2 (id, kind, payment_id, copy, state, attempts, last_error, created_at, updated_at, printer)
     SELECT id, 'receipt', payment_id, copy, state, attempts, last_error, created_at, updated_at, printer FROM print_jobs;
   DROP TABLE print_jobs;
   ALTER TABLE print_jobs_v2 RENAME TO print_jobs;
   CREATE INDEX print_jobs_pending ON print_jobs (state, id);
   CREATE INDEX print_jobs_printer_pending ON print_jobs (printer, state, id);`,
  // Shifts: a cashier (API client name) works a lane from open to close; one open shift per lane and cashier.
  `CREATE TABLE shifts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     lane TEXT NOT NULL,
     cashier TEXT NOT NULL,
     opened_at INTEGER NOT NULL,
     closed_at INTEGER,
     closed_by TEXT CHECK (closed_by IN ('cashier', 'settlement'))
   );
   CREATE UNIQUE INDEX shifts_one_open ON shifts (lane, cashier) WHERE closed_at IS NULL;`,
  // Invoice requests (docs/invoices.md): the buyer and the exact body sent (masked PAN only), delivered through a
  // durable queue with one idempotency key each; one live request per payment (a new one only after a permanent
  // failure).
  `CREATE TABLE invoice_requests (
     id TEXT PRIMARY KEY,
     payment_id TEXT NOT NULL REFERENCES payments (id),
     idempotency_key TEXT NOT NULL UNIQUE,
     buyer_name TEXT NOT NULL,
     buyer_tax_id TEXT,
     buyer_email TEXT,
     body TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'failed-permanent')),
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error TEXT,
     invoice_number TEXT,
     created_at INTEGER NOT NULL,
     delivered_at INTEGER
   );
   CREATE UNIQUE INDEX invoice_requests_live ON invoice_requests (payment_id) WHERE state <> 'failed-permanent';
   CREATE INDEX invoice_requests_due ON invoice_requests (state, next_attempt_at);`,
];

/** Opens (creating) the journal database: WAL, full sync on commit, foreign keys, migrations applied. */
export function openDatabase(path: string): Db {
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    // Masked PANs, PAN hashes and the host queue: readable by the daemon's user only (WAL and SHM files follow the
    // database file's mode). Windows: the data directory's ACL decides.
    if (path !== ':memory:' && process.platform !== 'win32') chmodSync(path, 0o600);
  } catch (err) {
    throw new JournalError('JOURNAL_OPEN_FAILED', `cannot open the journal at ${path}: ${err instanceof Error ? err.message : String(err)}`, { path }, err);
  }
  try {
    // Another program holding the journal locked is said within half a second, not after the 5 s busy wait.
    db.pragma('busy_timeout = 500');
    // WAL with synchronous=FULL: a committed state survives power loss, which the payment rules depend on.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    const busy = typeof err === 'object' && err !== null && /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown }).code ?? (err as { cause?: { code?: unknown } }).cause?.code));
    if (busy) throw new JournalError('JOURNAL_LOCKED', `the journal ${path} is locked by another program: stop it (or the other posbridge) first`, { path }, err);
    throw err;
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The journal schema version this build writes (the number of migrations it knows). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the migrations not yet applied, each in its own transaction. Migrations only go forward: a journal written
 * by a newer posbridge (a higher schema version) stops with JOURNAL_TOO_NEW and is left untouched.
 */
export function migrate(db: Db): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length) {
    throw new JournalError(
      'JOURNAL_TOO_NEW',
      `the journal has schema version ${current}, written by a newer posbridge; this one knows up to ${MIGRATIONS.length}: install that newer version again (never run an older one on it)`,
      { schemaVersion: current, known: MIGRATIONS.length },
    );
  }
  for (let i = current; i < MIGRATIONS.length; i++) {
    try {
      db.transaction(() => {
        db.exec(MIGRATIONS[i]);
        db.pragma(`user_version = ${i + 1}`);
      })();
    } catch (err) {
      throw new JournalError('JOURNAL_MIGRATION_FAILED', `migration ${i + 1} failed: ${err instanceof Error ? err.message : String(err)}`, { migration: i + 1 }, err);
    }
  }
}
