// What the simulated acquirer remembers between messages: the originals it received (keyed by terminal ID and
// STAN, as field 90 names them, ISO 8583:1987 §4.4 data element 90) and the reconciliation totals of the open
// batch (data elements 74-89), which a 0500 is checked against.
import type { Iso8583Message } from '../../host/iso8583/index.js';

/** Reconciliation totals of the open batch (counts and minor-unit amounts). */
export interface SimTotals {
  /** Field 74 / 86. */
  readonly creditsNumber: number;
  readonly creditsAmount: number;
  /** Field 75 / 87. */
  readonly creditReversalsNumber: number;
  readonly creditReversalsAmount: number;
  /** Field 76 / 88. */
  readonly debitsNumber: number;
  readonly debitsAmount: number;
  /** Field 77 / 89. */
  readonly debitReversalsNumber: number;
  readonly debitReversalsAmount: number;
  /** Field 81: approved authorisations (0100) that are not financial. */
  readonly authorizationsNumber: number;
}

interface Original {
  readonly mti: string;
  readonly amount: number;
  readonly credit: boolean;
  readonly financial: boolean;
  approved: boolean;
  reversed: boolean;
}

const ZERO: SimTotals = {
  creditsNumber: 0,
  creditsAmount: 0,
  creditReversalsNumber: 0,
  creditReversalsAmount: 0,
  debitsNumber: 0,
  debitsAmount: 0,
  debitReversalsNumber: 0,
  debitReversalsAmount: 0,
  authorizationsNumber: 0,
};

/** Totals field → the recorded value it is compared with in a 0500. */
const TOTALS_FIELDS: ReadonlyArray<readonly [number, keyof SimTotals]> = [
  [74, 'creditsNumber'],
  [75, 'creditReversalsNumber'],
  [76, 'debitsNumber'],
  [77, 'debitReversalsNumber'],
  [81, 'authorizationsNumber'],
  [86, 'creditsAmount'],
  [87, 'creditReversalsAmount'],
  [88, 'debitsAmount'],
  [89, 'debitReversalsAmount'],
];

/** The key of an original: terminal ID (41) and STAN (11). */
export function originalKey(terminalId: string, stan: string): string {
  return `${terminalId.trim()}|${stan}`;
}

/** The original STAN named by field 90 (original MTI n4, STAN n6, date/time n10, …), or null. */
export function originalStanOf(msg: Iso8583Message): string | null {
  const f90 = msg.text(90);
  return f90 && f90.length >= 10 ? f90.slice(4, 10) : null;
}

/** Originals and batch totals of the simulated acquirer. */
export class SimLedger {
  private readonly originals = new Map<string, Original>();
  private batch: { -readonly [K in keyof SimTotals]: number } = { ...ZERO };

  /** Remembers a request (0100/0200/0220) and, when approved, adds it to the batch once. */
  record(msg: Iso8583Message, approved: boolean): void {
    const key = originalKey(msg.text(41) ?? '', msg.text(11) ?? '');
    const previous = this.originals.get(key);
    // A repeat (0221, or the same STAN again) of something already counted changes nothing.
    if (previous?.approved) return;
    const credit = (msg.text(3) ?? '').startsWith('20');
    const o: Original = { mti: msg.mti, amount: Number(msg.text(4) ?? '0'), credit, financial: !msg.mti.startsWith('01'), approved: false, reversed: false };
    this.originals.set(key, o);
    if (approved) this.approve(o);
  }

  /** True when the original of this reversal was received. */
  knows(terminalId: string, stan: string): boolean {
    return this.originals.has(originalKey(terminalId, stan));
  }

  /** Reverses a received original (once: repeats change nothing); false when it is unknown. */
  reverse(terminalId: string, stan: string): boolean {
    const o = this.originals.get(originalKey(terminalId, stan));
    if (!o) return false;
    if (o.approved && !o.reversed && o.financial) {
      if (o.credit) {
        this.batch.creditReversalsNumber++;
        this.batch.creditReversalsAmount += o.amount;
      } else {
        this.batch.debitReversalsNumber++;
        this.batch.debitReversalsAmount += o.amount;
      }
    }
    o.reversed = true;
    return true;
  }

  /** The open batch's totals. */
  totals(): SimTotals {
    return { ...this.batch };
  }

  /** The totals fields of a 0500 that differ from the recorded ones (field numbers; empty when they agree). */
  compare(request: Iso8583Message): number[] {
    const differ: number[] = [];
    for (const [field, key] of TOTALS_FIELDS) {
      const v = request.text(field);
      if (v !== undefined && Number(v) !== this.batch[key]) differ.push(field);
    }
    return differ;
  }

  /** Closes the batch after an agreed settlement: totals start again at zero. */
  closeBatch(): void {
    this.batch = { ...ZERO };
  }

  private approve(o: Original): void {
    o.approved = true;
    if (!o.financial) {
      this.batch.authorizationsNumber++;
    } else if (o.credit) {
      this.batch.creditsNumber++;
      this.batch.creditsAmount += o.amount;
    } else {
      this.batch.debitsNumber++;
      this.batch.debitsAmount += o.amount;
    }
  }
}
