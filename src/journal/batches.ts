import type { Db } from './database.js';
import type { Sealer } from './sealed.js';

/** A transaction counted in a settlement batch. */
export interface BatchItem {
  readonly ref: string;
  readonly kind: 'sale' | 'refund';
  /** Minor units. */
  readonly amount: number;
  /** ISO 4217 numeric, 3 digits. */
  readonly currency: string;
  readonly stan: string;
  readonly authCode: string | null;
  /** The packed authorisation request, sealed at rest (batch upload resends its data). */
  readonly request: Uint8Array;
}

/** Totals of one currency in a batch (ISO 8583 settlement fields 74/76/86/88). */
export interface CurrencyTotals {
  readonly currency: string;
  readonly salesCount: number;
  readonly salesAmount: number;
  readonly refundsCount: number;
  readonly refundsAmount: number;
  /** Sales and refunds later reversed (counted in the sales/refunds above too, as ISO 8583 fields 75–77/87–89 expect). */
  readonly salesReversedCount: number;
  readonly salesReversedAmount: number;
  readonly refundsReversedCount: number;
  readonly refundsReversedAmount: number;
}

/** The host's answer to a 0510 for one currency: its response code and the totals it sent back (null: none). */
export interface HostAnswer {
  readonly currency: string;
  readonly round: 'first' | 'final';
  readonly responseCode: string;
  readonly totals: Omit<CurrencyTotals, 'currency'> | null;
  /** Field 97 as the host sent it (C/D and 16 digits). */
  readonly net: string | null;
}

/** A batch row. */
export interface Batch {
  readonly id: number;
  readonly status: 'open' | 'settling' | 'closed';
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly attempts: number;
  readonly lastResult: string | null;
}

interface BatchRow {
  id: number;
  status: Batch['status'];
  opened_at: number;
  closed_at: number | null;
  attempts: number;
  last_result: string | null;
}

/** Settlement batches in the journal: one open batch collects approved sales and refunds until it settles. */
export class Batches {
  /** Binds to the journal and the sealer for stored requests. */
  constructor(
    private readonly db: Db,
    private readonly sealer: Sealer,
  ) {}

  /** The open batch, opened now when there is none (a settling batch stays apart until it closes). */
  open(now: number): Batch {
    const row = this.db.prepare(`SELECT * FROM batches WHERE status = 'open' ORDER BY id DESC LIMIT 1`).get() as BatchRow | undefined;
    if (row) return toBatch(row);
    const r = this.db.prepare(`INSERT INTO batches (status, opened_at) VALUES ('open', ?)`).run(now);
    return this.get(Number(r.lastInsertRowid)) as Batch;
  }

  /** Adds a completed transaction to the open batch (once per ref and kind). */
  record(item: BatchItem, now: number): void {
    const batch = this.open(now);
    this.db
      .prepare(`INSERT OR IGNORE INTO batch_items (batch_id, ref, kind, amount, currency, stan, auth_code, created_at, request) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(batch.id, item.ref, item.kind, item.amount, item.currency, item.stan, item.authCode, now, Buffer.from(this.sealer.seal(item.request)));
  }

  /** Marks the transaction reversed: it stays listed but counts as a reversal. */
  markReversed(ref: string, kind: 'sale' | 'refund'): void {
    this.db.prepare(`UPDATE batch_items SET reversed = 1 WHERE ref = ? AND kind = ?`).run(ref, kind);
  }

  /** Totals per currency of a batch. */
  totals(batchId: number): CurrencyTotals[] {
    const rows = this.db
      .prepare(
        `SELECT currency,
           SUM(kind = 'sale') AS sc, COALESCE(SUM(CASE WHEN kind = 'sale' THEN amount END), 0) AS sa,
           SUM(kind = 'refund') AS rc, COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount END), 0) AS ra,
           SUM(kind = 'sale' AND reversed = 1) AS svc, COALESCE(SUM(CASE WHEN kind = 'sale' AND reversed = 1 THEN amount END), 0) AS sva,
           SUM(kind = 'refund' AND reversed = 1) AS rvc, COALESCE(SUM(CASE WHEN kind = 'refund' AND reversed = 1 THEN amount END), 0) AS rva
         FROM batch_items WHERE batch_id = ? GROUP BY currency ORDER BY currency`,
      )
      .all(batchId) as { currency: string; sc: number; sa: number; rc: number; ra: number; svc: number; sva: number; rvc: number; rva: number }[];
    return rows.map((r) => ({
      currency: r.currency,
      salesCount: r.sc,
      salesAmount: r.sa,
      refundsCount: r.rc,
      refundsAmount: r.ra,
      salesReversedCount: r.svc,
      salesReversedAmount: r.sva,
      refundsReversedCount: r.rvc,
      refundsReversedAmount: r.rva,
    }));
  }

  /** The unreversed items of a batch with their requests opened, oldest first (for batch upload). */
  items(batchId: number): (BatchItem & { reversed: boolean })[] {
    const rows = this.db.prepare(`SELECT * FROM batch_items WHERE batch_id = ? ORDER BY id`).all(batchId) as {
      ref: string;
      kind: 'sale' | 'refund';
      amount: number;
      currency: string;
      stan: string;
      auth_code: string | null;
      reversed: number;
      request: Buffer;
    }[];
    return rows.map((r) => ({
      ref: r.ref,
      kind: r.kind,
      amount: r.amount,
      currency: r.currency,
      stan: r.stan,
      authCode: r.auth_code,
      reversed: r.reversed === 1,
      request: this.sealer.open(new Uint8Array(r.request)),
    }));
  }

  /** The unreversed item of `ref` in a batch not yet closed, with its request opened; null when there is none. */
  findOpen(ref: string): (BatchItem & { readonly batchId: number }) | null {
    const row = this.db
      .prepare(`SELECT i.*, b.id AS bid FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE i.ref = ? AND i.reversed = 0 AND b.status != 'closed' ORDER BY i.id DESC LIMIT 1`)
      .get(ref) as { bid: number; ref: string; kind: 'sale' | 'refund'; amount: number; currency: string; stan: string; auth_code: string | null; request: Buffer } | undefined;
    if (!row) return null;
    return { batchId: row.bid, ref: row.ref, kind: row.kind, amount: row.amount, currency: row.currency, stan: row.stan, authCode: row.auth_code, request: this.sealer.open(new Uint8Array(row.request)) };
  }

  /** The currencies of a batch the host already agreed to, with the response code it gave. */
  agreedCurrencies(batchId: number): Map<string, string> {
    const rows = this.db.prepare(`SELECT currency, response_code FROM batch_currencies WHERE batch_id = ?`).all(batchId) as { currency: string; response_code: string }[];
    return new Map(rows.map((r) => [r.currency, r.response_code]));
  }

  /** Records, as soon as the host answered, that it agreed to one currency's totals of a batch. */
  agree(batchId: number, currency: string, responseCode: string, now: number): void {
    this.db.prepare(`INSERT OR IGNORE INTO batch_currencies (batch_id, currency, response_code, agreed_at) VALUES (?, ?, ?, ?)`).run(batchId, currency, responseCode, now);
  }

  /**
   * Records the totals the host answered in a 0510 for one currency of a batch: round 'first' (before a batch
   * upload) or 'final' (after it); a later attempt's answer replaces an earlier one of the same round. `totals` null
   * when the host sent no totals fields.
   */
  hostAnswer(batchId: number, currency: string, round: 'first' | 'final', responseCode: string, totals: Omit<CurrencyTotals, 'currency'> | null, net: string | null, now: number): void {
    const t = totals;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO batch_host_totals (batch_id, currency, round, response_code, sales_count, sales_amount, refunds_count, refunds_amount,
           sales_reversed_count, sales_reversed_amount, refunds_reversed_count, refunds_reversed_amount, net, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(batchId, currency, round, responseCode, t?.salesCount ?? null, t?.salesAmount ?? null, t?.refundsCount ?? null, t?.refundsAmount ?? null, t?.salesReversedCount ?? null, t?.salesReversedAmount ?? null, t?.refundsReversedCount ?? null, t?.refundsReversedAmount ?? null, net, now);
  }

  /** The host's recorded 0510 answers of a batch, by currency and round. */
  hostAnswers(batchId: number): HostAnswer[] {
    const rows = this.db.prepare(`SELECT * FROM batch_host_totals WHERE batch_id = ? ORDER BY currency, round`).all(batchId) as Record<string, number | string | null>[];
    return rows.map((r) => ({
      currency: String(r.currency),
      round: r.round === 'final' ? 'final' : 'first',
      responseCode: String(r.response_code),
      totals:
        r.sales_count === null
          ? null
          : {
              salesCount: Number(r.sales_count),
              salesAmount: Number(r.sales_amount),
              refundsCount: Number(r.refunds_count),
              refundsAmount: Number(r.refunds_amount),
              salesReversedCount: Number(r.sales_reversed_count),
              salesReversedAmount: Number(r.sales_reversed_amount),
              refundsReversedCount: Number(r.refunds_reversed_count),
              refundsReversedAmount: Number(r.refunds_reversed_amount),
            },
      net: r.net === null ? null : String(r.net),
    }));
  }

  /** Records the host's answer to one uploaded item (0330): its response code and, when it said so, its own amount. */
  itemAnswer(batchId: number, ref: string, kind: 'sale' | 'refund', responseCode: string, hostAmount: number | null, now: number): void {
    this.db.prepare(`INSERT OR REPLACE INTO batch_item_answers (batch_id, ref, kind, response_code, host_amount, at) VALUES (?, ?, ?, ?, ?, ?)`).run(batchId, ref, kind, responseCode, hostAmount, now);
  }

  /** The host's answers to a batch's uploaded items. */
  itemAnswers(batchId: number): { ref: string; kind: 'sale' | 'refund'; responseCode: string; hostAmount: number | null }[] {
    return (this.db.prepare(`SELECT ref, kind, response_code, host_amount FROM batch_item_answers WHERE batch_id = ? ORDER BY rowid`).all(batchId) as { ref: string; kind: 'sale' | 'refund'; response_code: string; host_amount: number | null }[]).map((r) => ({
      ref: r.ref,
      kind: r.kind,
      responseCode: r.response_code,
      hostAmount: r.host_amount,
    }));
  }

  /** Batches closed in [from, to), and the ones still settling, oldest first. */
  settledIn(from: number, to: number): Batch[] {
    return (this.db.prepare(`SELECT * FROM batches WHERE (status = 'closed' AND closed_at >= ? AND closed_at < ?) OR status = 'settling' ORDER BY id`).all(from, to) as BatchRow[]).map(toBatch);
  }

  /** The STAN the host knows the latest unreversed batch item of `ref` by (the simulator's ledger key); null when none. */
  stanOf(ref: string): string | null {
    const row = this.db.prepare(`SELECT stan FROM batch_items WHERE ref = ? AND reversed = 0 ORDER BY id DESC LIMIT 1`).get(ref) as { stan: string } | undefined;
    return row?.stan ?? null;
  }

  /** Moves a batch to settling (new transactions go to a new open batch) and counts the attempt. */
  startSettling(batchId: number): void {
    this.db.prepare(`UPDATE batches SET status = 'settling', attempts = attempts + 1 WHERE id = ? AND status IN ('open', 'settling')`).run(batchId);
  }

  /** Records how the last settlement attempt went, without closing. */
  note(batchId: number, result: string): void {
    this.db.prepare(`UPDATE batches SET last_result = ? WHERE id = ?`).run(result, batchId);
  }

  /** Closes a batch the host agreed to. */
  close(batchId: number, now: number, result: string): void {
    this.db.prepare(`UPDATE batches SET status = 'closed', closed_at = ?, last_result = ? WHERE id = ?`).run(now, result, batchId);
  }

  /** The batch waiting to settle: an unfinished settling one first, else the open one; null when none. */
  toSettle(): Batch | null {
    const row = this.db.prepare(`SELECT * FROM batches WHERE status IN ('settling', 'open') ORDER BY status = 'open', id LIMIT 1`).get() as BatchRow | undefined;
    return row ? toBatch(row) : null;
  }

  /** One batch. */
  get(id: number): Batch | null {
    const row = this.db.prepare(`SELECT * FROM batches WHERE id = ?`).get(id) as BatchRow | undefined;
    return row ? toBatch(row) : null;
  }
}

function toBatch(r: BatchRow): Batch {
  return { id: r.id, status: r.status, openedAt: r.opened_at, closedAt: r.closed_at, attempts: r.attempts, lastResult: r.last_result };
}
