import type { EscPosPrinter, PrinterProfile } from '../drivers/printer/escpos-printer.js';
import { renderEscPos } from '../drivers/printer/escpos-printer.js';
import { PrinterError } from '../drivers/printer/errors.js';
import type { Db } from '../journal/database.js';
import type { Payment } from '../payments/payment-store.js';
import { receiptDocument } from './receipt-document.js';
import { textReceipt, type Merchant, type ReceiptCopy } from './text-receipt.js';
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

/** What printing a receipt did. */
export interface PrintOutcome {
  readonly paymentId: string;
  readonly copy: ReceiptCopy;
  /** True when the receipt was marked COPY (a reprint, or a retry after an interrupted print). */
  readonly markedCopy: boolean;
  readonly prints: number;
}

/**
 * Prints payment receipts and keeps, in the journal, how often each copy was printed: a receipt is printed once
 * unless a reprint is asked for, and every print after the first is marked COPY. The count is committed before
 * the bytes leave, so a crash or a printer lost mid-job can make the next print a marked COPY, never an unmarked
 * duplicate; a printer that refuses up front (offline, cover open, paper end: nothing sent) leaves it unchanged.
 */
export class ReceiptPrinting {
  /** Binds the journal, the printer and its layout. */
  constructor(
    private readonly db: Db,
    private readonly printer: EscPosPrinter,
    private readonly merchant: Merchant,
    private readonly profile: PrinterProfile = { cpl: 42, encoding: 'cp858' },
  ) {}

  /** How often `copy` of the payment has been printed (or attempted). */
  prints(paymentId: string, copy: ReceiptCopy): number {
    const row = this.db.prepare(`SELECT prints FROM receipt_prints WHERE payment_id = ? AND copy = ?`).get(paymentId, copy) as { prints: number } | undefined;
    return row?.prints ?? 0;
  }

  /** Prints `copy`; RECEIPT_ALREADY_PRINTED when it was printed and `reprint` is not set; PrinterError when the printer cannot. */
  async print(p: Payment, copy: ReceiptCopy, reprint: boolean, now: number): Promise<PrintOutcome> {
    const before = this.prints(p.id, copy);
    if (before > 0 && !reprint) throw new ReceiptError('RECEIPT_ALREADY_PRINTED', `the ${copy} receipt of ${p.id} was already printed; ask for a reprint to print a COPY`, { paymentId: p.id, copy, prints: before });
    const bytes = renderEscPos(receiptDocument(textReceipt(p, this.merchant, copy, this.profile.cpl), before > 0), this.profile);
    this.db
      .prepare(`INSERT INTO receipt_prints (payment_id, copy, prints, last_at) VALUES (?, ?, 1, ?) ON CONFLICT (payment_id, copy) DO UPDATE SET prints = prints + 1, last_at = excluded.last_at`)
      .run(p.id, copy, now);
    try {
      await this.printer.print(bytes);
    } catch (err) {
      // Refused on its status before sending: nothing left the process, so the count goes back.
      if (err instanceof PrinterError && err.code === 'PRINTER_NOT_READY') this.db.prepare(`UPDATE receipt_prints SET prints = prints - 1 WHERE payment_id = ? AND copy = ?`).run(p.id, copy);
      throw err;
    }
    return { paymentId: p.id, copy, markedCopy: before > 0, prints: before + 1 };
  }
}
