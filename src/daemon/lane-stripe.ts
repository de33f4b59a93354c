import { HidError } from '../drivers/hid/errors.js';
import { openHidStripeReader } from '../drivers/hid/hid-stripe-reader.js';
import { loadNodeHidBinding } from '../drivers/hid/node-hid-binding.js';
import { ConfigError } from './config.js';
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
