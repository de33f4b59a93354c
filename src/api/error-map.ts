// Every error family of posbridge mapped to the API's error table (docs/errors.md, WebSocket API): the one mapping
// the dispatcher's error boundary (rpc.ts) applies to whatever a method throws.
import { PosbridgeError } from '../errors.js';
import { TrackError } from '../cards/errors.js';
import { DisplayError } from '../drivers/display/errors.js';
import { HidError } from '../drivers/hid/errors.js';
import { ReaderError } from '../drivers/pcsc/errors.js';
import { Part10Error } from '../drivers/pinpad/part10-errors.js';
import { ReaderPinPadError } from '../drivers/pinpad/reader-pin-pad-errors.js';
import { PinPadError } from '../drivers/pinpad/serial-pinpad-errors.js';
import { PrinterError } from '../drivers/printer/errors.js';
import { EmvError } from '../emv/errors.js';
import { HostError } from '../host/errors.js';
import { JournalError } from '../journal/errors.js';
import { InvoiceError } from '../invoices/errors.js';
import { PaymentError } from '../payments/errors.js';
import { ReceiptError } from '../receipts/receipt-printing.js';
import { ShiftError } from '../reports/errors.js';
import { redactString } from '../log/redact.js';
import { ApiError } from './errors.js';

/** What `details.device` says for each family of device (and host) errors, answered DEVICE_UNAVAILABLE. */
export type UnavailablePart = 'reader' | 'card' | 'pinpad' | 'printer' | 'display' | 'stripe' | 'host';

type ErrorClass = abstract new (...args: never[]) => PosbridgeError;

/** The families answered DEVICE_UNAVAILABLE, with the part they name; `retriable` is the family's own. */
export const DEVICE_FAMILIES: readonly (readonly [ErrorClass, UnavailablePart])[] = [
  [ReaderError, 'reader'],
  [EmvError, 'card'],
  [PinPadError, 'pinpad'],
  [ReaderPinPadError, 'pinpad'],
  [Part10Error, 'pinpad'],
  [PrinterError, 'printer'],
  [DisplayError, 'display'],
  [HidError, 'stripe'],
  [TrackError, 'stripe'],
  [HostError, 'host'],
];

/** The message answered for a failure that is ours: the cause is logged, never sent. */
export const INTERNAL_MESSAGE = 'the daemon failed to handle the request; it was logged';

function fromPayment(err: PaymentError): ApiError {
  switch (err.code) {
    case 'PAYMENT_LANE_BUSY':
      return new ApiError('BUSY', err.message, { paymentId: err.details.paymentId }, { cause: err });
    case 'PAYMENT_NOT_FOUND':
      return new ApiError('NOT_FOUND', err.message, {}, { cause: err });
    case 'PAYMENT_NO_CARD':
      // Retriable: present the card and try again.
      return new ApiError('DEVICE_UNAVAILABLE', err.message, { device: 'card', deviceCode: err.code }, { retriable: err.retriable, cause: err });
    case 'PAYMENT_INVALID':
    case 'PAYMENT_STATE_CONFLICT':
      // A reference reused with other details, or a move the payment's state does not allow (e.g. cancelling one
      // that ended): the caller asked for something this payment cannot do.
      return new ApiError('INVALID_PARAMS', err.message, {}, { cause: err });
  }
}

function fromInvoice(err: InvoiceError): ApiError {
  switch (err.code) {
    case 'INVOICE_NOT_INVOICEABLE':
      return new ApiError('NOT_INVOICEABLE', err.message, { ...err.details, errorCode: err.code }, { cause: err });
    case 'INVOICE_DISABLED':
      return new ApiError('DISABLED', err.message, { errorCode: err.code }, { cause: err });
    case 'INVOICE_BUYER_INVALID':
      return new ApiError('INVALID_PARAMS', err.message, { param: err.details.field, errorCode: err.code }, { cause: err });
    case 'INVOICE_NOT_FOUND':
      return new ApiError('NOT_FOUND', err.message, { errorCode: err.code }, { cause: err });
  }
}

function fromJournal(err: JournalError): ApiError {
  if (err.code === 'JOURNAL_NOT_FOUND') return new ApiError('NOT_FOUND', err.message, {}, { cause: err });
  if (err.code === 'JOURNAL_LOCKED') return new ApiError('BUSY', err.message, { errorCode: err.code }, { cause: err });
  // Open, migration and seal failures are the daemon's own: no details sent, and retrying does not cure them.
  return new ApiError('INTERNAL_ERROR', INTERNAL_MESSAGE, { errorCode: err.code }, { retriable: false, cause: err });
}

/**
 * The API error `err` is answered with: an ApiError as it is; a payment, receipt, journal or invoice error as its API code;
 * a device's (reader, card, PIN pad, printer, display, stripe reader and its tracks) or the host's as DEVICE_UNAVAILABLE naming the
 * part and its own code, with its own `retriable`; any other PosbridgeError as INTERNAL_ERROR naming only its code (`details.errorCode`)
 * (retriable as it says); anything else as INTERNAL_ERROR, retriable, with nothing of it sent.
 */
export function apiErrorOf(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof PaymentError) return fromPayment(err);
  if (err instanceof ReceiptError) return new ApiError('ALREADY_PRINTED', err.message, { ...err.details }, { cause: err });
  if (err instanceof JournalError) return fromJournal(err);
  // A shift already open keeps the lane busy for that cashier (not retriable: close it first); closing one that is
  // not open finds nothing.
  if (err instanceof ShiftError) return new ApiError(err.code === 'SHIFT_NOT_OPEN' ? 'NOT_FOUND' : 'BUSY', err.message, { ...err.details, errorCode: err.code }, { retriable: false, cause: err });
  if (err instanceof InvoiceError) return fromInvoice(err);
  for (const [family, device] of DEVICE_FAMILIES) {
    if (!(err instanceof family)) continue;
    // A printer's details are its status (paper, cover): useful to show. Other parts' details may hold bytes from a
    // card or the host, so only the part and its code are sent, and the message is masked like the logs.
    const details = err instanceof PrinterError ? { ...err.details, device, deviceCode: err.code } : { device, deviceCode: err.code };
    return new ApiError('DEVICE_UNAVAILABLE', redactString(err.message), details, { retriable: err.retriable, cause: err });
  }
  if (err instanceof PosbridgeError) return new ApiError('INTERNAL_ERROR', INTERNAL_MESSAGE, { errorCode: err.code }, { retriable: err.retriable, cause: err });
  return new ApiError('INTERNAL_ERROR', INTERNAL_MESSAGE, {}, { cause: err });
}
