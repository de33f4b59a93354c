// The API's notifications as data: what the daemon sends to every authenticated connection (JSON-RPC
// notifications: no id, nothing to answer). The typed client's event types are `Static<>` of these; the OpenRPC
// document lists each as a method with `"x-notification": true` (OpenRPC has no notifications of its own).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { InvoiceRequest, Nullable, OneOf, Payment, PaymentUpdate, PrinterState } from './shapes.js';

/** One notification's contract. */
export interface NotificationContract {
  readonly summary: string;
  readonly params: TSchema;
}

/** A printer's status as device.changed carries it: as in devices.list, or `{error}`. */
const PrinterStatus = Type.Union([PrinterState, Type.Object({ online: Type.Boolean(), coverOpen: Type.Boolean(), paper: OneOf(['ok', 'near-end', 'end'] as const), drawerOpen: Type.Boolean() }), Type.Object({ error: Type.String() })]);

const laneOnly = Type.Object({ lane: Nullable(Type.String()) });

/** Every notification of the API, by method name. */
export const NOTIFICATIONS = {
  'payment.progress': {
    summary: "A step of a lane's payment; show `message` (plain words for the cashier screen).",
    params: Type.Object({
      paymentId: Type.Optional(Type.String({ description: 'absent when the PIN pad itself asks for the PIN' })),
      lane: Type.String(),
      step: Type.String({ description: 'waiting-for-card, selection, read-records, cvm, pin-entry, authorizing, swipe-again, swipe-fallback, a refused swipe code, …' }),
      message: Type.String(),
    }),
  },
  'payment.completed': {
    summary: "The lane's flow ended: the payment, its scheme and the customer receipt as text.",
    params: Type.Composite([Payment, Type.Object({ scheme: Nullable(Type.String()), receipt: Nullable(Type.String()) })]),
  },
  'payment.updated': {
    summary: 'A payment changed after its payment.completed (a reversal delivered, a void, a capture).',
    params: PaymentUpdate,
  },
  'receipt.printed': {
    summary: 'A queued receipt printed.',
    params: Type.Object({ jobId: Type.Integer(), paymentId: Type.String(), copy: Type.String(), state: Type.String(), markedCopy: Type.Boolean() }),
  },
  'invoice.delivered': {
    summary: 'An invoice request reached the invoicing service (it answered 2xx).',
    params: InvoiceRequest,
  },
  'invoice.failed': {
    summary: 'The invoicing service refused an invoice request for good (a 4xx other than 408 and 429); lastError says why.',
    params: InvoiceRequest,
  },
  'card.inserted': { summary: "A card went into a lane's reader.", params: laneOnly },
  'card.removed': { summary: "A card left a lane's reader.", params: laneOnly },
  'device.changed': {
    summary: "A reader came or went, or a lane's printer status changed.",
    params: Type.Object({
      event: Type.String({ description: 'reader-attached, reader-detached, printer-status' }),
      lane: Nullable(Type.String()),
      device: Type.Optional(Type.String()),
      status: Type.Optional(PrinterStatus),
    }),
  },
} as const satisfies Record<string, NotificationContract>;

/** A notification's name. */
export type NotificationName = keyof typeof NOTIFICATIONS;
/** A notification's params. */
export type NotificationParams<N extends NotificationName> = Static<(typeof NOTIFICATIONS)[N]['params']>;
