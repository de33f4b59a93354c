// The report's and the shifts' shapes as JSON Schema (TypeBox): report.get, report.print, shift.open, shift.close
// and settlement.close's closed shifts. docs/reports.md says what each line means.
import { Type } from '@sinclair/typebox';
import { Nullable, OneOf } from './shapes.js';

/** What report.get may group by (GROUP_KEYS of src/reports/report.ts; a test keeps both equal). */
export const REPORT_GROUP_KEYS = ['currency', 'scheme', 'entryMode', 'cashier', 'lane'] as const;

/** A report line: how many, how much in minor units, and that amount as a decimal in its currency's exponent. */
export const ReportLine = Type.Object({
  count: Type.Integer(),
  amount: Type.Integer({ description: 'minor units' }),
  decimal: Type.String({ description: 'the amount with the currency exponent applied, e.g. "12.34"' }),
});

const key = Nullable(Type.String());

/** One group's totals in one currency. */
export const ReportGroup = Type.Object(
  {
    key: Type.Object({ currency: Type.Optional(key), scheme: Type.Optional(key), entryMode: Type.Optional(key), cashier: Type.Optional(key), lane: Type.Optional(key) }),
    currency: Type.String({ description: 'ISO 4217 alpha code' }),
    exponent: Type.Integer({ description: 'minor unit digits of the currency (JPY 0, EUR 2)' }),
    lines: Type.Object({
      sales: ReportLine,
      refunds: ReportLine,
      preauths: ReportLine,
      captures: ReportLine,
      reversals: ReportLine,
      declines: ReportLine,
      cancellations: ReportLine,
      inProgress: ReportLine,
    }),
    net: ReportLine,
  },
  { description: 'Totals of one group and currency (docs/reports.md)' },
);

const SettlementTotals = Type.Object({
  salesCount: Type.Integer(),
  salesAmount: Type.Integer(),
  refundsCount: Type.Integer(),
  refundsAmount: Type.Integer(),
  salesReversedCount: Type.Integer(),
  salesReversedAmount: Type.Integer(),
  refundsReversedCount: Type.Integer(),
  refundsReversedAmount: Type.Integer(),
  net: Type.Integer({ description: 'sales less their reversals less (refunds less theirs), minor units' }),
});

/** One currency of a settled batch: ours beside the host's, the difference, and each item the host had otherwise. */
export const ReconciliationLine = Type.Object(
  {
    batchId: Type.Integer(),
    status: OneOf(['open', 'settling', 'closed'] as const),
    closedAt: Nullable(Type.String({ description: 'ISO 8601' })),
    currency: Type.String(),
    exponent: Type.Integer(),
    ours: SettlementTotals,
    host: Nullable(SettlementTotals),
    responseCode: Nullable(Type.String({ description: "the first 0510's field 39" })),
    finalResponseCode: Nullable(Type.String({ description: "the 0510's after a batch upload; null when none" })),
    agreed: Type.Boolean(),
    differs: Type.Boolean({ description: "the host's first totals differed from ours" }),
    difference: Type.Integer({ description: "our net less the host's, minor units" }),
    items: Type.Array(
      Type.Object({
        reference: Type.String(),
        paymentId: Type.String(),
        kind: OneOf(['sale', 'refund'] as const),
        issue: OneOf(['host-missing', 'amount-differs', 'host-reversed'] as const),
        amount: Type.Integer(),
        hostAmount: Type.Integer(),
        difference: Type.Integer(),
      }),
    ),
    unattributed: Type.Integer({ description: 'the part of the difference no item explains' }),
  },
);

/** report.get's result. */
export const Report = Type.Object(
  {
    from: Type.String({ description: 'ISO 8601' }),
    to: Type.String({ description: 'ISO 8601' }),
    lane: Nullable(Type.String()),
    cashier: Nullable(Type.String()),
    groupBy: Type.Array(Type.String()),
    payments: Type.Integer({ description: 'how many payments the period holds' }),
    groups: Type.Array(ReportGroup),
    totals: Type.Array(ReportGroup, { description: 'the same per currency only' }),
    settlement: Type.Array(ReconciliationLine, { description: 'batches closed in the period or still settling (empty for a cashier)' }),
  },
);

/** A document print request's outcome (report.print, shift.close). */
export const DocumentPrint = Type.Object({
  jobId: Type.Integer(),
  title: Type.String(),
  state: OneOf(['printed', 'queued', 'unconfirmed'] as const),
  waitingFor: Type.Optional(Type.String({ description: "the printer's error code while queued" })),
});

/** A shift. */
export const Shift = Type.Object(
  {
    shiftId: Type.Integer(),
    lane: Type.String(),
    cashier: Type.String(),
    openedAt: Type.String({ description: 'ISO 8601' }),
    closedAt: Nullable(Type.String({ description: 'ISO 8601' })),
    closedBy: Nullable(OneOf(['cashier', 'settlement'] as const)),
  },
);

/** A closed shift with its totals and its printout. */
export const ShiftClosed = Type.Object({
  shift: Shift,
  totals: Type.Array(ReportGroup),
  print: Nullable(DocumentPrint),
});
