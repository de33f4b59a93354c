// Opening and closing shifts with their printed totals: a shift's report is its lane's and cashier's payments from
// its opening to its closing, printed on the lane's printer through the print queue.
import type { Db } from '../journal/database.js';
import type { Batches } from '../journal/batches.js';
import type { Merchant } from '../receipts/receipt-document.js';
import type { DocumentPrintOutcome, ReceiptPrinting } from '../receipts/receipt-printing.js';
import { buildReport, type Report } from './report-source.js';
import { reportDocument } from './report-document.js';
import { Shifts, type Shift } from './shifts.js';

/** A closed shift, its report and what became of its printout (null: the lane has no printer). */
export interface ClosedShift {
  readonly shift: Shift;
  readonly report: Report;
  readonly print: DocumentPrintOutcome | null;
}

/** Shifts with their reports and printouts. */
export class ShiftDesk {
  private readonly shifts: Shifts;

  /** Binds the journal, the batches, the merchant (the printout's heading) and each lane's printing. */
  constructor(
    private readonly db: Db,
    private readonly batches: Batches,
    private readonly merchant: Merchant,
    private readonly printingFor: (lane: string) => ReceiptPrinting | undefined,
  ) {
    this.shifts = new Shifts(db);
  }

  /** Opens the cashier's shift on the lane (SHIFT_ALREADY_OPEN when one is open). */
  open(lane: string, cashier: string, now: number): Shift {
    return this.shifts.open(lane, cashier, now);
  }

  /** The cashier's latest shift, or null. */
  latest(cashier: string): Shift | null {
    return this.shifts.latest(cashier);
  }

  /** Closes the cashier's shift on the lane (SHIFT_NOT_OPEN when none) and prints its totals on the lane's printer. */
  async close(lane: string, cashier: string, now: number, by: 'cashier' | 'settlement'): Promise<ClosedShift> {
    const shift = this.shifts.close(lane, cashier, now, by);
    // The closing millisecond belongs to the shift.
    const report = buildReport(this.db, this.batches, { from: shift.openedAt, to: (shift.closedAt ?? now) + 1, lane, cashier });
    const printing = this.printingFor(lane);
    const print = printing ? await printing.printDocument(reportDocument(report, this.merchant, this.merchant.language, { cpl: printing.layout.cpl, kind: 'shift', closedBy: by, settlement: false }), `shift ${shift.id}`, now) : null;
    return { shift, report, print };
  }

  /** Closes every shift still open (the settlement ends the day), each printed; returns them. */
  async closeAll(now: number): Promise<ClosedShift[]> {
    const closed: ClosedShift[] = [];
    for (const s of this.shifts.openShifts()) closed.push(await this.close(s.lane, s.cashier, now, 'settlement'));
    return closed;
  }
}
