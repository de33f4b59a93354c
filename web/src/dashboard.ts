// Lanes and their devices with live status: devices.list, refreshed on device and card notifications. The fields
// beyond lane/reader/connected/cardPresent (PIN pad, printer, display) are shown when the daemon reports them.
import type { PosbridgeClient } from '../client.js';
import { el, setChildren } from './dom.js';
import type { Notice } from './notice.js';

type Printer = { online: boolean; coverOpen: boolean; paper: 'ok' | 'near-end' | 'end'; drawerOpen?: boolean } | { error: string };

/** One lane as devices.list reports it (newer daemons add pinpad, printer and display). */
export interface LaneDevices {
  readonly lane: string;
  readonly reader: string;
  readonly connected: boolean;
  readonly cardPresent: boolean;
  readonly pinpad?: { kind: string; connected: boolean } | null;
  readonly printer?: Printer | null;
  readonly display?: { kind: string; connected: boolean } | null;
  readonly stripe?: { kind: string; connected: boolean; error?: string } | null;
}

type Tone = 'ok' | 'warn' | 'bad' | 'off';

function printerWords(p: Printer | null | undefined): [string, Tone] {
  if (p === undefined) return ['not reported', 'off'];
  if (p === null) return ['none configured', 'off'];
  if ('error' in p) return [`unreachable: ${p.error}`, 'bad'];
  if (!p.online) return ['offline', 'bad'];
  if (p.coverOpen) return ['cover open', 'bad'];
  if (p.paper === 'end') return ['out of paper', 'bad'];
  const drawer = p.drawerOpen ? ', drawer open' : '';
  if (p.paper === 'near-end') return [`paper low${drawer}`, 'warn'];
  return [`ready, paper ok${drawer}`, 'ok'];
}

function deviceWords(d: { kind: string; connected: boolean } | null | undefined): [string, Tone] {
  if (d === undefined) return ['not reported', 'off'];
  if (d === null) return ['none configured', 'off'];
  return [`${d.kind}, ${d.connected ? 'connected' : 'not connected'}`, d.connected ? 'ok' : 'bad'];
}

function row(label: string, [text, tone]: [string, Tone]): HTMLElement[] {
  return [el('dt', {}, label), el('dd', { 'data-tone': tone }, text)];
}

/** The device dashboard. */
export class Dashboard {
  private client: PosbridgeClient | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly activity = new Map<string, string>();
  private lanes: LaneDevices[] = [];

  /** Binds to the dashboard's list element. */
  constructor(private readonly list: HTMLElement, private readonly notice: Notice) {}

  /** Follows a client's notifications (once per client). */
  attach(client: PosbridgeClient): void {
    this.client = client;
    const soon = (): void => this.refreshSoon();
    client.on('card.inserted', soon);
    client.on('card.removed', soon);
    client.on('device.changed', soon);
    client.on('receipt.printed', soon);
    client.on('payment.progress', (m) => {
      const lane = (m as { lane?: string }).lane ?? this.lanes[0]?.lane;
      if (lane) this.activity.set(lane, m.message);
      this.render();
    });
    client.on('payment.completed', (p) => {
      this.activity.delete(p.lane);
      this.render();
      this.refreshSoon();
    });
  }

  /** Forgets what the lanes were doing (after a reconnect, the notifications in between are lost) and asks again. */
  resetActivity(): void {
    this.activity.clear();
    void this.runningPayments();
  }

  /** A page opened (or reconnected) while a payment runs shows it on its lane: today's payments not yet final. */
  private async runningPayments(): Promise<void> {
    if (!this.client) return;
    try {
      const from = new Date();
      from.setHours(0, 0, 0, 0);
      const { payments } = await this.client.listPayments({ from: from.toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
      for (const p of payments) if (p.result === null && p.state !== 'reversal-pending') this.activity.set(p.lane, `a payment is running (${p.state.replace('-', ' ')})`);
      this.render();
    } catch (err) {
      this.notice.error(err, 'Reading the running payments');
    }
  }

  /** Reads devices.list now. */
  async refresh(): Promise<void> {
    if (!this.client) return;
    try {
      const r = await this.client.call<{ lanes: LaneDevices[] }>('devices.list', {});
      this.lanes = Array.isArray(r.lanes) ? r.lanes : [];
      this.render();
    } catch (err) {
      this.notice.error(err, 'Reading the devices');
    }
  }

  /** "Open cash drawer": a kick on the lane's printer (drawer.open). */
  private drawerButton(lane: string): HTMLButtonElement {
    const b = el('button', { type: 'button', class: 'secondary', 'data-drawer': lane }, 'Open cash drawer');
    b.addEventListener('click', () => void this.openDrawer(lane));
    return b;
  }

  private async openDrawer(lane: string): Promise<void> {
    if (!this.client) return;
    try {
      const r = await this.client.openDrawer(lane);
      this.activity.set(lane, r.drawerOpen === false ? 'the drawer did not open: check it is plugged into the printer' : 'cash drawer open');
      this.render();
    } catch (err) {
      this.notice.error(err, 'Opening the cash drawer');
    }
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 100);
  }

  private render(): void {
    if (this.lanes.length === 0) {
      setChildren(this.list, el('p', { class: 'muted' }, 'No lanes reported yet.'));
      return;
    }
    setChildren(
      this.list,
      ...this.lanes.map((l) =>
        el(
          'article',
          { class: 'lane', 'data-lane': l.lane, 'aria-label': `Lane ${l.lane}` },
          el('h3', {}, `Lane ${l.lane}`, el('span', { class: 'activity' }, this.activity.get(l.lane) ?? 'idle')),
          el(
            'dl',
            {},
            ...row('Card reader', [`${l.connected ? 'connected' : 'not connected'} — ${l.reader}`, l.connected ? 'ok' : 'bad']),
            ...row('Card', [l.cardPresent ? 'card in the reader' : 'no card', l.cardPresent ? 'ok' : 'off']),
            ...row('PIN pad', deviceWords(l.pinpad)),
            ...row('Printer', printerWords(l.printer)),
            ...(l.display !== undefined ? row('Display', deviceWords(l.display)) : []),
            ...(l.stripe !== undefined ? row('Stripe reader', deviceWords(l.stripe)) : []),
          ),
          l.printer ? this.drawerButton(l.lane) : null,
        ),
      ),
    );
  }
}
