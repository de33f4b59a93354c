import { PosbridgeError } from '../../errors.js';

/** Every code a PrinterError can carry (documented in docs/errors.md). */
export const PRINTER_ERROR_CODES = ['PRINTER_UNREACHABLE', 'PRINTER_TIMEOUT', 'PRINTER_NOT_READY', 'PRINTER_STATUS_INVALID', 'PRINTER_URL_INVALID', 'PRINTER_IMAGE_TOO_LARGE', 'PRINTER_FONT_MISSING', 'PRINTER_DRAWER_INVALID'] as const;

/** A stable code of the printer driver. */
export type PrinterErrorCode = (typeof PRINTER_ERROR_CODES)[number];

/** Codes no retry can cure: a bad URL or option, an answer that is not a status, a job the printer cannot take. */
const PERMANENT: ReadonlySet<PrinterErrorCode> = new Set(['PRINTER_URL_INVALID', 'PRINTER_STATUS_INVALID', 'PRINTER_IMAGE_TOO_LARGE', 'PRINTER_FONT_MISSING', 'PRINTER_DRAWER_INVALID']);

/** Errors of receipt printers. */
export class PrinterError extends PosbridgeError {
  declare readonly code: PrinterErrorCode;

  /** Builds a printer error; an unreachable, slow or not-ready printer may work later. */
  constructor(code: PrinterErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: !PERMANENT.has(code), details, cause });
  }
}
