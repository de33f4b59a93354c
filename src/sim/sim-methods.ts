// Demo mode's sim.* API methods, reached only through the daemon's dynamic import of src/daemon/demo-parts.ts.
import { SimulatedHidBinding } from './stripe/simulated-stripe-reader.js';
import { TEST_CARDS } from './stripe/test-cards.js';
import { SIM_PRINTER_STATES, type EscPosEmulator } from './printer/escpos-emulator.js';
import { ApiError } from '../api/errors.js';
import { stringParam, type MethodSpec } from '../api/rpc.js';
import { listProfiles, profileInfo } from './emv/catalog.js';
import type { HostSimulator } from './host/host-simulator.js';
import type { HostMode } from './host/rules.js';
import { HOST_MODES } from './host/rules.js';
import type { CardSlot } from '../daemon/sim-methods.js';
import type { VirtualPinPads } from '../daemon/virtual-pin-pads.js';
import type { HidBinding } from '../drivers/hid/types.js';

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
): Map<string, MethodSpec> {
  const readerOf = (params: Record<string, unknown>): { lane: string; slot: CardSlot } => {
    const lane = stringParam(params, 'lane', { max: 40 }) ?? '';
    const slot = slots.get(lane);
    if (!slot) throw new ApiError('NOT_FOUND', `no lane "${lane}"`, { param: 'lane' });
    return { lane, slot };
  };
  return new Map<string, MethodSpec>([
    ['sim.profiles', { role: 'cashier', handler: () => ({ profiles: listProfiles().map((n) => profileInfo(n)) }) }],
    [
      'sim.insertCard',
      {
        role: 'cashier',
        handler: async (params) => {
          const { slot } = readerOf(params);
          const profile = stringParam(params, 'profile', { max: 64 }) ?? '';
          if (!listProfiles().includes(profile)) throw new ApiError('INVALID_PARAMS', `unknown profile "${profile}"; see sim.profiles`, { param: 'profile' });
          await slot.insert(profile);
          return { inserted: profile };
        },
      },
    ],
    [
      'sim.removeCard',
      {
        role: 'cashier',
        handler: async (params) => {
          await readerOf(params).slot.remove();
          return { removed: true };
        },
      },
    ],
    [
      'sim.enterPin',
      {
        role: 'cashier',
        handler: (params) => {
          const { lane } = readerOf(params);
          const pin = stringParam(params, 'pin', { max: 12 }) ?? '';
          if (!/^\d{4,12}$/.test(pin)) throw new ApiError('INVALID_PARAMS', 'pin is 4 to 12 digits', { param: 'pin' });
          pads.type(lane, pin);
          return { entered: true };
        },
      },
    ],
    [
      'sim.setPrinter',
      {
        role: 'cashier',
        handler: async (params) => {
          readerOf(params);
          if (!printer) throw new ApiError('DISABLED', 'the daemon prints on a real printer, not the emulated one');
          const status = stringParam(params, 'status', { max: 32 }) ?? '';
          const state = SIM_PRINTER_STATES[status];
          if (!state) throw new ApiError('INVALID_PARAMS', `status must be one of ${Object.keys(SIM_PRINTER_STATES).join(', ')}`, { param: 'status' });
          printer.setStatus(state);
          await printerChanged(); // device.changed goes out now, not at the next poll
          return { status };
        },
      },
    ],
    [
      'sim.swipeCard',
      {
        role: 'cashier',
        handler: (params) => {
          const { lane } = readerOf(params);
          const binding = stripes.get(lane);
          if (!(binding instanceof SimulatedHidBinding)) throw new ApiError('DISABLED', `lane ${lane} has no virtual stripe reader`);
          const name = stringParam(params, 'card', { max: 32, optional: true }) ?? 'mastercard-stripe';
          const card = Object.entries(SIM_STRIPE_CARDS).find(([k]) => k === name)?.[1];
          if (!card) throw new ApiError('INVALID_PARAMS', `card must be one of ${Object.keys(SIM_STRIPE_CARDS).join(', ')}`, { param: 'card' });
          if (params.badRead !== undefined && typeof params.badRead !== 'boolean') throw new ApiError('INVALID_PARAMS', 'badRead must be true or false', { param: 'badRead' });
          binding.swipe(card, params.badRead ? { decodeErrors: [1, 2] } : {});
          return { swiped: name };
        },
      },
    ],
    [
      'sim.setHost',
      {
        role: 'cashier',
        handler: (params) => {
          if (!host) throw new ApiError('DISABLED', 'the daemon talks to a real host, not the simulator');
          const mode = stringParam(params, 'mode', { max: 32 }) as HostMode;
          if (!HOST_MODES.includes(mode)) throw new ApiError('INVALID_PARAMS', `mode must be one of ${HOST_MODES.join(', ')}`, { param: 'mode' });
          host.setMode(mode);
          return { mode };
        },
      },
    ],
  ]);
}
