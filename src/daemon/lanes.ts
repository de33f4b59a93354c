// The lanes of a till: for each configured lane its PIN pad and its payment flow, wired to the lane's reader, stripe
// reader, display and printer, and to the notifications its payments send.
import { randomBytes } from 'node:crypto';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { TerminalConfig } from '../emv/types.js';
import type { HostLink } from '../host/link.js';
import type { Logger } from '../log/logger.js';
import { defaultContactlessConfig } from '../emv/contactless/index.js';
import { PaymentFlow } from '../payments/payment-flow.js';
import type { PaymentStore } from '../payments/payment-store.js';
import type { CardPresence } from './card-presence.js';
import { lanePinPad, type DaemonConfig, type PinPadConfig } from './config.js';
import type { LaneDevices } from './lane-devices.js';
import { capabilitiesFor, createLanePinPad, type LanePinPad, type LanePinPadOptions } from './lane-pinpad.js';
import type { LaneStripe } from './lane-stripe.js';
import { completedParams, type Notifier } from './notifier.js';
import type { VirtualPinPads } from './virtual-pin-pads.js';

/** How long a lane waits for a card after payment.start. */
const CARD_TIMEOUT_MS = 120_000;

/** One lane: its payment flow and reader. */
export interface Lane {
  readonly flow: PaymentFlow;
  readonly reader: string;
}

/** What the lanes are built from. */
export interface LaneParts {
  readonly config: DaemonConfig;
  readonly driver: ReaderDriver;
  readonly store: PaymentStore;
  readonly link: HostLink;
  readonly terminal: TerminalConfig;
  readonly devices: LaneDevices;
  readonly stripes: ReadonlyMap<string, LaneStripe>;
  readonly presence: CardPresence;
  readonly pads: VirtualPinPads;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly clock: () => number;
  /** The demo's simulated PIN entry (virtual PIN pads); absent outside the demo. */
  readonly simulatedEntry?: LanePinPadOptions['simulatedEntry'];
  /** Called with each PIN pad made, so it is closed if the start-up fails later. */
  readonly started: (what: string, close: () => Promise<void>) => void;
}

/** The built lanes and their PIN pads. */
export interface Lanes {
  readonly lanes: ReadonlyMap<string, Lane>;
  readonly pinPads: ReadonlyMap<string, LanePinPad>;
}

/** Builds every configured lane: its PIN pad, then its payment flow. */
export function buildLanes(o: LaneParts): Lanes {
  const { config, store, notifier, clock } = o;
  const lanes = new Map<string, Lane>();
  const pinPads = new Map<string, LanePinPad>();
  const laneTerminalConfig = (kind: PinPadConfig): TerminalConfig => ({ ...o.terminal, capabilities: capabilitiesFor(kind, o.terminal.capabilities) });
  for (const l of config.lanes) {
    const display = o.devices.displayFor(l.name);
    const pinPad = createLanePinPad(lanePinPad(config, l), {
      lane: l.name,
      reader: l.reader,
      driver: o.driver,
      falsePinPadReaders: config.falsePinPadReaders ?? [],
      logger: o.logger,
      onPrompt: (prompt) => notifier.notify('payment.progress', { lane: l.name, step: 'pin-entry', message: `Enter PIN${prompt.triesLeft !== undefined ? ` (${prompt.triesLeft} tries left)` : ''}` }),
      virtualPin: (prompt) => {
        const entry = o.presence.forEntry(l.reader, prompt);
        return entry.wait(o.pads.next(l.name, 60_000, entry.signal));
      },
      presence: o.presence,
      onCancelKey: () => lanes.get(l.name)?.flow.cancelByCardholder(),
      ...(o.simulatedEntry ? { simulatedEntry: o.simulatedEntry } : {}),
    });
    pinPads.set(l.name, pinPad);
    o.started(`PIN pad of lane ${l.name}`, () => pinPad.close());
    const flow = new PaymentFlow({
      lane: l.name,
      reader: l.reader,
      store,
      driver: o.driver,
      link: o.link,
      config: laneTerminalConfig(lanePinPad(config, l)),
      pin: pinPad.entry,
      stripe: o.stripes.get(l.name)?.reader ?? null,
      contactless: l.contactless ? { reader: l.contactless, config: config.contactless ?? defaultContactlessConfig() } : null,
      clock,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      cardTimeoutMs: CARD_TIMEOUT_MS,
      onProgress: (p) => {
        notifier.notify('payment.progress', { ...p, lane: l.name });
        if (p.step === 'waiting-for-card') o.pads.clear(l.name);
        const payment = store.get(p.paymentId);
        display?.progress(p.step, payment);
        pinPad.progress(p.step, payment);
      },
      onCompleted: (p) => {
        display?.completed(p);
        pinPad.progress('completed', p);
        notifier.notify('payment.completed', completedParams(p, config.merchant, o.devices.printingFor(l.name)?.layout.cpl));
        o.devices.printQueued(l.name, clock()); // autoPrint's receipts, queued with the final state
      },
      logger: o.logger,
    });
    lanes.set(l.name, { flow, reader: l.reader });
  }
  return { lanes, pinPads };
}
