import { HidError } from '../drivers/hid/errors.js';
import { openHidStripeReader } from '../drivers/hid/hid-stripe-reader.js';
import { loadNodeHidBinding } from '../drivers/hid/node-hid-binding.js';
import { SimulatedHidBinding } from '../drivers/hid/simulated-stripe-reader.js';
import type { HidOpenTarget, StripeReader } from '../drivers/hid/types.js';
import type { Logger } from '../log/logger.js';

/** A lane's stripe reader as opened: the reader (null when it could not be opened) and the demo's binding. */
export interface LaneStripe {
  readonly kind: 'virtual' | 'hid';
  readonly reader: StripeReader | null;
  /** The simulated binding behind a virtual reader (sim.swipeCard swipes on it). */
  readonly simulated: SimulatedHidBinding | null;
  /** Why a HID reader could not be opened (its HidError code). */
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
 * Opens the lane's stripe reader from its config value. A HID reader that cannot be opened (node-hid missing, the
 * device absent) is logged with its code and the lane runs chip-only: a missing stripe reader never stops the daemon.
 */
export async function openLaneStripe(spec: string, lane: string, logger?: Logger): Promise<LaneStripe> {
  if (spec === 'virtual') {
    const simulated = new SimulatedHidBinding();
    return { kind: 'virtual', reader: await openHidStripeReader(simulated), simulated, error: null };
  }
  try {
    const target = hidTarget(spec);
    const reader = await openHidStripeReader(await loadNodeHidBinding(), target ? { target } : {});
    return { kind: 'hid', reader, simulated: null, error: null };
  } catch (err) {
    if (!(err instanceof HidError)) throw err;
    logger?.warn('stripe reader not opened: the lane runs chip-only', { lane, code: err.code });
    return { kind: 'hid', reader: null, simulated: null, error: err.code };
  }
}
