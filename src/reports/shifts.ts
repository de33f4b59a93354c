// Shifts in the journal: a cashier (the API client's name) works a lane from open to close; at most one open shift
// per lane and cashier. A shift still open when the batch settles is closed by the settlement.
import type { Db } from '../journal/database.js';
import { ShiftError } from './errors.js';

/** A shift as stored. */
export interface Shift {
  readonly id: number;
  readonly lane: string;
  readonly cashier: string;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly closedBy: 'cashier' | 'settlement' | null;
}

interface Row {
  id: number;
  lane: string;
  cashier: string;
  opened_at: number;
  closed_at: number | null;
  closed_by: Shift['closedBy'];
}

const toShift = (r: Row): Shift => ({ id: r.id, lane: r.lane, cashier: r.cashier, openedAt: r.opened_at, closedAt: r.closed_at, closedBy: r.closed_by });

/** The shifts table. */
export class Shifts {
  /** Binds to the journal. */
  constructor(private readonly db: Db) {}

  /** Opens a shift; SHIFT_ALREADY_OPEN when the cashier has one open on the lane. */
  open(lane: string, cashier: string, now: number): Shift {
    return this.db.transaction(() => {
      const open = this.current(lane, cashier);
      if (open) throw new ShiftError('SHIFT_ALREADY_OPEN', `${cashier} already has shift ${open.id} open on lane ${lane} (since ${new Date(open.openedAt).toISOString()}): close it first`, { shiftId: open.id, lane, cashier });
      const id = Number(this.db.prepare(`INSERT INTO shifts (lane, cashier, opened_at) VALUES (?, ?, ?)`).run(lane, cashier, now).lastInsertRowid);
      return this.get(id);
    })();
  }

  /** The cashier's open shift on the lane, or null. */
  current(lane: string, cashier: string): Shift | null {
    const row = this.db.prepare(`SELECT * FROM shifts WHERE lane = ? AND cashier = ? AND closed_at IS NULL`).get(lane, cashier) as Row | undefined;
    return row ? toShift(row) : null;
  }

  /** Closes the cashier's open shift on the lane; SHIFT_NOT_OPEN when there is none. */
  close(lane: string, cashier: string, now: number, by: 'cashier' | 'settlement'): Shift {
    return this.db.transaction(() => {
      const open = this.current(lane, cashier);
      if (!open) throw new ShiftError('SHIFT_NOT_OPEN', `${cashier} has no open shift on lane ${lane}`, { lane, cashier });
      this.db.prepare(`UPDATE shifts SET closed_at = ?, closed_by = ? WHERE id = ?`).run(Math.max(now, open.openedAt), by, open.id);
      return this.get(open.id);
    })();
  }

  /** Every open shift, oldest first. */
  openShifts(): Shift[] {
    return (this.db.prepare(`SELECT * FROM shifts WHERE closed_at IS NULL ORDER BY id`).all() as Row[]).map(toShift);
  }

  /** The cashier's latest shift (open or closed) on any lane, or null. */
  latest(cashier: string): Shift | null {
    const row = this.db.prepare(`SELECT * FROM shifts WHERE cashier = ? ORDER BY opened_at DESC, id DESC LIMIT 1`).get(cashier) as Row | undefined;
    return row ? toShift(row) : null;
  }

  /** One shift. */
  get(id: number): Shift {
    return toShift(this.db.prepare(`SELECT * FROM shifts WHERE id = ?`).get(id) as Row);
  }
}
