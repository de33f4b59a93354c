import type { EscPosPrinter, PrinterProfile } from '../drivers/printer/escpos-printer.js';
import { renderEscPos } from '../drivers/printer/escpos-printer.js';
import { PrinterError } from '../drivers/printer/errors.js';
import type { PrinterStatus } from '../drivers/printer/types.js';
import type { Db } from '../journal/database.js';
import type { Payment } from '../payments/payment-store.js';
import { receiptDocument, type Merchant, type ReceiptCopy } from './receipt-document.js';
import { PosbridgeError } from '../errors.js';

/** Every code a ReceiptError can carry (docs/errors.md). */
export const RECEIPT_ERROR_CODES = ['RECEIPT_ALREADY_PRINTED'] as const;

/** Errors of receipt printing. */
export class ReceiptError extends PosbridgeError {
  declare readonly code: (typeof RECEIPT_ERROR_CODES)[number];

  /** Builds a receipt error. */
  constructor(code: (typeof RECEIPT_ERROR_CODES)[number], message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}

/** What a print request became: printed now, or queued until the printer can print (then `receipt.printed`). */
export interface PrintOutcome {
  readonly jobId: number;
  readonly paymentId: string;
  readonly copy: ReceiptCopy;
  readonly state: 'printed' | 'queued' | 'unconfirmed';
  /** True when the receipt was (or will be) marked COPY. */
  readonly markedCopy: boolean;
  /** Why the job waits: the printer's error code (PRINTER_NOT_READY, PRINTER_UNREACHABLE …). */
  readonly waitingFor?: string;
}

/** `last_error` of a job written ahead and not finished yet (while it prints, or for ever when the daemon died). */
const IN_FLIGHT = 'PRINTING';
/** `last_error` of a job the daemon was printing when it stopped: some of its bytes may have left. */
const INTERRUPTED = 'INTERRUPTED';

/** A job found interrupted at start-up (a document job has no payment or copy, only its title). */
export interface InterruptedJob {
  readonly id: number;
  readonly paymentId: string | null;
  readonly copy: ReceiptCopy | null;
  readonly title: string | null;
  readonly printer: string;
}

/** What a document print request became (a report, a shift's totals): printed now, or queued until the printer can. */
export interface DocumentPrintOutcome {
  readonly jobId: number;
  readonly title: string;
  readonly state: 'printed' | 'queued' | 'unconfirmed';
  /** Why the job waits: the printer's error code. */
  readonly waitingFor?: string;
}

/**
 * At start-up, before any job prints: the jobs a previous run was printing when it stopped (written ahead, never
 * finished) become `unconfirmed` with `last_error = 'INTERRUPTED'`, never resent by themselves. It also settles
 * journals of versions that counted the print but left the job `pending` (the print count exceeds the jobs sent
 * for that copy): those would have been resent as a COPY by themselves.
 */
export function settleInterruptedJobs(db: Db): InterruptedJob[] {
  return db.transaction(() => {
    const select = `SELECT id, payment_id AS paymentId, copy, title, printer FROM print_jobs`;
    const found = db.prepare(`${select} WHERE state = 'unconfirmed' AND last_error = '${IN_FLIGHT}' ORDER BY id`).all() as InterruptedJob[];
    // updated_at stays the time the job started printing.
    const mark = db.prepare(`UPDATE print_jobs SET state = 'unconfirmed', last_error = '${INTERRUPTED}' WHERE id = ?`);
    for (const j of found) mark.run(j.id);
    // Older journals: the oldest pending, tried job of a copy whose count exceeds its sent jobs, until none is left.
    const legacy = db.prepare(
      `${select} j WHERE state = 'pending' AND attempts > 0 AND
         (SELECT prints FROM receipt_prints r WHERE r.payment_id = j.payment_id AND r.copy = j.copy) >
         (SELECT COUNT(*) FROM print_jobs k WHERE k.payment_id = j.payment_id AND k.copy = j.copy AND k.state IN ('printed', 'unconfirmed'))
       AND kind = 'receipt' ORDER BY id LIMIT 1`,
    );
    for (let j = legacy.get() as InterruptedJob | undefined; j; j = legacy.get() as InterruptedJob | undefined) {
      mark.run(j.id);
      found.push(j);
    }
    return found;
  })();
}

interface JobRow {
  readonly id: number;
  readonly payment_id: string;
  readonly copy: ReceiptCopy;
}

interface DocumentRow {
  readonly id: number;
  readonly document: string;
  readonly title: string | null;
}

/**
 * Prints payment receipts through a durable queue in the journal. Each copy prints once unless a reprint is asked
 * for, and every print after the first is marked COPY. A job the printer refuses before any byte left (offline,
 * cover open, paper end, unreachable) stays queued and is retried by `tick` until it prints; a job interrupted
 * after bytes left is "unconfirmed" and never resent by itself (the count already says it printed, so a reprint
 * is a marked COPY, never a second original).
 */
export class ReceiptPrinting {
  private busy: Promise<unknown> = Promise.resolve();

  /** Binds the journal, the printer (by its configured name), its layout, payments by id and who hears of queued jobs that printed. */
  constructor(
    private readonly db: Db,
    private readonly printerName: string,
    private readonly printer: EscPosPrinter,
    private readonly merchant: Merchant,
    private readonly profile: PrinterProfile,
    private readonly payment: (id: string) => Payment,
    private readonly onPrinted: (o: PrintOutcome) => void = () => undefined,
  ) {}

  /** The printer's layout (characters per line, code page …): the receipt's preview is drawn for it. */
  get layout(): PrinterProfile {
    return this.profile;
  }

  /** How often `copy` of the payment has been printed (or sent). */
  prints(paymentId: string, copy: ReceiptCopy): number {
    const row = this.db.prepare(`SELECT prints FROM receipt_prints WHERE payment_id = ? AND copy = ?`).get(paymentId, copy) as { prints: number } | undefined;
    return row?.prints ?? 0;
  }

  /** Queues `copy` and tries it at once; RECEIPT_ALREADY_PRINTED when printed or queued before and `reprint` is not set. */
  request(p: Payment, copy: ReceiptCopy, reprint: boolean, now: number): Promise<PrintOutcome> {
    return this.serial(async () => {
      const pending = this.db.prepare(`SELECT id FROM print_jobs WHERE payment_id = ? AND copy = ? AND state = 'pending'`).get(p.id, copy) as { id: number } | undefined;
      const printed = this.prints(p.id, copy);
      if ((printed > 0 || pending) && !reprint) {
        throw new ReceiptError('RECEIPT_ALREADY_PRINTED', `the ${copy} receipt of ${p.id} was already ${pending ? 'queued' : 'printed'}; ask for a reprint to print a COPY`, { paymentId: p.id, copy, prints: printed });
      }
      const id = Number(this.db.prepare(`INSERT INTO print_jobs (payment_id, copy, state, created_at, updated_at, printer) VALUES (?, ?, 'pending', ?, ?, ?)`).run(p.id, copy, now, now, this.printerName).lastInsertRowid);
      return this.attempt({ id, payment_id: p.id, copy }, now);
    });
  }

  /**
   * Queues `copy` for printing now, in the journal, unless it was printed or queued before (then false); the job
   * prints at the next `tick`. For receipts printed by themselves after a payment (autoPrint).
   */
  enqueue(p: Payment, copy: ReceiptCopy, now: number): boolean {
    return this.db.transaction(() => {
      const queued = this.db.prepare(`SELECT 1 FROM print_jobs WHERE payment_id = ? AND copy = ?`).get(p.id, copy);
      if (queued || this.prints(p.id, copy) > 0) return false;
      this.db.prepare(`INSERT INTO print_jobs (payment_id, copy, state, created_at, updated_at, printer) VALUES (?, ?, 'pending', ?, ?, ?)`).run(p.id, copy, now, now, this.printerName);
      return true;
    })();
  }

  /**
   * Queues a receiptline document that is not a receipt (a report, a shift's totals) and tries it at once, behind
   * the jobs already waiting; it is printed once (a job cut short after bytes left is unconfirmed, never resent).
   */
  printDocument(document: string, title: string, now: number): Promise<DocumentPrintOutcome> {
    return this.serial(async () => {
      const id = Number(this.db.prepare(`INSERT INTO print_jobs (kind, document, title, state, created_at, updated_at, printer) VALUES ('document', ?, ?, 'pending', ?, ?, ?)`).run(document, title, now, now, this.printerName).lastInsertRowid);
      // The jobs queued before print first: the document keeps its place in the printer's queue.
      await this.drain(now);
      const row = this.db.prepare(`SELECT state, last_error FROM print_jobs WHERE id = ?`).get(id) as { state: 'pending' | 'printed' | 'unconfirmed'; last_error: string | null };
      const state = row.state === 'pending' ? 'queued' : row.state;
      return { jobId: id, title, state, ...(row.last_error !== null ? { waitingFor: row.last_error } : {}) };
    });
  }

  /** Retries the oldest queued jobs (the daemon calls it every few seconds); resolves with what printed. */
  tick(now: number): Promise<PrintOutcome[]> {
    return this.serial(() => this.drain(now));
  }

  /** Prints the pending jobs in order until the printer refuses one; the receipts printed are told to `onPrinted`. */
  private async drain(now: number): Promise<PrintOutcome[]> {
    const done: PrintOutcome[] = [];
      const rows = this.db.prepare(`SELECT id, kind, payment_id, copy, document, title FROM print_jobs WHERE printer = ? AND state = 'pending' ORDER BY id`).all(this.printerName) as (JobRow & DocumentRow & { kind: 'receipt' | 'document' })[];
      for (const job of rows) {
        if (job.kind === 'document') {
          const d = await this.attemptDocument(job, now);
          if (d.state === 'queued') break;
          continue;
        }
        const o = await this.attempt(job, now);
        if (o.state === 'queued') break; // the printer still cannot print: keep the order
        done.push(o);
        this.onPrinted(o);
      }
      return done;
  }

  /** Jobs waiting for the printer. */
  pendingCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM print_jobs WHERE printer = ? AND state = 'pending'`).get(this.printerName) as { n: number }).n;
  }

  /** The printer's status, asked between jobs (never in the middle of one). */
  status(): Promise<PrinterStatus> {
    return this.serial(() => this.printer.status());
  }

  /** Runs `fn` on the printer between jobs (a drawer kick, a status read). */
  withPrinter<T>(fn: (printer: EscPosPrinter) => Promise<T>): Promise<T> {
    return this.serial(() => fn(this.printer));
  }

  /**
   * One try of a job. Write-ahead: right before the first byte of the job is written (after the status check, which
   * sends no byte of the job), one transaction counts the print and moves the job to `unconfirmed` with
   * `last_error = 'PRINTING'`. A crash from then on leaves it so: never resent by itself, a reprint is a marked COPY.
   * A crash before leaves it `pending` with the count unchanged: it prints once, as what it was, after the restart.
   */
  private async attempt(job: JobRow, now: number): Promise<PrintOutcome> {
    const before = this.prints(job.payment_id, job.copy);
    const bytes = renderEscPos(receiptDocument(this.payment(job.payment_id), this.merchant, job.copy, { cpl: this.profile.cpl, copyMark: before > 0 }), this.profile);
    const base = { jobId: job.id, paymentId: job.payment_id, copy: job.copy, markedCopy: before > 0 };
    const countPrint = (): void => {
      this.db
        .prepare(`INSERT INTO receipt_prints (payment_id, copy, prints, last_at) VALUES (?, ?, 1, ?) ON CONFLICT (payment_id, copy) DO UPDATE SET prints = prints + 1, last_at = excluded.last_at`)
        .run(job.payment_id, job.copy, now);
    };
    return { ...base, ...(await this.send(job.id, bytes, now, countPrint)) };
  }

  /** One try of a document job, written ahead like a receipt's (`attempt`), without a print count. */
  private async attemptDocument(job: DocumentRow, now: number): Promise<DocumentPrintOutcome> {
    return { jobId: job.id, title: job.title ?? '', ...(await this.send(job.id, renderEscPos(job.document, this.profile), now, () => undefined)) };
  }

  /**
   * Sends a job's bytes and records the outcome: right before its first byte, one transaction runs `alsoWriteAhead`
   * and moves the job to `unconfirmed` (`last_error = 'PRINTING'`); after, printed, unconfirmed (some bytes may have
   * left, or the printer cannot tell) or still queued (refused before any byte left).
   */
  private async send(jobId: number, bytes: Uint8Array, now: number, alsoWriteAhead: () => void): Promise<{ state: 'printed' | 'unconfirmed' | 'queued'; waitingFor?: string }> {
    let wroteAhead = false;
    const writeAhead = (): void => {
      this.db.transaction(() => {
        alsoWriteAhead();
        this.db.prepare(`UPDATE print_jobs SET state = 'unconfirmed', last_error = '${IN_FLIGHT}', attempts = attempts + 1, updated_at = ? WHERE id = ?`).run(now, jobId);
      })();
      wroteAhead = true;
    };
    try {
      const status = await this.printer.print(bytes, writeAhead);
      if (status === null) {
        // A printer with no back channel took the job unchecked: sent, never known printed.
        this.db.prepare(`UPDATE print_jobs SET last_error = 'PRINTER_TIMEOUT', updated_at = ? WHERE id = ?`).run(now, jobId);
        return { state: 'unconfirmed', waitingFor: 'PRINTER_TIMEOUT' };
      }
      this.db.prepare(`UPDATE print_jobs SET state = 'printed', last_error = NULL, updated_at = ? WHERE id = ?`).run(now, jobId);
      return { state: 'printed' };
    } catch (err) {
      if (!(err instanceof PrinterError)) throw err; // written ahead or not, the journal already says the safe thing
      if (wroteAhead) {
        // Some bytes may have reached the printer: it stays unconfirmed (a receipt's print already counted).
        this.db.prepare(`UPDATE print_jobs SET last_error = ?, updated_at = ? WHERE id = ?`).run(err.code, now, jobId);
        return { state: 'unconfirmed', waitingFor: err.code };
      }
      // Refused before any byte of the job left (offline, paper end, unreachable): still queued, nothing counted.
      this.db.prepare(`UPDATE print_jobs SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`).run(err.code, now, jobId);
      return { state: 'queued', waitingFor: err.code };
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined); // the caller gets the error; the chain only orders the jobs
    return run;
  }
}
