// The accounting export: one CSV record per payment of a report, stable columns (docs/reports.md lists each),
// RFC 4180 quoting and no cell a spreadsheet would run as a formula.
import { currencyExponent } from '../util/currency.js';
import { alphaOf, decimalOf, lineOf } from './report.js';
import type { ReportPaymentRow } from './report-source.js';

/** The CSV's columns, in order; a new column is only ever appended (docs/reports.md). */
export const REPORT_CSV_COLUMNS = [
  'reference',
  'paymentId',
  'createdAt',
  'lane',
  'cashier',
  'type',
  'state',
  'line',
  'result',
  'amount',
  'currency',
  'exponent',
  'amountDecimal',
  'capturedAmount',
  'scheme',
  'entryMode',
  'maskedPan',
  'authCode',
  'terminalId',
  'batchId',
  'settled',
] as const;

/**
 * One cell, RFC 4180: quoted when it holds a comma, quote, CR or LF (quotes doubled). A text starting with = + - @
 * (or a tab or CR) is prefixed with an apostrophe so a spreadsheet shows it instead of running it as a formula.
 */
export function csvCell(v: string | number | boolean | null): string {
  let s = v === null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A payment's cells, in REPORT_CSV_COLUMNS order. */
export function csvRecord(p: ReportPaymentRow): string {
  const alpha = alphaOf(p.currency);
  const exponent = currencyExponent(alpha);
  const cells: (string | number | boolean | null)[] = [
    p.reference,
    p.id,
    new Date(p.createdAt).toISOString(),
    p.lane,
    p.cashier,
    p.type,
    p.state,
    lineOf(p),
    p.result,
    p.amount,
    alpha,
    exponent,
    decimalOf(p.amount, exponent),
    p.capturedAmount,
    p.scheme,
    p.entryMode,
    p.maskedPan,
    p.authCode,
    p.terminalId,
    p.batchId,
    p.batchId === null ? null : p.settled,
  ];
  return cells.map(csvCell).join(',');
}

/** The whole CSV: the header record, then one record per payment; each record ends with CRLF (RFC 4180). */
export function reportCsv(payments: readonly ReportPaymentRow[]): string {
  return [REPORT_CSV_COLUMNS.join(','), ...payments.map(csvRecord)].map((r) => `${r}\r\n`).join('');
}
