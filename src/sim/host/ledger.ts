// What the simulated acquirer remembers between messages: the originals it received (keyed by terminal ID and
// STAN, as field 90 names them, ISO 8583:1987 §4.4 data element 90) and the reconciliation totals of the open
// batch (data elements 74-89, 97), which a 0500 is checked against. Totals are kept per currency: a transaction
// counts in the currency of its field 49 (currency code, transaction), and a 0500 reconciles the one currency its
// field 50 (currency code, settlement) names — amounts of different currencies are never added together.
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
  /** Field 49 of the original (ISO 4217 numeric); '' when absent. */
  readonly currency: string;
  amount: number;
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

type MutableTotals = { -readonly [K in keyof SimTotals]: number };

/**
 * Field 97 (amount, net settlement, x+n16) of totals: what stands of the debits (sales less their reversals) less
 * what stands of the credits (refunds less theirs), 'C' when that is zero or more — the acquirer credits the card
 * acceptor — else 'D'. The terminal computes it the same way (src/host/settlement.ts).
 */
export function netSettlement(t: SimTotals): string {
  const net = t.debitsAmount - t.debitReversalsAmount - (t.creditsAmount - t.creditReversalsAmount);
  return `${net >= 0 ? 'C' : 'D'}${String(Math.abs(net)).padStart(16, '0')}`;
}

/** Originals and per-currency batch totals of the simulated acquirer. */
export class SimLedger {
  private readonly originals = new Map<string, Original>();
  private readonly batches = new Map<string, MutableTotals>();

  /** Remembers a request (0100/0200/0220) and, when approved, adds it to the batch once. */
  record(msg: Iso8583Message, approved: boolean): void {
    const key = originalKey(msg.text(41) ?? '', msg.text(11) ?? '');
    const previous = this.originals.get(key);
    // A repeat (0221, or the same STAN again) of something already counted changes nothing.
    if (previous?.approved) return;
    const credit = (msg.text(3) ?? '').startsWith('20');
    const o: Original = { mti: msg.mti, currency: msg.text(49) ?? '', amount: Number(msg.text(4) ?? '0'), credit, financial: !msg.mti.startsWith('01'), approved: false, reversed: false };
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
      const batch = this.batchOf(o.currency);
      if (o.credit) {
        batch.creditReversalsNumber++;
        batch.creditReversalsAmount += o.amount;
      } else {
        batch.debitReversalsNumber++;
        batch.debitReversalsAmount += o.amount;
      }
    }
    o.reversed = true;
    return true;
  }

  /** The open batch's totals in `currency` (ISO 4217 numeric); without one, every currency's counts and amounts summed (a test's overview). */
  totals(currency?: string): SimTotals {
    if (currency !== undefined) return { ...(this.batches.get(currency) ?? ZERO) };
    const sum: MutableTotals = { ...ZERO };
    for (const t of this.batches.values()) for (const k of Object.keys(sum) as (keyof SimTotals)[]) sum[k] += t[k];
    return sum;
  }

  /** The currencies with something in the open batch. */
  currencies(): string[] {
    return [...this.batches.keys()].sort();
  }

  /**
   * The totals fields of a 0500 that differ from the recorded totals of `currency` (field numbers; empty when they
   * agree): 74-77, 81, 86-89 as counted, and 97 as `netSettlement` computes it.
   */
  compare(request: Iso8583Message, currency: string): number[] {
    const batch = this.totals(currency);
    const differ: number[] = [];
    for (const [field, key] of TOTALS_FIELDS) {
      const v = request.text(field);
      if (v !== undefined && Number(v) !== batch[key]) differ.push(field);
    }
    const net = request.text(97);
    if (net !== undefined && net !== netSettlement(batch)) differ.push(97);
    return differ;
  }

  /**
   * A batch upload (0320) of a transaction the terminal counted, keyed by its field 41 and original STAN (11): the
   * ledger then counts it as sent (approved, not reversed, the upload's amount), and says what it had before —
   * 'matched', 'missing' (not counted), 'amount' (counted with `hostAmount`) or 'reversed' (counted as reversed).
   */
  upload(msg: Iso8583Message): { had: 'matched' | 'missing' | 'amount' | 'reversed'; hostAmount: number } {
    const o = this.originals.get(originalKey(msg.text(41) ?? '', msg.text(11) ?? ''));
    const amount = Number(msg.text(4) ?? '0');
    if (!o || !o.approved) {
      this.originals.delete(originalKey(msg.text(41) ?? '', msg.text(11) ?? ''));
      this.record(msg, true);
      return { had: 'missing', hostAmount: 0 };
    }
    const hostAmount = o.amount;
    if (o.reversed && o.financial) {
      this.unreverseCounts(o);
      o.reversed = false;
      this.setAmount(o, amount);
      return { had: 'reversed', hostAmount };
    }
    if (o.amount !== amount) {
      this.setAmount(o, amount);
      return { had: 'amount', hostAmount };
    }
    return { had: 'matched', hostAmount };
  }

  /**
   * Alters what the ledger counted of one original (demo and tests: a host that disagrees): a new amount, or
   * dropped (no longer counted). False when the original is unknown or was not approved.
   */
  alter(terminalId: string, stan: string, change: { readonly amount: number } | { readonly drop: true }): boolean {
    const o = this.originals.get(originalKey(terminalId, stan));
    if (!o || !o.approved || !o.financial) return false;
    if ('amount' in change) {
      this.setAmount(o, change.amount);
      return true;
    }
    const batch = this.batchOf(o.currency);
    if (o.credit) {
      batch.creditsNumber--;
      batch.creditsAmount -= o.amount;
    } else {
      batch.debitsNumber--;
      batch.debitsAmount -= o.amount;
    }
    if (o.reversed) this.unreverseCounts(o);
    o.approved = false;
    o.reversed = false;
    return true;
  }

  /** Closes the batch of `currency` after an agreed settlement: its totals start again at zero; other currencies stay. */
  closeBatch(currency: string): void {
    this.batches.delete(currency);
  }

  private batchOf(currency: string): MutableTotals {
    let batch = this.batches.get(currency);
    if (!batch) {
      batch = { ...ZERO };
      this.batches.set(currency, batch);
    }
    return batch;
  }

  /** Changes a counted original's amount, its batch totals (and its reversal's, when reversed) with it. */
  private setAmount(o: Original, amount: number): void {
    const batch = this.batchOf(o.currency);
    const delta = amount - o.amount;
    if (o.credit) {
      batch.creditsAmount += delta;
      if (o.reversed) batch.creditReversalsAmount += delta;
    } else {
      batch.debitsAmount += delta;
      if (o.reversed) batch.debitReversalsAmount += delta;
    }
    o.amount = amount;
  }

  private unreverseCounts(o: Original): void {
    const batch = this.batchOf(o.currency);
    if (o.credit) {
      batch.creditReversalsNumber--;
      batch.creditReversalsAmount -= o.amount;
    } else {
      batch.debitReversalsNumber--;
      batch.debitReversalsAmount -= o.amount;
    }
  }

  private approve(o: Original): void {
    o.approved = true;
    const batch = this.batchOf(o.currency);
    if (!o.financial) {
      batch.authorizationsNumber++;
    } else if (o.credit) {
      batch.creditsNumber++;
      batch.creditsAmount += o.amount;
    } else {
      batch.debitsNumber++;
      batch.debitsAmount += o.amount;
    }
  }
}
