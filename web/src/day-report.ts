// Today's report (report.get from local midnight to now): per currency the counts and amounts of each line and the
// net, refreshed after each payment; Print sends it to the selected lane's printer (report.print, supervisors).
import type { PosbridgeClient } from '../client.js';
import { el, setChildren } from './dom.js';
import type { Notice } from './notice.js';

const LINES: readonly (readonly [string, string])[] = [
  ['sales', 'Sales'],
  ['refunds', 'Refunds'],
  ['preauths', 'Pre-authorisations'],
  ['captures', 'Captures'],
  ['reversals', 'Reversals'],
  ['declines', 'Declined'],
  ['cancellations', 'Cancelled'],
  ['inProgress', 'In progress'],
];

/** Start of today (local time) as ISO 8601. */
function startOfToday(now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** The day report card. */
export class DayReport {
  private client: PosbridgeClient | null = null;

  /** Binds to the table body, the status line and the print button; `lane` names the lane to print on. */
  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly status: HTMLElement,
    private readonly printButton: HTMLButtonElement,
    private readonly notice: Notice,
    private readonly lane: () => string,
  ) {
    printButton.addEventListener('click', () => void this.print());
  }

  /** Uses this client from now on; the report follows every payment's end and change. */
  attach(client: PosbridgeClient): void {
    this.client = client;
    client.on('payment.completed', () => void this.refresh());
    client.on('payment.updated', () => void this.refresh());
  }

  /** Reloads today's totals. */
  async refresh(): Promise<void> {
    if (!this.client) return;
    const supervisor = this.client.session?.role === 'supervisor' || this.client.session?.role === 'admin';
    this.printButton.hidden = !supervisor;
    try {
      const r = await this.client.call('report.get', { from: startOfToday(), to: new Date(Date.now() + 60_000).toISOString() });
      if (r.totals.length === 0) {
        setChildren(this.body, el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No payments today yet.')));
        return;
      }
      const rows: HTMLTableRowElement[] = [];
      for (const g of r.totals) {
        for (const [key, label] of LINES) {
          const line = g.lines[key as keyof typeof g.lines];
          if (line.count === 0) continue;
          rows.push(el('tr', { 'data-line': key, 'data-currency': g.currency }, el('td', {}, g.currency), el('td', {}, label), el('td', { class: 'num' }, String(line.count)), el('td', { class: 'num' }, `${line.decimal} ${g.currency}`)));
        }
        rows.push(el('tr', { 'data-line': 'net', 'data-currency': g.currency, class: 'net' }, el('td', {}, g.currency), el('th', { scope: 'row' }, 'Net'), el('td', { class: 'num' }, String(g.net.count)), el('td', { class: 'num' }, `${g.net.decimal} ${g.currency}`)));
      }
      setChildren(this.body, ...rows);
    } catch (err) {
      this.notice.error(err, 'Loading the day report');
    }
  }

  private async print(): Promise<void> {
    if (!this.client) return;
    this.printButton.disabled = true;
    this.status.textContent = 'Printing…';
    try {
      const r = await this.client.call('report.print', { lane: this.lane(), from: startOfToday(), to: new Date(Date.now() + 60_000).toISOString() });
      this.status.textContent = r.state === 'printed' ? 'Report printed.' : r.state === 'queued' ? `Queued: the printer cannot print now (${r.waitingFor ?? 'not ready'}).` : 'Sent, but the printer did not confirm it.';
    } catch (err) {
      this.status.textContent = '';
      this.notice.error(err, 'Printing the day report');
    } finally {
      this.printButton.disabled = false;
    }
  }
}
