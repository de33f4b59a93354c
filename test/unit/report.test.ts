// The report's arithmetic (src/reports/report.ts) and its CSV: every line is the sum of the payments of its kind,
// reversed and declined payments only in their own lines, amounts in each currency's exponent, and the
// reconciliation's difference explained by the items the host had otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decimalOf, lineOf, reconcile, reportGroups, LINE_KINDS, type ReportCapture, type ReportPayment } from '../../src/reports/report.js';
import { csvCell, reportCsv, REPORT_CSV_COLUMNS } from '../../src/reports/report-csv.js';
import type { ReportPaymentRow } from '../../src/reports/report-source.js';
import { PAYMENT_STATES } from '../../src/payments/states.js';

const payment = fc.record({
  id: fc.uuid(),
  reference: fc.string({ minLength: 1, maxLength: 8 }),
  lane: fc.constantFrom('A', 'B'),
  cashier: fc.constantFrom('ann', 'bob', null),
  type: fc.constantFrom('sale' as const, 'refund' as const, 'preauth' as const),
  state: fc.constantFrom(...PAYMENT_STATES),
  result: fc.constantFrom('approved', 'declined', 'cancelled', 'failed', null),
  amount: fc.integer({ min: 1, max: 99_999_999 }),
  currency: fc.constantFrom('978', '392', '840'),
  scheme: fc.constantFrom('visa', 'mastercard', null),
  entryMode: fc.constantFrom('chip' as const, 'contactless' as const, 'swiped' as const, null),
  createdAt: fc.integer({ min: 0, max: 2e12 }),
});

const sum = (ps: readonly ReportPayment[], pred: (p: ReportPayment) => boolean): [number, number] => [ps.filter(pred).length, ps.filter(pred).reduce((s, p) => s + p.amount, 0)];

test('property: each line per currency is the count and sum of the payments of its kind; groups add up to the totals', () => {
  fc.assert(
    fc.property(fc.array(payment, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 5 }), (ps, capAmounts) => {
      const captures: ReportCapture[] = ps.filter((p) => p.type === 'preauth').slice(0, capAmounts.length).map((p, i) => ({ payment: p, amount: capAmounts[i] ?? 1, at: p.createdAt }));
      const totals = reportGroups(ps, captures, ['currency']);
      for (const g of totals) {
        const inCur = ps.filter((p) => (p.currency === '978' ? 'EUR' : p.currency === '392' ? 'JPY' : 'USD') === g.currency);
        const approved = (p: ReportPayment) => p.state === 'completed' && (p.result === 'approved' || p.result === null);
        assert.deepEqual([g.lines.sales.count, g.lines.sales.amount], sum(inCur, (p) => approved(p) && p.type === 'sale'));
        assert.deepEqual([g.lines.refunds.count, g.lines.refunds.amount], sum(inCur, (p) => approved(p) && p.type === 'refund'));
        assert.deepEqual([g.lines.reversals.count, g.lines.reversals.amount], sum(inCur, (p) => p.state === 'reversed' || p.state === 'reversal-pending'));
        assert.deepEqual(g.lines.declines.count, sum(inCur, (p) => p.state === 'declined' || (p.state === 'completed' && p.result === 'declined'))[0]);
        const caps = captures.filter((c) => (inCur as readonly ReportPayment[]).includes(c.payment));
        assert.equal(g.lines.captures.amount, caps.reduce((s, c) => s + c.amount, 0));
        assert.equal(g.net.amount, g.lines.sales.amount + g.lines.captures.amount - g.lines.refunds.amount);
        // Every payment is in exactly one line.
        assert.equal(LINE_KINDS.filter((k) => k !== 'captures').reduce((s, k) => s + g.lines[k].count, 0), inCur.length);
        assert.equal(g.lines.sales.decimal, decimalOf(g.lines.sales.amount, g.exponent));
      }
      // Finer groups add up to the per-currency totals.
      const fine = reportGroups(ps, captures, ['lane', 'cashier', 'scheme', 'entryMode']);
      for (const g of totals) {
        for (const k of LINE_KINDS) {
          const parts = fine.filter((f) => f.currency === g.currency);
          assert.equal(parts.reduce((s, f) => s + f.lines[k].amount, 0), g.lines[k].amount, `${g.currency} ${k}`);
        }
      }
    }),
  );
});

test('a reversed or declined sale is in its own line, never in sales', () => {
  assert.equal(lineOf({ state: 'reversed', result: 'approved', type: 'sale' }), 'reversals');
  assert.equal(lineOf({ state: 'declined', result: 'declined', type: 'sale' }), 'declines');
  assert.equal(lineOf({ state: 'failed', result: 'failed', type: 'refund' }), 'cancellations');
  assert.equal(lineOf({ state: 'authorizing', result: null, type: 'sale' }), 'inProgress');
});

test("amounts use each currency's exponent", () => {
  assert.equal(decimalOf(1234, 2), '12.34');
  assert.equal(decimalOf(5, 2), '0.05');
  assert.equal(decimalOf(1234, 0), '1234');
  assert.equal(decimalOf(-1234, 3), '-1.234');
});

test("the reconciliation names each item the host had otherwise and leaves the rest unattributed", () => {
  const totals = { currency: '978', salesCount: 2, salesAmount: 3000, refundsCount: 0, refundsAmount: 0, salesReversedCount: 0, salesReversedAmount: 0, refundsReversedCount: 0, refundsReversedAmount: 0 };
  const [line] = reconcile([
    {
      batchId: 7,
      status: 'closed',
      closedAt: 1,
      totals: [totals],
      hostAnswers: [
        { currency: '978', round: 'first', responseCode: '95', totals: { ...totals, salesAmount: 2800 }, net: 'C0000000000002800' },
        { currency: '978', round: 'final', responseCode: '00', totals: { ...totals }, net: 'C0000000000003000' },
      ],
      itemAnswers: [
        { ref: 'p1', kind: 'sale', responseCode: '00', hostAmount: null },
        { ref: 'p2', kind: 'sale', responseCode: 'N2', hostAmount: 1800 },
      ],
      items: [
        { ref: 'p1', reference: 'R1', kind: 'sale', amount: 1000, currency: '978' },
        { ref: 'p2', reference: 'R2', kind: 'sale', amount: 2000, currency: '978' },
      ],
      agreed: new Set(['978']),
    },
  ]);
  assert.ok(line);
  assert.equal(line.currency, 'EUR');
  assert.equal(line.differs, true);
  assert.equal(line.agreed, true);
  assert.equal(line.difference, 200);
  assert.deepEqual(line.items, [{ reference: 'R2', paymentId: 'p2', kind: 'sale', issue: 'amount-differs', amount: 2000, hostAmount: 1800, difference: 200 }]);
  assert.equal(line.unattributed, 0);
});

test('CSV: RFC 4180 quoting, formula cells neutralised, stable header, CRLF records', () => {
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=1+2'), "'=1+2");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('-3'), "'-3");
  assert.equal(csvCell(-3), '-3');
  assert.equal(csvCell(null), '');
  const row: ReportPaymentRow = {
    id: 'id-1',
    reference: '+cmd',
    lane: 'A',
    cashier: 'ann',
    type: 'sale',
    state: 'completed',
    result: 'approved',
    amount: 1234,
    currency: '392',
    scheme: 'visa',
    entryMode: 'chip',
    createdAt: Date.UTC(2026, 11, 5, 9),
    maskedPan: '476173******0119',
    authCode: 'A00001',
    terminalId: 'TERM0001',
    batchId: 3,
    settled: true,
    capturedAmount: null,
  };
  const csv = reportCsv([row]);
  const [header, record, end] = csv.split('\r\n');
  assert.equal(header, REPORT_CSV_COLUMNS.join(','));
  assert.equal(record, "'+cmd,id-1,2026-12-05T09:00:00.000Z,A,ann,sale,completed,sales,approved,1234,JPY,0,1234,,visa,chip,476173******0119,A00001,TERM0001,3,true");
  assert.equal(end, '');
});

test('the printed report: totals per currency, the reconciliation named by reference, Chinese labels for zh', async () => {
  const { reportDocument } = await import('../../src/reports/report-document.js');
  const { renderText } = await import('../../src/drivers/printer/render.js');
  const p = (over: Partial<ReportPayment>): ReportPayment => ({ id: 'x', reference: 'r', lane: 'A', cashier: 'ann', type: 'sale', state: 'completed', result: 'approved', amount: 1000, currency: '978', scheme: 'visa', entryMode: 'chip', createdAt: 0, ...over });
  const payments = [p({ id: '1', amount: 1000 }), p({ id: '2', type: 'refund', amount: 300 }), p({ id: '3', state: 'declined', result: 'declined', amount: 1205 }), p({ id: '4', currency: '392', amount: 1500 })];
  const totals = reportGroups(payments, [], ['currency']);
  const eurTotals = { currency: '978', salesCount: 1, salesAmount: 1000, refundsCount: 1, refundsAmount: 300, salesReversedCount: 0, salesReversedAmount: 0, refundsReversedCount: 0, refundsReversedAmount: 0 };
  const settlement = reconcile([
    {
      batchId: 3,
      status: 'closed',
      closedAt: 1,
      totals: [eurTotals],
      hostAnswers: [{ currency: '978', round: 'first', responseCode: '95', totals: { ...eurTotals, salesCount: 0, salesAmount: 0 }, net: null }],
      itemAnswers: [{ ref: '1', kind: 'sale', responseCode: 'N1', hostAmount: null }],
      items: [{ ref: '1', reference: 'order-1', kind: 'sale', amount: 1000, currency: '978' }],
      agreed: new Set(['978']),
    },
  ]);
  const report = { from: Date.UTC(2026, 11, 5), to: Date.UTC(2026, 11, 6), lane: null, cashier: null, groupBy: ['currency' as const], groups: totals, totals, settlement, payments: [] };
  const merchant = { name: 'DEMO SHOP', address: ['1 Main St'], terminalId: 'TERM0001' };
  const en = renderText(reportDocument(report, merchant, 'en'), { cpl: 42, encoding: 'cp858' }).join('\n');
  assert.match(en, /DAY REPORT/);
  assert.match(en, /Sales \(1\)\s+10\.00/);
  assert.match(en, /Declined \(1\)\s+12\.05/);
  assert.match(en, /NET\s+7\.00 EUR/);
  assert.match(en, /Sales \(1\)\s+1500\b/, 'JPY has no decimals');
  assert.match(en, /Batch 3 EUR\s+NOT AGREED/);
  assert.match(en, /order-1\s+host missing 0\.00/);
  const zh = renderText(reportDocument(report, { ...merchant, language: 'zh' }, 'zh', { cpl: 42 }), { cpl: 42, encoding: 'gb18030' }).join('\n');
  for (const word of ['日结报表', '消费', '退货', '拒绝', '净额', '对账不平', '主机无此笔']) assert.ok(zh.includes(word), `${word} in\n${zh}`);
});

test('posbridge report --day: midnight to midnight in local time, or in UTC with --utc; --from/--to override', async () => {
  const { reportPeriod } = await import('../../src/cli/commands/report.js');
  assert.deepEqual(reportPeriod({ day: '2026-12-05' }), [new Date(2026, 11, 5).getTime(), new Date(2026, 11, 6).getTime()]);
  assert.deepEqual(reportPeriod({ day: '2026-12-05', utc: true }), [Date.UTC(2026, 11, 5), Date.UTC(2026, 11, 6)]);
  assert.deepEqual(reportPeriod({ day: '2026-12-05', utc: true, from: '2026-12-05T08:00:00Z' }), [Date.UTC(2026, 11, 5, 8), Date.UTC(2026, 11, 6)]);
  assert.throws(() => reportPeriod({ day: '2026-02-30', utc: true }), /not a date/);
  assert.throws(() => reportPeriod({ day: '5.12.2026' }), /YYYY-MM-DD/);
  assert.throws(() => reportPeriod({}), /--day/);
});
