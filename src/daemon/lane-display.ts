import { existsSync } from 'node:fs';
import { PoleDisplay } from '../drivers/display/pole-display.js';
import { displayTransportFromUrl } from '../drivers/display/display-port.js';
import { parsePrinterUrl } from '../drivers/printer/printer-url.js';
import { parseDeviceUrl } from './printer-kinds.js';
import type { DeviceCheck, DeviceKind } from './device-kind.js';
import { formatMinor } from '../util/currency.js';
import { DisplayError } from '../drivers/display/errors.js';
import type { Logger } from '../log/logger.js';
import type { Payment } from '../payments/payment-store.js';

/** The two lines the customer sees for a payment step; null leaves the screen as it is. */
export function screenFor(step: string, amount: string): readonly [string, string] | null {
  switch (step) {
    case 'waiting-for-card':
      return ['INSERT CARD', amount];
    case 'selection':
    case 'read-records':
      return ['READING CARD', amount];
    case 'pin-entry':
      return ['ENTER PIN', amount];
    case 'online':
    case 'authorizing':
      return ['PLEASE WAIT', amount];
    default:
      return null;
  }
}

/** The closing screen of a finished payment. */
export function resultScreen(p: Pick<Payment, 'state' | 'amount' | 'currency'>): readonly [string, string] {
  const amount = formatMinor(p.amount, p.currency);
  if (p.state === 'completed') return ['APPROVED', 'THANK YOU'];
  if (p.state === 'declined') return ['DECLINED', amount];
  return ['CANCELLED', amount];
}

/**
 * Drives a lane's customer display from the lane's payment progress. Writes go one after another; a display that
 * fails is logged once (then again only after it worked), and never stops a payment.
 */
export class LaneDisplay {
  private chain: Promise<void> = Promise.resolve();
  private failing = false;
  private last: readonly [string, string] | null = null;

  /** Binds the display of `lane`. */
  constructor(
    private readonly lane: string,
    private readonly display: PoleDisplay,
    private readonly logger?: Logger,
  ) {}

  /** Whether the last write reached the display. */
  get connected(): boolean {
    return !this.failing;
  }

  /** Shows the screen of a payment step (amount on line 2). */
  progress(step: string, p: Pick<Payment, 'amount' | 'currency'>): void {
    const screen = screenFor(step, formatMinor(p.amount, p.currency));
    if (screen) this.show(screen);
  }

  /** Shows the result of a finished payment. */
  completed(p: Pick<Payment, 'state' | 'amount' | 'currency'>): void {
    this.show(resultScreen(p));
  }

  /** Waits for the writes queued so far. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Closes the display's transport. */
  async close(): Promise<void> {
    await this.chain;
    await this.display.close();
  }

  private show(screen: readonly [string, string]): void {
    if (this.last && this.last[0] === screen[0] && this.last[1] === screen[1]) return;
    this.last = screen;
    this.chain = this.chain.then(async () => {
      try {
        await this.display.show(screen[0], screen[1]);
        if (this.failing) this.logger?.info('customer display back', { lane: this.lane });
        this.failing = false;
      } catch (err) {
        // A display never stops a payment: every failure is logged (once per outage) and the screen repainted later.
        if (!this.failing) this.logger?.warn('customer display unreachable', { lane: this.lane, code: err instanceof DisplayError ? err.code : 'DISPLAY_UNREACHABLE', err });
        this.failing = true;
        this.last = null; // repaint once it is back
      }
    });
  }
}

/** How a display kind opens, for one lane. */
export type OpenDisplay = (url: string, lane: string, logger?: Logger) => LaneDisplay;

/** The customer display kinds: a serial pole display (ESC/POS-style two-line VFD). */
export const DISPLAY_KINDS: readonly DeviceKind<OpenDisplay>[] = [
  {
    family: 'display',
    name: 'serial',
    form: 'a serial URL like "serial:///dev/ttyUSB0?baud=9600"',
    demoOnly: false,
    claims: (v) => v.startsWith('serial://'),
    parse: parseDeviceUrl,
    open: (url, lane, logger) => new LaneDisplay(lane, new PoleDisplay(displayTransportFromUrl(url)), logger),
    doctor: async (url, label) => displayCheck(url, label),
  },
];

/** A pole display answers nothing: only its port can be checked (where ports are files). */
function displayCheck(url: string, label: string): DeviceCheck {
  const a = parsePrinterUrl(url);
  const path = a.kind === 'tcp' ? null : a.path;
  if (path === null || process.platform === 'win32') return { name: label, status: 'ok', detail: `${url} (not checked: the display does not answer)` };
  return existsSync(path) ? { name: label, status: 'ok', detail: `${path} present` } : { name: label, status: 'fail', detail: `${path} not found`, fix: 'plug the display in, or correct lanes[].display' };
}
