import { failpoint } from '../util/failpoint.js';
import { createHmac, randomUUID } from 'node:crypto';
import { schemeOfPayment } from '../emv/scheme.js';
import type { Db } from '../journal/database.js';
import { maskPan } from '../log/redact.js';
import { PaymentError } from './errors.js';
import { canMove, FINAL_STATES, recoveryTarget, type PaymentState } from './states.js';

/** What the cashier app asked for. */
export interface NewPayment {
  readonly lane: string;
  readonly type: 'sale' | 'refund' | 'preauth';
  /** Minor units. */
  readonly amount: number;
  /** ISO 4217 numeric, 3 digits. */
  readonly currency: string;
  /** The caller's unique id: the same reference twice is the same payment. */
  readonly reference: string;
  /** The API client (cashier) that started it; null or absent for nexo and the CLI. */
  readonly cashier?: string | null;
}

/** A payment as stored (no full PAN, ever). */
export interface Payment extends NewPayment {
  readonly id: string;
  readonly state: PaymentState;
  readonly result: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly maskedPan: string | null;
  readonly aid: string | null;
  readonly scheme: string | null;
  readonly cvm: string | null;
  readonly authCode: string | null;
  readonly responseCode: string | null;
  readonly reversalId: number | null;
  readonly reason: string | null;
  readonly label: string | null;
  readonly tvr: string | null;
  readonly tsi: string | null;
  /** How the card was read: "chip", "swiped" or "fallback" (swiped after the chip failed); null before. */
  readonly entryMode: EntryMode | null;
  /** The terminal id (config merchant.terminalId) the payment ran under; null for rows from before it was kept. */
  readonly terminalId: string | null;
  /** The API client's name that started it (the cashier); null when started another way. */
  readonly cashier: string | null;
}

/** How a payment's card was read. */
export type EntryMode = 'chip' | 'contactless' | 'swiped' | 'fallback';

/** Fields a transition may set along with the state. */
export interface PaymentUpdate {
  readonly result?: string;
  readonly pan?: string;
  readonly aid?: string;
  readonly scheme?: string;
  readonly cvm?: string;
  readonly authCode?: string;
  readonly responseCode?: string;
  readonly reversalId?: number;
  readonly reason?: string;
  readonly label?: string;
  readonly tvr?: string;
  readonly tsi?: string;
  readonly entryMode?: EntryMode;
}

/** One committed change of a payment, as its listeners hear it (after the commit, in commit order). */
export interface PaymentChange {
  /** The payment as it was right after this change (a later change in the same transaction is its own entry). */
  readonly payment: Payment;
  /**
   * 'state': it moved to `payment.state`; the others are events that change no state: 'captured' (a
   * pre-authorisation's capture, `capturedAmount`), 'reversal-manual' (its reversal was flagged for a person), 'note'.
   */
  readonly kind: 'state' | NoteKind;
  /** Minor units, for 'captured'. */
  readonly capturedAmount?: number;
  /** The state it left (kind 'state'); for a note, its state. */
  readonly from: PaymentState;
  /** The event's words (the reason, result or note). */
  readonly detail: string | null;
}

/** What a note (an event with no state change) is about. */
export type NoteKind = 'captured' | 'reversal-manual' | 'note';

interface Row {
  id: string;
  reference: string;
  lane: string;
  type: Payment['type'];
  amount: number;
  currency: string;
  state: PaymentState;
  result: string | null;
  created_at: number;
  updated_at: number;
  masked_pan: string | null;
  aid: string | null;
  scheme: string | null;
  cvm: string | null;
  auth_code: string | null;
  response_code: string | null;
  reversal_id: number | null;
  reason: string | null;
  label: string | null;
  tvr: string | null;
  tsi: string | null;
  entry_mode: Exclude<EntryMode, 'contactless'> | null;
  card_interface: 'contact' | 'contactless' | null;
  terminal_id: string | null;
  cashier: string | null;
}

/**
 * Payments in the journal: each state committed (with an append-only event) before the step it announces.
 * Idempotent by reference; one payment in progress per lane; PANs stored only masked plus a keyed hash (HMAC-SHA256
 * under the shop's key) so a card's payments can be found without storing its number.
 */
export class PaymentStore {
  /** Binds to the journal, the PAN look-up key and the terminal id each new payment is recorded under. */
  constructor(
    private readonly db: Db,
    private readonly panKey: Uint8Array,
    private readonly terminalId: string | null = null,
  ) {}

  private readonly committed: PaymentChange[] = [];
  private finalHook: ((p: Payment) => void) | null = null;
  private readonly listeners = new Set<(c: PaymentChange) => void>();
  /** Changes committed but not yet told, in order; a listener's own change waits for the one being told. */
  private readonly toTell: PaymentChange[] = [];
  private telling = false;

  /**
   * Calls `fn` after the commit of every state change and note of any payment (not creations), whoever made it:
   * the lane's flow, the API, the store-and-forward outcome, recovery. Returns the unsubscribe function. A
   * listener's failure goes to `onListenerError` (or is rethrown when unset); it never rolls anything back.
   */
  onChange(fn: (c: PaymentChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Where a listener's failure goes (the daemon logs it); unset, the failure is thrown to the caller of move. */
  onListenerError: ((err: unknown, c: PaymentChange) => void) | null = null;

  /**
   * Runs `fn` inside the transaction that moves a payment to completed or declined, so what it writes (the receipts
   * to print) commits with the state or not at all.
   */
  setFinalHook(fn: ((p: Payment) => void) | null): void {
    this.finalHook = fn;
  }

  /**
   * Creates the payment, or returns the existing one with the same reference (never a second charge).
   * PAYMENT_LANE_BUSY when another payment is in progress on the lane; PAYMENT_INVALID for a reference reused with
   * different details.
   */
  create(p: NewPayment, now: number): { payment: Payment; created: boolean } {
    const r = this.db.transaction(() => {
      const existing = this.byReference(p.reference);
      if (existing) {
        if (existing.lane !== p.lane || existing.amount !== p.amount || existing.currency !== p.currency || existing.type !== p.type) {
          throw new PaymentError('PAYMENT_INVALID', `reference ${p.reference} was already used for another payment`, { reference: p.reference });
        }
        return { payment: existing, created: false };
      }
      const busy = this.db.prepare(`SELECT id FROM payments WHERE lane = ? AND state NOT IN ('completed','declined','cancelled','failed','reversed','reversal-pending') LIMIT 1`).get(p.lane) as { id: string } | undefined;
      if (busy) throw new PaymentError('PAYMENT_LANE_BUSY', `lane ${p.lane} has a payment in progress`, { lane: p.lane, paymentId: busy.id });
      const id = randomUUID();
      this.db
        .prepare(`INSERT INTO payments (id, reference, lane, type, amount, currency, state, created_at, updated_at, terminal_id, cashier) VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?, ?, ?)`)
        .run(id, p.reference, p.lane, p.type, p.amount, p.currency, now, now, this.terminalId, p.cashier ?? null);
      this.event(id, 'created', now, null);
      return { payment: this.get(id), created: true };
    })();
    if (r.created) failpoint('payment:created');
    return r;
  }

  /** Moves a payment to `to`, atomically with its event; PAYMENT_STATE_CONFLICT when the move is not allowed. */
  move(id: string, to: PaymentState, now: number, update: PaymentUpdate = {}): Payment {
    const moved = this.db.transaction(() => {
      const p = this.get(id);
      if (!canMove(p.state, to)) throw new PaymentError('PAYMENT_STATE_CONFLICT', `payment ${id} cannot go from ${p.state} to ${to}`, { from: p.state, to });
      this.db
        .prepare(
          `UPDATE payments SET state = ?, updated_at = ?,
             result = COALESCE(?, result), masked_pan = COALESCE(?, masked_pan), pan_hash = COALESCE(?, pan_hash),
             aid = COALESCE(?, aid), scheme = COALESCE(?, scheme), cvm = COALESCE(?, cvm), auth_code = COALESCE(?, auth_code),
             response_code = COALESCE(?, response_code), reversal_id = COALESCE(?, reversal_id), reason = COALESCE(?, reason),
             label = COALESCE(?, label), tvr = COALESCE(?, tvr), tsi = COALESCE(?, tsi), entry_mode = COALESCE(?, entry_mode), card_interface = COALESCE(?, card_interface)
           WHERE id = ?`,
        )
        .run(
          to,
          now,
          update.result ?? null,
          update.pan ? maskPan(update.pan) : null,
          update.pan ? this.panHash(update.pan) : null,
          update.aid ?? null,
          schemeOfPayment({ scheme: update.scheme, aid: update.aid ?? null, maskedPan: update.pan ?? null }),
          update.cvm ?? null,
          update.authCode ?? null,
          update.responseCode ?? null,
          update.reversalId ?? null,
          update.reason ?? null,
          update.label ?? null,
          update.tvr ?? null,
          update.tsi ?? null,
          update.entryMode === 'contactless' ? 'chip' : (update.entryMode ?? null),
          update.entryMode === 'contactless' ? 'contactless' : update.entryMode === 'chip' ? 'contact' : null,
          id,
        );
      this.event(id, to, now, update.reason ?? update.result ?? null);
      const moved = this.get(id);
      if (this.finalHook && (to === 'completed' || to === 'declined')) this.finalHook(moved);
      return { moved, from: p.state };
    })();
    this.committed.push({ payment: moved.moved, kind: 'state', from: moved.from, detail: update.reason ?? update.result ?? null });
    if (!this.db.inTransaction) this.afterCommit();
    return moved.moved;
  }

  /**
   * Runs `fn` in one journal transaction: a payment's state and the host queue's matching change (disarm or fire of
   * its reversal, the batch record) commit together or not at all, so no crash can leave them disagreeing.
   */
  atomically<T>(fn: () => T): T {
    let r: T;
    try {
      r = this.db.transaction(fn)();
    } catch (err) {
      if (!this.db.inTransaction) this.committed.length = 0; // rolled back: those states were never committed
      throw err;
    }
    if (!this.db.inTransaction) this.afterCommit();
    return r;
  }

  /**
   * Changes committed since the last call: crash tests may stop the process right after each (failpoint); then the
   * listeners hear them, in commit order.
   */
  private afterCommit(): void {
    const changes = this.committed.splice(0);
    for (const c of changes) if (c.kind === 'state') failpoint(`payment:${c.payment.state}`);
    this.toTell.push(...changes);
    if (this.telling) return; // a listener's own change: told after the one in progress, so order is kept
    this.telling = true;
    try {
      for (let c = this.toTell.shift(); c; c = this.toTell.shift()) {
        for (const fn of this.listeners) {
          try {
            fn(c);
          } catch (err) {
            if (!this.onListenerError) throw err;
            this.onListenerError(err, c);
          }
        }
      }
    } finally {
      this.telling = false;
      this.toTell.length = 0;
    }
  }

  /** Appends an event that changes no state (e.g. the capture of a pre-authorisation); listeners hear it. */
  note(id: string, now: number, detail: string, about: { kind: 'captured'; amount: number } | { kind: 'reversal-manual' } | { kind: 'note' } = { kind: 'note' }): void {
    const p = this.get(id);
    this.event(id, p.state, now, detail);
    this.committed.push({ payment: p, kind: about.kind, from: p.state, detail, ...(about.kind === 'captured' ? { capturedAmount: about.amount } : {}) });
    if (!this.db.inTransaction) this.afterCommit();
  }

  /** The keyed hash of a PAN (look-ups by card without storing the number). */
  panHash(pan: string): string {
    return createHmac('sha256', this.panKey).update(pan.replace(/\D/g, '')).digest('hex');
  }

  /** One payment; PAYMENT_NOT_FOUND when there is none. */
  get(id: string): Payment {
    const row = this.db.prepare(`SELECT * FROM payments WHERE id = ?`).get(id) as Row | undefined;
    if (!row) throw new PaymentError('PAYMENT_NOT_FOUND', `no payment ${id}`, { paymentId: id });
    return toPayment(row);
  }

  /** The payment with this reference, or null. */
  byReference(reference: string): Payment | null {
    const row = this.db.prepare(`SELECT * FROM payments WHERE reference = ?`).get(reference) as Row | undefined;
    return row ? toPayment(row) : null;
  }

  /** Payments created in [from, to), oldest first. */
  list(from: number, to: number): Payment[] {
    return (this.db.prepare(`SELECT * FROM payments WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`).all(from, to) as Row[]).map(toPayment);
  }

  /** Payments in `state`, oldest first. */
  inState(state: PaymentState): Payment[] {
    return (this.db.prepare(`SELECT * FROM payments WHERE state = ? ORDER BY created_at, id`).all(state) as Row[]).map(toPayment);
  }

  /** Payments of a card (by keyed hash), newest first. */
  byPan(pan: string): Payment[] {
    return (this.db.prepare(`SELECT * FROM payments WHERE pan_hash = ? ORDER BY created_at DESC`).all(this.panHash(pan)) as Row[]).map(toPayment);
  }

  /** The event log of a payment, in order. */
  events(id: string): { at: number; state: PaymentState; detail: string | null }[] {
    return this.db.prepare(`SELECT at, state, detail FROM payment_events WHERE payment_id = ? ORDER BY id`).all(id) as { at: number; state: PaymentState; detail: string | null }[];
  }

  /** After a restart: every payment not in a final state moved by rule (`recoveryTarget`); returns what moved. */
  recover(now: number): { id: string; from: PaymentState; to: PaymentState }[] {
    const open = (this.db.prepare(`SELECT * FROM payments WHERE state NOT IN ('completed','declined','cancelled','failed','reversed')`).all() as Row[]).map(toPayment);
    const moved: { id: string; from: PaymentState; to: PaymentState }[] = [];
    for (const p of open) {
      const to = recoveryTarget(p.state);
      if (!to || FINAL_STATES.has(p.state)) continue;
      this.move(p.id, to, now, { reason: `restart: left in ${p.state}`, ...(to === 'cancelled' ? { result: 'cancelled' } : {}) });
      moved.push({ id: p.id, from: p.state, to });
    }
    return moved;
  }

  private event(id: string, state: PaymentState, at: number, detail: string | null): void {
    this.db.prepare(`INSERT INTO payment_events (payment_id, at, state, detail) VALUES (?, ?, ?, ?)`).run(id, at, state, detail);
  }
}

function toPayment(r: Row): Payment {
  return {
    id: r.id,
    reference: r.reference,
    lane: r.lane,
    type: r.type,
    amount: r.amount,
    currency: r.currency,
    state: r.state,
    result: r.result,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    maskedPan: r.masked_pan,
    aid: r.aid,
    scheme: r.scheme,
    cvm: r.cvm,
    authCode: r.auth_code,
    responseCode: r.response_code,
    reversalId: r.reversal_id,
    reason: r.reason,
    label: r.label,
    tvr: r.tvr,
    tsi: r.tsi,
    entryMode: r.card_interface === 'contactless' ? 'contactless' : r.entry_mode,
    terminalId: r.terminal_id,
    cashier: r.cashier,
  };
}
