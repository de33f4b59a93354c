import type { Db } from './database.js';
import type { Sealer } from './sealed.js';
import { JournalError } from './errors.js';

/** A queued host message: a reversal (0400/0421) or an advice (0220/0221). */
export type QueueKind = 'reversal' | 'advice';

/**
 * Lifecycle: `armed` (a reversal written before its authorisation request leaves: if we crash before the answer is
 * stored, it goes out), `pending` (due), `in-flight` (sent, awaiting the answer), `done`, `disarmed` (not needed:
 * the authorisation ended cleanly), `manual` (expired or over the retry limit: for a person, never dropped).
 */
export type QueueStatus = 'armed' | 'pending' | 'in-flight' | 'done' | 'disarmed' | 'manual';

/** One item, with its message opened. */
export interface QueueItem {
  readonly id: number;
  readonly kind: QueueKind;
  readonly ref: string;
  readonly mti: string;
  readonly message: Uint8Array;
  readonly status: QueueStatus;
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAttemptAt: number;
  readonly expiresAt: number;
  readonly lastError: string | null;
  readonly reason: string | null;
}

interface Row {
  id: number;
  kind: QueueKind;
  ref: string;
  mti: string;
  payload: Buffer;
  status: QueueStatus;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  expires_at: number;
  last_error: string | null;
  reason: string | null;
}

/**
 * The durable store-and-forward queue (reversals and advices) in the journal. FIFO by id; every change is committed
 * before the method returns, so the worker's next step can rely on it after a crash.
 */
export class HostQueue {
  /** Binds the queue to the database and the sealer for payloads. */
  constructor(
    private readonly db: Db,
    private readonly sealer: Sealer,
  ) {}

  /** Seals bytes with the queue's key (other journal tables keep card data the same way). */
  seal(plain: Uint8Array): Uint8Array {
    return this.sealer.seal(plain);
  }

  /** Opens bytes sealed with the queue's key. */
  open(sealed: Uint8Array): Uint8Array {
    return this.sealer.open(sealed);
  }

  /** Writes an armed reversal for `ref` before its request is sent; returns its id. */
  arm(ref: string, mti: string, message: Uint8Array, now: number, ttlMs: number): number {
    return this.insert('reversal', ref, mti, message, 'armed', now, ttlMs);
  }

  /** Queues an item as due now (advices, and reversals decided at once). */
  enqueue(kind: QueueKind, ref: string, mti: string, message: Uint8Array, now: number, ttlMs: number, reason?: string): number {
    return this.insert(kind, ref, mti, message, 'pending', now, ttlMs, reason);
  }

  /** The authorisation ended cleanly: the armed reversal is not needed. */
  disarm(id: number): void {
    // Nothing left to send: the card data in the payload goes (PCI DSS 3.2: keep it no longer than needed).
    this.db.prepare(`UPDATE host_queue SET status = 'disarmed', done_at = ?, payload = x'' WHERE id = ? AND status = 'armed'`).run(Date.now(), id);
  }

  /** Makes an armed reversal due now, with the trigger as its reason. */
  fire(id: number, reason: string, now: number): void {
    this.db.prepare(`UPDATE host_queue SET status = 'pending', next_attempt_at = ?, reason = ? WHERE id = ? AND status = 'armed'`).run(now, reason, id);
  }

  /**
   * After a restart: armed reversals (request sent, answer never stored) and items left in flight become due.
   * Returns how many were recovered.
   */
  recover(now: number): number {
    const r1 = this.db.prepare(`UPDATE host_queue SET status = 'pending', next_attempt_at = ?, reason = COALESCE(reason, 'restart: no stored answer') WHERE status = 'armed'`).run(now);
    const r2 = this.db.prepare(`UPDATE host_queue SET status = 'pending', next_attempt_at = ? WHERE status = 'in-flight'`).run(now);
    return r1.changes + r2.changes;
  }

  /**
   * The oldest pending item (FIFO); null when none is due at `now` or the head is not yet due. A head whose payload
   * cannot be opened (another key file) is flagged manual so it never blocks the queue.
   */
  nextDue(now: number): QueueItem | null {
    for (;;) {
      const row = this.db.prepare(`SELECT * FROM host_queue WHERE status IN ('pending', 'in-flight') ORDER BY id LIMIT 1`).get() as Row | undefined;
      if (!row || row.status === 'in-flight' || row.next_attempt_at > now) return null;
      try {
        return this.item(row);
      } catch (err) {
        if (!(err instanceof JournalError)) throw err;
        this.markManual(row.id, `unreadable payload: ${err.message}`);
      }
    }
  }

  /** Marks an item sent; counts the attempt. */
  markInFlight(id: number): void {
    this.db.prepare(`UPDATE host_queue SET status = 'in-flight', attempts = attempts + 1 WHERE id = ?`).run(id);
  }

  /** The host answered: done. */
  markDone(id: number, now: number): void {
    this.db.prepare(`UPDATE host_queue SET status = 'done', done_at = ?, payload = x'' WHERE id = ?`).run(now, id);
  }

  /** Try again at `nextAt`, keeping the item at the head of the queue. */
  markRetry(id: number, nextAt: number, error: string): void {
    this.db.prepare(`UPDATE host_queue SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?`).run(nextAt, error, id);
  }

  /** Expired or over its retry limit: flagged for a person. */
  markManual(id: number, why: string): void {
    this.db.prepare(`UPDATE host_queue SET status = 'manual', last_error = ? WHERE id = ?`).run(why, id);
  }

  /** Items by status (all when none given), oldest first; a payload that cannot be opened is listed empty. */
  list(statuses?: readonly QueueStatus[]): QueueItem[] {
    const rows = (statuses?.length
      ? this.db.prepare(`SELECT * FROM host_queue WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY id`).all(...statuses)
      : this.db.prepare(`SELECT * FROM host_queue ORDER BY id`).all()) as Row[];
    return rows.map((r) => {
      try {
        return this.item(r);
      } catch (err) {
        if (!(err instanceof JournalError)) throw err;
        return this.item({ ...r, payload: Buffer.alloc(0) });
      }
    });
  }

  /** The statuses of `ref`'s items of one kind, oldest first (no payload is opened). */
  statusesOf(ref: string, kind: QueueKind): QueueStatus[] {
    return (this.db.prepare(`SELECT status FROM host_queue WHERE ref = ? AND kind = ? ORDER BY id`).all(ref, kind) as { status: QueueStatus }[]).map((r) => r.status);
  }

  /** One item by id. */
  get(id: number): QueueItem | null {
    const row = this.db.prepare(`SELECT * FROM host_queue WHERE id = ?`).get(id) as Row | undefined;
    return row ? this.item(row) : null;
  }

  private insert(kind: QueueKind, ref: string, mti: string, message: Uint8Array, status: QueueStatus, now: number, ttlMs: number, reason?: string): number {
    const r = this.db
      .prepare(`INSERT INTO host_queue (kind, ref, mti, payload, status, created_at, next_attempt_at, expires_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(kind, ref, mti, Buffer.from(this.sealer.seal(message)), status, now, now, now + ttlMs, reason ?? null);
    return Number(r.lastInsertRowid);
  }

  private item(r: Row): QueueItem {
    return {
      id: r.id,
      kind: r.kind,
      ref: r.ref,
      mti: r.mti,
      message: r.payload.length === 0 ? new Uint8Array(0) : this.sealer.open(new Uint8Array(r.payload)),
      status: r.status,
      attempts: r.attempts,
      createdAt: r.created_at,
      nextAttemptAt: r.next_attempt_at,
      expiresAt: r.expires_at,
      lastError: r.last_error,
      reason: r.reason,
    };
  }
}
