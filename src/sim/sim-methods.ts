// Demo mode's sim.* API methods, reached only through the daemon's dynamic import of src/daemon/demo-parts.ts.
import { SimulatedHidBinding } from './stripe/simulated-stripe-reader.js';
import { TEST_CARDS } from './stripe/test-cards.js';
import { SIM_PRINTER_STATES, type EscPosEmulator } from './printer/escpos-emulator.js';
import { ApiError } from '../api/errors.js';
import type { MethodSpec } from '../api/rpc.js';
import { defineMethod } from '../api/contract/define.js';
import { listProfiles, profileInfo } from './emv/catalog.js';
import type { HostSimulator } from './host/host-simulator.js';
import type { InvoiceEndpointSimulator } from './invoice/invoice-endpoint-simulator.js';
import type { CardSlot } from '../daemon/sim-methods.js';
import type { VirtualPinPads } from '../daemon/virtual-pin-pads.js';
import type { HidBinding } from '../drivers/hid/types.js';

/** One thing the emulated printer did, as sim.printed tells it. */
type PrintedWireItem = { kind: 'line'; text: string } | { kind: 'cut' } | { kind: 'image'; width: number; height: number };

/** The demo's stripe cards (public scheme test numbers) by the name sim.swipeCard takes. */
export const SIM_STRIPE_CARDS = {
  'visa-chip': TEST_CARDS.visaChip,
  'mastercard-stripe': TEST_CARDS.mastercardStripe,
  // Service code 120: digit 3 = 0, a PIN is required (the host simulator's PIN for this PAN is 4321).
  'mastercard-stripe-pin': { ...TEST_CARDS.mastercardStripe, serviceCode: '120' },
} as const;

/** Demo mode's sim.* methods, so a cashier app's own tests can drive a whole payment (refused outside demo mode). */
export function simMethods(
  slots: ReadonlyMap<string, CardSlot>,
  pads: VirtualPinPads,
  host: HostSimulator | null,
  printer: EscPosEmulator | null = null,
  printerChanged: () => Promise<void> = async () => undefined,
  stripes: ReadonlyMap<string, HidBinding> = new Map(),
  stanOf: (reference: string) => { readonly terminalId: string; readonly stan: string } | null = () => null,
): Map<string, MethodSpec> {
  const slotOf = (lane: string): CardSlot => {
    const slot = slots.get(lane);
    if (!slot) throw new ApiError('NOT_FOUND', `no lane "${lane}"`, { param: 'lane' });
    return slot;
  };
  // Params were checked against the contract (src/api/contract/methods.ts) before each handler runs: what is left
  // here is what only the daemon knows (its lanes, its profiles, whether a simulator is in use).
  return new Map<string, MethodSpec>([
    defineMethod('sim.profiles', () => ({ profiles: listProfiles().map((n) => profileInfo(n)) })),
    defineMethod('sim.insertCard', async ({ lane, profile }) => {
      const slot = slotOf(lane);
      if (!listProfiles().includes(profile)) throw new ApiError('INVALID_PARAMS', `unknown profile "${profile}"; see sim.profiles`, { param: 'profile' });
      await slot.insert(profile);
      return { inserted: profile };
    }),
    defineMethod('sim.tapCard', async ({ lane, profile }) => {
      const slot = slotOf(lane).contactless;
      if (!slot) throw new ApiError('NOT_FOUND', `lane "${lane}" has no contactless reader`, { param: 'lane' });
      if (!listProfiles().includes(profile)) throw new ApiError('INVALID_PARAMS', `unknown profile "${profile}"; see sim.profiles`, { param: 'profile' });
      await slot.insert(profile);
      return { tapped: profile };
    }),
    defineMethod('sim.removeCard', async ({ lane }) => {
      const slot = slotOf(lane);
      await slot.remove();
      await slot.contactless?.remove();
      return { removed: true };
    }),
    defineMethod('sim.enterPin', ({ lane, pin }) => {
      slotOf(lane);
      pads.type(lane, pin);
      return { entered: true };
    }),
    defineMethod('sim.setPrinter', async ({ lane, status }) => {
      slotOf(lane);
      if (!printer) throw new ApiError('DISABLED', 'the daemon prints on a real printer, not the emulated one');
      printer.setStatus(SIM_PRINTER_STATES[status]);
      await printerChanged(); // device.changed goes out now, not at the next poll
      return { status };
    }),
    defineMethod('sim.printed', ({ lane, since = 0 }) => {
      slotOf(lane);
      if (!printer) throw new ApiError('DISABLED', 'the daemon prints on a real printer, not the emulated one');
      const events = printer.events;
      const items = events.slice(since).flatMap((e): PrintedWireItem[] => (e.kind === 'line' ? [{ kind: 'line', text: e.text }] : e.kind === 'cut' ? [{ kind: 'cut' }] : e.kind === 'image' ? [{ kind: 'image', width: e.width, height: e.height }] : []));
      return { items, next: events.length };
    }),
    defineMethod('sim.swipeCard', ({ lane, card = 'mastercard-stripe', badRead = false }) => {
      slotOf(lane);
      const binding = stripes.get(lane);
      if (!(binding instanceof SimulatedHidBinding)) throw new ApiError('DISABLED', `lane ${lane} has no virtual stripe reader`);
      binding.swipe(SIM_STRIPE_CARDS[card], badRead ? { decodeErrors: [1, 2] } : {});
      return { swiped: card };
    }),
    defineMethod('sim.alterHost', ({ reference, amount, drop }) => {
      if (!host) throw new ApiError('DISABLED', 'the daemon talks to a real host, not the simulator');
      if ((amount === undefined) === (drop !== true)) throw new ApiError('INVALID_PARAMS', 'give either amount or drop: true', { param: 'amount' });
      const at = stanOf(reference);
      if (!at || !host.alter(at.terminalId, at.stan, amount !== undefined ? { amount } : { drop: true })) throw new ApiError('NOT_FOUND', `the host simulator counted no payment ${reference} in its open batch`, { param: 'reference' });
      return { reference, stan: at.stan };
    }),
    defineMethod('sim.setHost', ({ mode }) => {
      if (!host) throw new ApiError('DISABLED', 'the daemon talks to a real host, not the simulator');
      host.setMode(mode);
      return { mode };
    }),
  ]);
}

/** sim.invoiceEndpoint: what the demo's invoicing-service simulator received, and the failures it answers next. */
export function invoiceSimMethods(sim: InvoiceEndpointSimulator | null): Map<string, MethodSpec> {
  return new Map<string, MethodSpec>([
    defineMethod('sim.invoiceEndpoint', ({ failNext, dropNext, rejectNext }) => {
      if (!sim) throw new ApiError('DISABLED', 'the invoicing-service simulator is not in use (config invoice.endpoint is not "simulator")');
      if (failNext !== undefined) sim.failNext(failNext);
      if (dropNext !== undefined) sim.dropNext(dropNext);
      if (rejectNext !== undefined) sim.rejectNext(rejectNext);
      return { requests: sim.received().length, invoices: sim.invoices().map((i) => ({ ...i })) };
    }),
  ]);
}
