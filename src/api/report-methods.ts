import type { Static } from '@sinclair/typebox';
import type { Batches } from '../journal/batches.js';
import type { Db } from '../journal/database.js';
import type { Merchant } from '../receipts/receipt-document.js';
import type { ReceiptPrinting } from '../receipts/receipt-printing.js';
import { buildReport, type Report } from '../reports/report-source.js';
import { reportDocument } from '../reports/report-document.js';
import type { ClosedShift, ShiftDesk } from '../reports/shift-desk.js';
import type { Shift } from '../reports/shifts.js';
import { defineMethod } from './contract/define.js';
import type { Report as ReportShape, Shift as ShiftShape, ShiftClosed } from './contract/report-shapes.js';
import { ApiError } from './errors.js';
import type { MethodSpec } from './rpc.js';

/** What the report and shift methods need. */
export interface ReportMethodDeps {
  readonly db: Db;
  readonly batches: Batches;
  readonly merchant: Merchant;
  readonly lanes: readonly string[];
  readonly desk: ShiftDesk;
  readonly printingFor: (lane: string) => ReceiptPrinting | undefined;
  readonly clock: () => number;
}

/** A report as the API shows it (times ISO 8601, no payment list: payment.list has them). */
export function reportView(r: Report): Static<typeof ReportShape> {
  return {
    from: new Date(r.from).toISOString(),
    to: new Date(r.to).toISOString(),
    lane: r.lane,
    cashier: r.cashier,
    groupBy: [...r.groupBy],
    payments: r.payments.length,
    groups: r.groups.map((g) => ({ ...g, key: { ...g.key } })),
    totals: r.totals.map((g) => ({ ...g, key: { ...g.key } })),
    settlement: r.settlement.map((s) => ({ ...s, closedAt: s.closedAt === null ? null : new Date(s.closedAt).toISOString(), items: [...s.items] })),
  };
}

/** A shift as the API shows it. */
export function shiftView(s: Shift): Static<typeof ShiftShape> {
  return { shiftId: s.id, lane: s.lane, cashier: s.cashier, openedAt: new Date(s.openedAt).toISOString(), closedAt: s.closedAt === null ? null : new Date(s.closedAt).toISOString(), closedBy: s.closedBy };
}

/** A closed shift as the API shows it: the shift, its totals per currency and its printout. */
export function closedShiftView(c: ClosedShift): Static<typeof ShiftClosed> {
  return { shift: shiftView(c.shift), totals: reportView(c.report).totals, print: c.print ? { ...c.print } : null };
}

function timeOf(value: string, param: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ApiError('INVALID_PARAMS', `${param} must be an ISO 8601 time`, { param });
  return t;
}

/** report.get, report.print (supervisor), shift.open and shift.close (the calling client's own shift). */
export function reportMethods(d: ReportMethodDeps): Map<string, MethodSpec> {
  const laneOf = (lane: string): string => {
    if (!d.lanes.includes(lane)) throw new ApiError('NOT_FOUND', `no lane "${lane}"; lanes: ${d.lanes.join(', ')}`, { param: 'lane' });
    return lane;
  };
  const cashierName = (client: { name: string } | null): string => {
    if (!client) throw new ApiError('UNAUTHENTICATED', 'say session.hello first');
    return client.name;
  };
  return new Map<string, MethodSpec>([
    defineMethod('report.get', ({ from, to, groupBy, lane, cashier }, session) => {
      const role = session.client?.role ?? 'cashier';
      if (lane !== undefined) laneOf(lane);
      if (role === 'cashier') {
        // A cashier sees its own payments only, by default those of its latest shift; never the terminal's batches.
        const me = cashierName(session.client);
        if (cashier !== undefined && cashier !== me) throw new ApiError('FORBIDDEN', 'a cashier token sees only its own payments: leave cashier out or give your own name');
        let start = from === undefined ? null : timeOf(from, 'from');
        let end = to === undefined ? null : timeOf(to, 'to');
        if (start === null || end === null) {
          const shift = d.desk.latest(me);
          if (!shift) throw new ApiError('NOT_FOUND', `${me} has no shift: give from and to, or open one with shift.open`);
          start ??= shift.openedAt;
          end ??= (shift.closedAt ?? d.clock()) + 1;
        }
        const r = buildReport(d.db, d.batches, { from: start, to: end, cashier: me, ...(lane !== undefined ? { lane } : {}), ...(groupBy ? { groupBy } : {}) });
        return reportView({ ...r, settlement: [] });
      }
      if (from === undefined || to === undefined) throw new ApiError('INVALID_PARAMS', 'give from and to (ISO 8601 times)', { param: from === undefined ? 'from' : 'to' });
      const r = buildReport(d.db, d.batches, { from: timeOf(from, 'from'), to: timeOf(to, 'to'), ...(lane !== undefined ? { lane } : {}), ...(cashier !== undefined ? { cashier } : {}), ...(groupBy ? { groupBy } : {}) });
      return reportView(r);
    }),
    defineMethod('report.print', async ({ lane, from, to, onlyLane = false }) => {
      laneOf(lane);
      const printing = d.printingFor(lane);
      if (!printing) throw new ApiError('DEVICE_UNAVAILABLE', `lane ${lane} has no receipt printer ("printers" and the lane's "printer" in the daemon config)`, { device: 'printer', lane });
      const r = buildReport(d.db, d.batches, { from: timeOf(from, 'from'), to: timeOf(to, 'to'), ...(onlyLane ? { lane } : {}) });
      const doc = reportDocument(r, d.merchant, d.merchant.language, { cpl: printing.layout.cpl, kind: 'day' });
      return { ...(await printing.printDocument(doc, `report ${from} - ${to}`, d.clock())) };
    }),
    defineMethod('shift.open', ({ lane }, session) => shiftView(d.desk.open(laneOf(lane), cashierName(session.client), d.clock()))),
    defineMethod('shift.close', async ({ lane }, session) => closedShiftView(await d.desk.close(laneOf(lane), cashierName(session.client), d.clock(), 'cashier'))),
  ]);
}
