// The API's shared data shapes as JSON Schema (TypeBox): a payment, a lane's devices, a printer's status. The
// method and notification contracts (methods.ts, notifications.ts) are built from these; the typed client's types are
// `Static<>` of them; the OpenRPC document puts them in `components.schemas` under their `$id`.
import { Type, type TLiteral, type TNull, type TSchema, type TUnion } from '@sinclair/typebox';

/** A nullable schema: the value or null. */
export function Nullable<T extends TSchema>(t: T): TUnion<[T, TNull]> {
  return Type.Union([t, Type.Null()]);
}

/** One of a fixed list of strings (a union of literals: `enum` for TypeScript, `anyOf` of `const` in the schema). */
export function OneOf<const T extends readonly string[]>(values: T, options: { description?: string } = {}): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v: T[number]) => Type.Literal(v)),
    options,
  );
}

/** The ISO 4217 alpha codes the API takes (src/util/currency.ts lists their numeric codes; a test keeps both equal). */
export const API_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'HUF', 'JPY', 'CNY', 'CAD', 'AUD'] as const;

/** Every state of a payment (docs/api.md, "Payment states"). */
export const PAYMENT_STATES = ['created', 'card-read', 'authorizing', 'authorized', 'completed', 'declined', 'cancelled', 'failed', 'reversal-pending', 'reversed'] as const;

/** A lane's name as the configuration gives it. */
export const LaneName = Type.String({ minLength: 1, maxLength: 40, description: 'a lane name from the configuration' });
/** A payment id as payment.start answers it. */
export const PaymentId = Type.String({ minLength: 1, maxLength: 64 });
/** The kind of payment. */
export const PaymentType = OneOf(['sale', 'refund', 'preauth'] as const);
/** A receipt copy. */
export const ReceiptCopy = OneOf(['customer', 'merchant'] as const);

/** A payment as the API shows it: never a full PAN, track data, PIN data or CVV. */
export const Payment = Type.Object(
  {
    paymentId: Type.String(),
    reference: Type.String(),
    lane: Type.String(),
    type: PaymentType,
    amount: Type.Integer({ description: 'minor units' }),
    currency: Type.String({ description: 'ISO 4217 alpha code' }),
    state: OneOf(PAYMENT_STATES),
    result: Nullable(OneOf(['approved', 'declined', 'cancelled', 'failed'] as const, { description: 'the authorisation outcome once final; check state before treating a payment as paid' })),
    maskedPan: Nullable(Type.String()),
    aid: Nullable(Type.String()),
    cvm: Nullable(Type.String({ description: 'offline-pin, online-pin, cdcvm (verified on the phone), signature, no-cvm, failed, …' })),
    entryMode: Nullable(OneOf(['chip', 'contactless', 'swiped', 'fallback'] as const)),
    authCode: Nullable(Type.String()),
    responseCode: Nullable(Type.String()),
    reason: Nullable(Type.String({ description: 'words for people, not a stable code' })),
    createdAt: Type.String({ description: 'ISO 8601' }),
    updatedAt: Type.String({ description: 'ISO 8601' }),
  },
  { $id: 'Payment', description: 'A payment as the API shows it' },
);

/** A payment's change after its end (`payment.updated`): the payment as after the change, and what changed. */
export const PaymentUpdate = Type.Composite(
  [
    Payment,
    Type.Object({
      change: Type.String({ description: 'state (moved from `from`), captured (capturedAmount), reversal-manual (its reversal needs a person); ignore other values' }),
      from: Type.String(),
      detail: Nullable(Type.String()),
      capturedAmount: Type.Optional(Type.Integer()),
    }),
  ],
  { $id: 'PaymentUpdate', description: 'A payment changed after its payment.completed' },
);

/** A printer's status as devices.list reports it, or `{name, error}` when it cannot be read. */
export const PrinterState = Type.Union(
  [
    Type.Object({ name: Type.String(), online: Type.Boolean(), coverOpen: Type.Boolean(), paper: OneOf(['ok', 'near-end', 'end'] as const), drawerOpen: Type.Boolean() }),
    Type.Object({ name: Type.String(), error: Type.String({ description: "the printer's error code" }) }),
  ],
  { $id: 'PrinterState' },
);

const Device = Type.Object({ kind: Type.String(), connected: Type.Boolean() });

/** One lane's devices (devices.list). */
export const LaneDevices = Type.Object(
  {
    lane: Type.String(),
    reader: Type.String(),
    connected: Type.Boolean(),
    cardPresent: Type.Boolean(),
    pinpad: Nullable(Type.Object({ kind: Type.String({ description: 'virtual, reader or serial' }), connected: Type.Boolean() })),
    printer: Nullable(PrinterState),
    display: Nullable(Device),
    stripe: Type.Optional(Nullable(Type.Object({ kind: Type.String({ description: 'virtual or hid' }), connected: Type.Boolean(), error: Type.Optional(Type.String()) }))),
  },
  { $id: 'LaneDevices' },
);

/** The states of an invoice request (docs/invoices.md). */
export const INVOICE_STATES = ['pending', 'delivering', 'delivered', 'failed-permanent'] as const;

/** An invoice request as the API shows it (invoice.request, invoice.status, invoice.list, invoice.* notifications). */
export const InvoiceRequest = Type.Object(
  {
    requestId: Type.String(),
    paymentId: Type.String(),
    idempotencyKey: Type.String({ description: 'the Idempotency-Key every attempt carries (a UUID)' }),
    buyer: Type.Object({ name: Type.String(), taxId: Type.Optional(Type.String()), email: Type.Optional(Type.String()) }),
    state: OneOf(INVOICE_STATES),
    attempts: Type.Integer({ description: 'attempts made so far' }),
    nextAttemptAt: Nullable(Type.String({ description: 'ISO 8601; while pending' })),
    lastError: Nullable(Type.String({ description: "the last failed attempt's words (HTTP status and body, or the network error)" })),
    invoiceNumber: Nullable(Type.String({ description: "the endpoint's invoiceNumber, when its answer had one" })),
    createdAt: Type.String({ description: 'ISO 8601' }),
    deliveredAt: Nullable(Type.String({ description: 'ISO 8601' })),
  },
  { $id: 'InvoiceRequest', description: 'An invoice request and where its delivery is' },
);

/** Every shared shape with an `$id`: the OpenRPC document's `components.schemas`. */
export const SHARED_SHAPES: readonly TSchema[] = [Payment, PaymentUpdate, PrinterState, LaneDevices, InvoiceRequest];
