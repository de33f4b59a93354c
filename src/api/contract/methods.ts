// The API's methods as data: for each, the least role that may call it, its params and result as JSON Schema
// (TypeBox), and the API error codes it may answer. The dispatcher validates params from these schemas, the typed
// client's types are `Static<>` of them, and the OpenRPC document (openrpc.ts, served at /openrpc.json) is generated
// from them. docs/api.md describes each method in words.
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import type { ApiErrorCode } from '../errors.js';
import type { Role } from '../clients.js';
import { API_CURRENCIES, INVOICE_STATES, InvoiceRequest, LaneDevices, LaneName, Nullable, OneOf, Payment, PaymentId, PaymentType, ReceiptCopy } from './shapes.js';
import { DocumentPrint, Report, REPORT_GROUP_KEYS, ShiftClosed, Shift as ShiftShape } from './report-shapes.js';

/** One method's contract. */
export interface MethodContract {
  readonly summary: string;
  /** The least role that may call it; null: anyone (session.hello). */
  readonly role: Role | null;
  /** True for the demo's sim.* methods (they exist only in demo mode). */
  readonly demoOnly?: boolean;
  /** Named params; unknown names are refused (INVALID_PARAMS naming the param). */
  readonly params: TObject;
  readonly result: TSchema;
  /** API error codes the method itself may answer (besides the ones every call may get: see COMMON_ERRORS). */
  readonly errors: readonly ApiErrorCode[];
}

/** Errors any call may be answered with, before or around its method (the security rules and the error boundary). */
export const COMMON_ERRORS: readonly ApiErrorCode[] = ['INVALID_PARAMS', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'MESSAGE_TOO_LARGE', 'INTERNAL_ERROR'];

const str = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });
const params = <T extends TProperties>(p: T) => Type.Object(p, { additionalProperties: false });
const NoParams = params({});

/** The simulated printer states sim.setPrinter takes (the emulator's SIM_PRINTER_STATES; a test keeps both equal). */
export const SIM_PRINTER_STATUSES = ['ready', 'paper-near-end', 'paper-end', 'cover-open', 'offline', 'drawer-open', 'drawer-closed'] as const;
/** The host simulator's modes sim.setHost takes (HOST_MODES of src/sim/host/rules.ts; a test keeps both equal). */
export const SIM_HOST_MODES = ['normal', 'timeout', 'down', 'drop-mid-response', 'late', 'twice', 'garbage'] as const;
/** The stripe test cards sim.swipeCard takes (SIM_STRIPE_CARDS of src/sim/sim-methods.ts; a test keeps both equal). */
export const SIM_STRIPE_CARD_NAMES = ['visa-chip', 'mastercard-stripe', 'mastercard-stripe-pin'] as const;

/** Every method of the API, by name. */
export const METHODS = {
  'session.hello': {
    summary: 'Authenticates the connection with a paired token; must come first.',
    role: null,
    params: params({ token: str(200, 'the token `posbridge pair` printed') }),
    result: Type.Object({
      role: OneOf(['cashier', 'supervisor', 'admin'] as const),
      apiVersion: Type.String(),
      client: Type.String(),
      lanes: Type.Array(Type.Object({ lane: Type.String(), reader: Type.String() })),
    }),
    errors: ['UNAUTHENTICATED'],
  },
  'devices.list': {
    summary: 'The lanes with their reader, PIN pad, printer, display and stripe reader.',
    role: 'cashier',
    params: NoParams,
    result: Type.Object({ lanes: Type.Array(LaneDevices) }),
    errors: ['DEVICE_UNAVAILABLE'],
  },
  'drawer.open': {
    summary: "Kicks the cash drawer on the lane's receipt printer.",
    role: 'cashier',
    params: params({ lane: LaneName }),
    result: Type.Object({ lane: Type.String(), drawerOpen: Nullable(Type.Boolean()), realtime: Type.Boolean() }),
    errors: ['NOT_FOUND', 'DEVICE_UNAVAILABLE'],
  },
  'payment.start': {
    summary: 'Starts a payment on a lane (idempotent by reference).',
    role: 'cashier',
    params: params({
      lane: LaneName,
      type: PaymentType,
      amount: Type.Integer({ minimum: 1, maximum: 99_999_999, description: 'minor units' }),
      currency: OneOf(API_CURRENCIES, { description: 'ISO 4217 alpha code' }),
      reference: str(64, 'your unique id for this payment'),
    }),
    result: Type.Object({ paymentId: Type.String(), created: Type.Boolean(), state: Type.String() }),
    errors: ['NOT_FOUND', 'BUSY', 'FORBIDDEN'],
  },
  'payment.status': {
    summary: "A payment's current state or final result, by paymentId or reference (give one).",
    role: 'cashier',
    params: params({ paymentId: Type.Optional(PaymentId), reference: Type.Optional(str(64)) }),
    result: Payment,
    errors: ['NOT_FOUND'],
  },
  'payment.cancel': {
    summary: 'Cancels a running payment (reversed if the request already left).',
    role: 'cashier',
    params: params({ paymentId: PaymentId }),
    result: Type.Object({ paymentId: Type.String(), cancelling: Type.Boolean() }),
    errors: ['NOT_FOUND'],
  },
  'payment.list': {
    summary: 'Payments created between two times.',
    role: 'cashier',
    params: params({
      from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time' })),
      to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time' })),
    }),
    result: Type.Object({ payments: Type.Array(Payment) }),
    errors: [],
  },
  'payment.capture': {
    summary: 'Captures an approved pre-authorisation once, for at most its amount.',
    role: 'cashier',
    params: params({ paymentId: PaymentId, amount: Type.Optional(Type.Integer({ minimum: 1, description: 'minor units; default: the authorised amount' })) }),
    result: Type.Object({ paymentId: Type.String(), captured: Type.Integer() }),
    errors: ['NOT_FOUND'],
  },
  'receipt.get': {
    summary: "A payment's receipt as text and an SVG preview.",
    role: 'cashier',
    params: params({ paymentId: PaymentId, copy: Type.Optional(ReceiptCopy) }),
    result: Type.Object({ paymentId: Type.String(), copy: ReceiptCopy, text: Type.String(), svg: Type.String() }),
    errors: ['NOT_FOUND'],
  },
  'receipt.print': {
    summary: "Prints a payment's receipt once, or queues it until the printer can; reprint prints again, marked COPY.",
    role: 'cashier',
    params: params({ paymentId: PaymentId, copy: Type.Optional(ReceiptCopy), reprint: Type.Optional(Type.Boolean()) }),
    result: Type.Object({
      jobId: Type.Integer(),
      paymentId: Type.String(),
      copy: ReceiptCopy,
      state: OneOf(['printed', 'queued', 'unconfirmed'] as const),
      markedCopy: Type.Boolean(),
      waitingFor: Type.Optional(Type.String({ description: "the printer's error code while queued" })),
    }),
    errors: ['NOT_FOUND', 'DEVICE_UNAVAILABLE', 'ALREADY_PRINTED'],
  },
  'invoice.request': {
    summary: 'Records a request for an invoice of an approved sale (or a captured pre-authorisation) and delivers it to the invoicing service; idempotent per payment.',
    role: 'cashier',
    params: params({
      paymentId: PaymentId,
      buyer: Type.Object(
        {
          name: str(100, 'the person or company the invoice is issued to'),
          taxId: Type.Optional(Type.String({ minLength: 15, maxLength: 20, description: "the company's tax id: 15–20 letters and digits (an 18-character unified social credit code)" })),
          email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: 'where the invoicing service may send the invoice' })),
        },
        { additionalProperties: false },
      ),
    }),
    result: Type.Composite([InvoiceRequest, Type.Object({ created: Type.Boolean({ description: "false: the payment's live request, returned as it is" }) })]),
    errors: ['NOT_FOUND', 'NOT_INVOICEABLE', 'DISABLED'],
  },
  'invoice.status': {
    summary: "A payment's invoice requests, newest first (empty when none was made).",
    role: 'cashier',
    params: params({ paymentId: PaymentId }),
    result: Type.Object({ paymentId: Type.String(), requests: Type.Array(InvoiceRequest) }),
    errors: ['NOT_FOUND'],
  },
  'invoice.list': {
    summary: 'Invoice requests made between two times, optionally in one state.',
    role: 'cashier',
    params: params({
      from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time' })),
      to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time' })),
      state: Type.Optional(OneOf(INVOICE_STATES)),
    }),
    result: Type.Object({ requests: Type.Array(InvoiceRequest) }),
    errors: [],
  },
  'payment.reverse': {
    summary: 'Voids a completed, approved sale not yet settled (a reversal to the host).',
    role: 'supervisor',
    params: params({ paymentId: PaymentId }),
    result: Payment,
    errors: ['NOT_FOUND'],
  },
  'settlement.close': {
    summary: "Closes the open batch with the host (after delivering the queue's reversals and advices).",
    role: 'supervisor',
    params: NoParams,
    result: Type.Object({
      batchId: Nullable(Type.Integer()),
      closed: Type.Boolean(),
      currencies: Type.Array(
        Type.Object({
          currency: Type.String(),
          salesCount: Type.Integer(),
          salesAmount: Type.Integer(),
          refundsCount: Type.Integer(),
          refundsAmount: Type.Integer(),
          salesReversedCount: Type.Integer(),
          salesReversedAmount: Type.Integer(),
          refundsReversedCount: Type.Integer(),
          refundsReversedAmount: Type.Integer(),
          responseCode: Type.String(),
          uploaded: Type.Integer(),
          agreed: Type.Boolean(),
        }),
      ),
      shiftsClosed: Type.Array(ShiftClosed, { description: 'the shifts still open, closed by this settlement (each printed on its lane)' }),
    }),
    errors: ['BUSY'],
  },
  'report.get': {
    summary: 'Totals of a period per group and currency, and the settled batches beside the host’s totals (a cashier: its own payments only).',
    role: 'cashier',
    params: params({
      from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time, inclusive; a cashier may leave from and to out: its latest shift' })),
      to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time, exclusive' })),
      groupBy: Type.Optional(Type.Array(OneOf(REPORT_GROUP_KEYS), { maxItems: 5, uniqueItems: true, description: 'besides the currency (always)' })),
      lane: Type.Optional(LaneName),
      cashier: Type.Optional(str(100, "an API client's name; a cashier token gets only its own")),
    }),
    result: Report,
    errors: ['NOT_FOUND'],
  },
  'report.print': {
    summary: "Prints the report of a period on the lane's printer through the print queue.",
    role: 'supervisor',
    params: params({
      lane: LaneName,
      from: Type.String({ maxLength: 40, description: 'ISO 8601 time, inclusive' }),
      to: Type.String({ maxLength: 40, description: 'ISO 8601 time, exclusive' }),
      onlyLane: Type.Optional(Type.Boolean({ description: "only the lane's payments (default: every lane's)" })),
    }),
    result: DocumentPrint,
    errors: ['NOT_FOUND', 'DEVICE_UNAVAILABLE'],
  },
  'shift.open': {
    summary: 'Opens a shift of the calling client (the cashier) on a lane.',
    role: 'cashier',
    params: params({ lane: LaneName }),
    result: ShiftShape,
    errors: ['NOT_FOUND', 'BUSY'],
  },
  'shift.close': {
    summary: "Closes the calling client's shift on a lane: returns its totals and prints them on the lane's printer.",
    role: 'cashier',
    params: params({ lane: LaneName }),
    result: ShiftClosed,
    errors: ['NOT_FOUND'],
  },
  'diag.transmit': {
    summary: "Sends one APDU to the lane's card (off unless the configuration turns it on).",
    role: 'admin',
    params: params({ lane: LaneName, apdu: str(600, 'command APDU in hex') }),
    result: Type.Object({ response: Type.String({ description: 'hex, card numbers masked' }) }),
    errors: ['DISABLED', 'NOT_FOUND', 'DEVICE_UNAVAILABLE'],
  },
  'sim.profiles': {
    summary: "The demo's virtual card profiles.",
    role: 'cashier',
    demoOnly: true,
    params: NoParams,
    result: Type.Object({ profiles: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), pin: Type.String(), expected: OneOf(['approved', 'declined', 'failed', 'try-another-interface'] as const) })) }),
    errors: [],
  },
  'sim.insertCard': {
    summary: "Puts a virtual card of a profile in the lane's reader.",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName, profile: str(64, 'a name from sim.profiles') }),
    result: Type.Object({ inserted: Type.String() }),
    errors: ['NOT_FOUND'],
  },
  'sim.tapCard': {
    summary: "Presents a virtual contactless card (or phone) of a profile to the lane's contactless reader; it stays in the field until sim.removeCard or the next tap.",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName, profile: str(64, 'a name from sim.profiles (a contactless one: visa-qvsdc-*, mastercard-contactless-*, maestro-contactless-online-pin, unionpay-quickpass)') }),
    result: Type.Object({ tapped: Type.String() }),
    errors: ['NOT_FOUND'],
  },
  'sim.removeCard': {
    summary: "Takes the virtual card out of the lane's reader (and out of its contactless field).",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName }),
    result: Type.Object({ removed: Type.Boolean() }),
    errors: ['NOT_FOUND'],
  },
  'sim.enterPin': {
    summary: "Types a PIN on the lane's virtual PIN pad.",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName, pin: Type.String({ pattern: '^[0-9]{4,12}$', description: '4 to 12 digits' }) }),
    result: Type.Object({ entered: Type.Boolean() }),
    errors: ['NOT_FOUND'],
  },
  'sim.setPrinter': {
    summary: "Sets what the demo's emulated printer reports.",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName, status: OneOf(SIM_PRINTER_STATUSES) }),
    result: Type.Object({ status: Type.String() }),
    errors: ['NOT_FOUND', 'DISABLED'],
  },
  'sim.printed': {
    summary: "What the demo's emulated printer has printed (text lines, cuts, images), from an index on; the demo's lanes share it.",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName, since: Type.Optional(Type.Integer({ minimum: 0, description: "the `next` of an earlier call: only what was printed after it; default 0, everything" })) }),
    result: Type.Object({
      items: Type.Array(
        Type.Object({
          kind: OneOf(['line', 'cut', 'image'] as const),
          text: Type.Optional(Type.String({ description: 'a line, decoded with the code page the printer was told' })),
          width: Type.Optional(Type.Integer({ description: "an image's width in dots" })),
          height: Type.Optional(Type.Integer({ description: "an image's height in dots" })),
        }),
      ),
      next: Type.Integer({ description: 'pass it as `since` to get only what comes next' }),
    }),
    errors: ['NOT_FOUND', 'DISABLED'],
  },
  'sim.swipeCard': {
    summary: "Swipes a public test card on the lane's virtual stripe reader.",
    role: 'cashier',
    demoOnly: true,
    params: params({ lane: LaneName, card: Type.Optional(OneOf(SIM_STRIPE_CARD_NAMES, { description: 'default mastercard-stripe' })), badRead: Type.Optional(Type.Boolean()) }),
    result: Type.Object({ swiped: Type.String() }),
    errors: ['NOT_FOUND', 'DISABLED'],
  },
  'sim.alterHost': {
    summary: "Alters what the host simulator counted of a payment (another amount, or dropped), so the next settlement disagrees.",
    role: 'cashier',
    demoOnly: true,
    params: params({
      reference: str(64, "the payment's reference"),
      amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 99_999_999, description: 'minor units: what the host now counts' })),
      drop: Type.Optional(Type.Boolean({ description: 'the host no longer counts it' })),
    }),
    result: Type.Object({ reference: Type.String(), stan: Type.String() }),
    errors: ['NOT_FOUND', 'DISABLED'],
  },
  'sim.invoiceEndpoint': {
    summary: "What the demo's invoicing-service simulator received, and (optionally) the failures it answers next.",
    role: 'cashier',
    demoOnly: true,
    params: params({
      failNext: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'answer the next N requests 503' })),
      dropNext: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'close the connection of the next N requests without an answer' })),
      rejectNext: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'answer the next N requests 422 (a permanent refusal)' })),
    }),
    result: Type.Object({
      requests: Type.Integer({ description: 'HTTP requests received (repeats included)' }),
      invoices: Type.Array(Type.Object({ invoiceNumber: Type.String(), idempotencyKey: Type.String(), paymentId: Type.String(), reference: Type.String(), amount: Type.String(), currency: Type.String(), buyer: Type.String(), maskedPan: Nullable(Type.String()), deliveries: Type.Integer() })),
    }),
    errors: ['DISABLED'],
  },
  'sim.setHost': {
    summary: "Sets the host simulator's failure mode.",
    role: 'cashier',
    demoOnly: true,
    params: params({ mode: OneOf(SIM_HOST_MODES) }),
    result: Type.Object({ mode: Type.String() }),
    errors: ['DISABLED'],
  },
} as const satisfies Record<string, MethodContract>;

/** A method's name. */
export type MethodName = keyof typeof METHODS;
/** A method's params, as its handler receives them (validated). */
export type MethodParams<N extends MethodName> = Static<(typeof METHODS)[N]['params']>;
/** A method's result. */
export type MethodResult<N extends MethodName> = Static<(typeof METHODS)[N]['result']>;

/** True when `name` is a method of the contract. */
export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, name);
}
