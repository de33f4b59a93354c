import { PosbridgeError } from '../../errors.js';

/** Every code a PrinterError can carry (documented in docs/errors.md). */
export const PRINTER_ERROR_CODES = ['PRINTER_UNREACHABLE', 'PRINTER_TIMEOUT', 'PRINTER_NOT_READY', 'PRINTER_STATUS_INVALID', 'PRINTER_URL_INVALID'] as const;

/** A stable code of the printer driver. */
export type PrinterErrorCode = (typeof PRINTER_ERROR_CODES)[number];

/** Errors of receipt printers. */
export class PrinterError extends PosbridgeError {
  declare readonly code: PrinterErrorCode;

  /** Builds a printer error; an unreachable, slow or not-ready printer may work later. */
  constructor(code: PrinterErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { retriable: code !== 'PRINTER_URL_INVALID' && code !== 'PRINTER_STATUS_INVALID', details });
  }
}
