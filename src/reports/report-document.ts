// The report on paper: one receiptline document (like a receipt: 80 or 58 mm, Chinese labels when the merchant's
// language is zh) with the totals per currency and, for a day report, the settlement's reconciliation.
import { big, centre, escapeReceiptText, markup, type Merchant, type ReceiptEntry } from '../receipts/receipt-document.js';
import type { ReceiptLanguage } from '../receipts/receipt-labels.js';
import { decimalOf, LINE_KINDS, type ItemIssue, type LineKind } from './report.js';
import type { Report } from './report-source.js';

/** The words of a printed report. */
interface ReportLabels {
  readonly title: Readonly<Record<'day' | 'shift', string>>;
  readonly from: string;
  readonly to: string;
  readonly lane: string;
  readonly cashier: string;
  readonly closedBy: Readonly<Record<'cashier' | 'settlement', string>>;
  readonly lines: Readonly<Record<LineKind, string>>;
  readonly net: string;
  readonly none: string;
  readonly batch: string;
  readonly ours: string;
  readonly host: string;
  readonly difference: string;
  readonly agreed: string;
  readonly notAgreed: string;
  readonly afterUpload: string;
  readonly unattributed: string;
  readonly issue: Readonly<Record<ItemIssue, string>>;
}

const EN: ReportLabels = {
  title: { day: 'DAY REPORT', shift: 'SHIFT REPORT' },
  from: 'From',
  to: 'To',
  lane: 'Lane',
  cashier: 'Cashier',
  closedBy: { cashier: 'Closed by the cashier', settlement: 'CLOSED BY SETTLEMENT' },
  lines: { sales: 'Sales', refunds: 'Refunds', preauths: 'Pre-auths', captures: 'Captures', reversals: 'Reversals', declines: 'Declined', cancellations: 'Cancelled', inProgress: 'In progress' },
  net: 'NET',
  none: 'No payments',
  batch: 'Batch',
  ours: 'Ours',
  host: 'Host',
  difference: 'Difference',
  agreed: 'AGREED',
  notAgreed: 'NOT AGREED',
  afterUpload: 'Agreed after the upload',
  unattributed: 'Unattributed',
  issue: { 'host-missing': 'host missing', 'amount-differs': 'host amount', 'host-reversed': 'host reversed' },
};

const ZH: ReportLabels = {
  title: { day: '日结报表', shift: '班次报表' },
  from: '开始时间',
  to: '结束时间',
  lane: '收银台',
  cashier: '收银员',
  closedBy: { cashier: '收银员交班', settlement: '结算时自动交班' },
  lines: { sales: '消费', refunds: '退货', preauths: '预授权', captures: '预授权完成', reversals: '冲正', declines: '拒绝', cancellations: '取消', inProgress: '处理中' },
  net: '净额',
  none: '无交易',
  batch: '批次',
  ours: '本机',
  host: '主机',
  difference: '差额',
  agreed: '对账平',
  notAgreed: '对账不平',
  afterUpload: '上送明细后对账平',
  unattributed: '未归属差额',
  issue: { 'host-missing': '主机无此笔', 'amount-differs': '主机金额', 'host-reversed': '主机已冲正' },
};

/** How a report document is drawn up. */
export interface ReportDocumentOptions {
  readonly cpl?: number;
  readonly kind?: 'day' | 'shift';
  /** A shift report: who closed it. */
  readonly closedBy?: 'cashier' | 'settlement';
  /** Print the settlement's reconciliation (a day report does; a shift's does not). */
  readonly settlement?: boolean;
}

const when = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** A report as one receiptline document: heading, period, each currency's lines and net, then the reconciliation. */
export function reportDocument(r: Report, m: Merchant, language: ReceiptLanguage = m.language ?? 'en', options: ReportDocumentOptions = {}): string {
  const w = language === 'zh' ? ZH : EN;
  const cpl = options.cpl ?? 42;
  const out: ReceiptEntry[] = [];
  const kv = (label: string, value: string): ReceiptEntry => ({ label, value });
  out.push(big(centre(m.name)), ...m.address.map(centre), '-', big(centre(w.title[options.kind ?? 'day'])));
  out.push(kv(w.from, when(r.from)), kv(w.to, when(r.to)));
  if (r.lane !== null) out.push(kv(w.lane, r.lane));
  if (r.cashier !== null) out.push(kv(w.cashier, r.cashier));
  if (options.closedBy) out.push(centre(w.closedBy[options.closedBy]));
  out.push('-');
  if (r.totals.length === 0) out.push(centre(w.none));
  for (const g of r.totals) {
    out.push(big(centre(g.currency)));
    for (const k of LINE_KINDS) {
      const l = g.lines[k];
      if (k === 'inProgress' && l.count === 0) continue;
      out.push(kv(`${w.lines[k]} (${l.count})`, l.decimal));
    }
    out.push(`${big(escapeReceiptText(w.net))} | ${big(escapeReceiptText(`${g.net.decimal} ${g.currency}`))}`, '-');
  }
  if (options.settlement !== false) {
    for (const s of r.settlement) {
      const d = (v: number): string => decimalOf(v, s.exponent);
      out.push(kv(`${w.batch} ${s.batchId} ${s.currency}`, s.differs ? w.notAgreed : s.agreed ? w.agreed : s.status));
      if (s.differs && s.host) {
        out.push(kv(w.ours, d(s.ours.net)), kv(w.host, d(s.host.net)), kv(w.difference, d(s.difference)));
        for (const i of s.items) out.push(kv(i.reference, `${w.issue[i.issue]} ${d(i.hostAmount)}`));
        if (s.unattributed !== 0) out.push(kv(w.unattributed, d(s.unattributed)));
        if (s.agreed) out.push(centre(w.afterUpload));
      } else out.push(kv(w.ours, d(s.ours.net)));
    }
  }
  return markup(out, cpl).join('\n') + '\n';
}
