import { HidError } from '../drivers/hid/errors.js';
import { openHidStripeReader } from '../drivers/hid/hid-stripe-reader.js';
import { listHidDevices, loadNodeHidBinding } from '../drivers/hid/node-hid-binding.js';
import { ConfigError } from '../config/config-error.js';
import type { DeviceCheck, DeviceKind } from './device-kind.js';
import { errorLine } from '../errors.js';
import { ReopeningStripeReader } from '../drivers/hid/reopening-stripe-reader.js';
import type { HidBinding, HidOpenTarget, StripeReader } from '../drivers/hid/types.js';
import type { Logger } from '../log/logger.js';

/** A lane's stripe reader as opened: the reader (null when it could not be opened) and the demo's binding. */
export interface LaneStripe {
  readonly kind: 'virtual' | 'hid';
  readonly reader: StripeReader | null;
  /** The demo's simulated binding behind a virtual reader (sim.swipeCard swipes on it). */
  readonly simulated: HidBinding | null;
  /** Why HID cannot be used at all (node-hid missing: its HidError code). */
  readonly error: string | null;
}

/** Where "hid", "hid:VVVV:PPPP" or "hid:PATH" points; undefined for the first MagTek-style reader. */
export function hidTarget(spec: string): HidOpenTarget | undefined {
  if (spec === 'hid') return undefined;
  const rest = spec.slice('hid:'.length);
  const ids = /^([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})$/.exec(rest);
  return ids ? { vendorId: Number.parseInt(ids[1], 16), productId: Number.parseInt(ids[2], 16) } : { path: rest };
}

/**
 * Opens the lane's stripe reader from its config value. A HID reader is attached whenever it can be: absent at start
 * or unplugged later, it is looked for again every few seconds (each change logged once) and the lane takes chip
 * cards only meanwhile. Without node-hid at all the lane runs chip-only, said once in the log. "virtual" needs
 * `simulated` (the demo's binding, which the composition root loads in demo mode only).
 */
export async function openLaneStripe(spec: string, lane: string, logger?: Logger, retryMs = 3000, simulated?: () => HidBinding): Promise<LaneStripe> {
  if (spec === 'virtual') {
    if (!simulated) throw new ConfigError(`lanes.${lane}.stripe`, '"virtual" is the demo\'s stripe reader: refused outside the demo');
    const binding = simulated();
    return { kind: 'virtual', reader: await openHidStripeReader(binding), simulated: binding, error: null };
  }
  let binding: HidBinding;
  try {
    binding = await loadNodeHidBinding();
  } catch (err) {
    if (!(err instanceof HidError)) throw err;
    logger?.warn('stripe reader unavailable: the lane runs chip-only', { lane, code: err.code });
    return { kind: 'hid', reader: null, simulated: null, error: err.code };
  }
  const target = hidTarget(spec);
  const reader = new ReopeningStripeReader(
    () => openHidStripeReader(binding, target ? { target } : {}),
    retryMs,
    (s) => (s.attached ? logger?.info('stripe reader attached', { lane }) : logger?.warn('stripe reader not attached: chip cards only until it is', { lane, code: s.code })),
  );
  return { kind: 'hid', reader, simulated: null, error: null };
}

/** What devices.list says of a lane's stripe reader. */
export function stripeStatus(s: LaneStripe): { readonly kind: string; readonly connected: boolean; readonly error?: string } {
  const error = s.error ?? (s.reader instanceof ReopeningStripeReader ? s.reader.lastError : null);
  return { kind: s.kind, connected: s.reader !== null && !s.reader.closed, ...(error ? { error } : {}) };
}

/** How a stripe reader kind opens, for one lane. */
export type OpenStripe = (value: string, lane: string, logger?: Logger, retryMs?: number, simulated?: () => HidBinding) => Promise<LaneStripe>;

const HID_FORM = /^(hid|hid:[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}|hid:.+)$/;

/** The stripe reader kinds: a HID reader (MagTek-style) and the demo's virtual one. */
export const STRIPE_KINDS: readonly DeviceKind<OpenStripe>[] = [
  {
    family: 'stripe',
    name: 'hid',
    form: '"hid", "hid:VVVV:PPPP" (vendor:product in hex), "hid:PATH"',
    demoOnly: false,
    claims: (v) => v === 'hid' || v.startsWith('hid:'),
    parse: (v, key) => {
      if (!HID_FORM.test(v)) throw new ConfigError(key, 'must be "hid", "hid:VVVV:PPPP" (vendor:product in hex), "hid:PATH" or "virtual"');
      return v;
    },
    open: openLaneStripe,
    doctor: (v, label) => stripeCheck(v, label),
  },
  { family: 'stripe', name: 'virtual', form: '"virtual" (the demo\'s)', demoOnly: true, claims: (v) => v === 'virtual', parse: (v) => v, open: openLaneStripe },
];

/** Whether the configured HID reader is attached, for doctor. */
async function stripeCheck(spec: string, label: string): Promise<DeviceCheck> {
  try {
    const devices = await listHidDevices();
    const t = hidTarget(spec);
    const found = t === undefined ? devices.find((d) => d.likelyCardReader) : 'path' in t ? devices.find((d) => d.path === t.path) : devices.find((d) => d.vendorId === t.vendorId && d.productId === t.productId);
    return found
      ? { name: label, status: 'ok', detail: `${found.product ?? 'HID device'} (${found.path ?? 'no path'})` }
      : { name: label, status: 'fail', detail: `no HID device matches "${spec}" (${devices.length} HID device(s) attached)`, fix: 'plug the reader in; `posbridge devices` lists what is attached' };
  } catch (err) {
    if (!(err instanceof HidError)) throw err;
    return { name: label, status: 'fail', detail: errorLine(err), fix: 'reinstall posbridge with its optional dependency node-hid' };
  }
}
