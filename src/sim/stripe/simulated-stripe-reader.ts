/**
 * A simulated MagTek-style HID swipe reader (a simulator implements the real device's interface): a full HidBinding that
 * emits 337-byte reports built from test cards, with scenario controls (swipe, bad read, raw
 * report, unplug, re-plug), and enforces the real device's rules: open fails for an absent
 * device, nothing arrives after close, an unplug is one 'error' and then silence.
 */
import { EventEmitter } from 'node:events';
import { buildMagtekReport } from '../../drivers/hid/magtek-report.js';
import { MAGTEK_VENDOR_ID, openHidStripeReader, type HidStripeReaderOptions } from '../../drivers/hid/hid-stripe-reader.js';
import { buildTrack1, buildTrack2, type TestCard, type TrackBuildOptions } from './test-cards.js';
import type { HidBinding, HidDevice, HidDeviceInfo, HidOpenTarget, StripeReader } from '../../drivers/hid/types.js';

/** The device the simulator lists. */
export const SIMULATED_STRIPE_DEVICE: HidDeviceInfo = {
  vendorId: MAGTEK_VENDOR_ID,
  productId: 0x0002,
  manufacturer: 'posbridge',
  product: 'Simulated USB swipe reader',
  path: 'sim:hid:magstripe:0',
};

/** How a simulated swipe reads. */
export interface SimulatedSwipeOptions extends TrackBuildOptions {
  /** Which tracks the card carries (default [1, 2]). */
  readonly tracks?: readonly (1 | 2)[];
  /** Tracks the head fails to decode (status byte 0x01). */
  readonly decodeErrors?: readonly (1 | 2 | 3)[];
}

class SimulatedDevice extends EventEmitter implements HidDevice {
  closed = false;

  read(callback: (err: Error | null | undefined, report: ArrayLike<number>) => void): void {
    if (this.closed) return callback(new Error('device closed'), []);
    this.once('data', (report: Uint8Array) => callback(null, report));
  }

  close(): void {
    if (this.closed) throw new Error('device already closed'); // node-hid is not idempotent either
    this.closed = true;
    this.removeAllListeners();
  }
}

/** A HidBinding whose one device is a simulated swipe reader driven by the methods below. */
export class SimulatedHidBinding implements HidBinding {
  #plugged = true;
  #open: SimulatedDevice[] = [];

  /** Lists the simulated reader while it is plugged in. */
  devices(): HidDeviceInfo[] {
    return this.#plugged ? [SIMULATED_STRIPE_DEVICE] : [];
  }

  /** Opens the simulated reader; throws like node-hid when it is absent. */
  open(target: HidOpenTarget): HidDevice {
    const d = SIMULATED_STRIPE_DEVICE;
    const matches = 'path' in target ? target.path === d.path : target.vendorId === d.vendorId && target.productId === d.productId;
    if (!this.#plugged || !matches) throw new Error('cannot open device with path ' + ('path' in target ? target.path : '?'));
    const dev = new SimulatedDevice();
    this.#open.push(dev);
    return dev;
  }

  /** Delivers a raw report (any bytes, for hostile-input tests) to every open handle. */
  sendReport(report: Uint8Array): void {
    this.#open = this.#open.filter((d) => !d.closed);
    for (const d of this.#open) d.emit('data', Uint8Array.from(report));
  }

  /** Swipes a test card: builds its tracks and the 337-byte report. */
  swipe(card: TestCard, opts: SimulatedSwipeOptions = {}): void {
    const tracks = opts.tracks ?? [1, 2];
    const failed = new Set(opts.decodeErrors ?? []);
    const status = [1, 2, 3].map((t) => (failed.has(t as 1 | 2 | 3) ? 1 : 0)) as [number, number, number];
    this.sendReport(buildMagtekReport({
      ...(tracks.includes(1) && !failed.has(1) ? { track1: buildTrack1(card, opts) } : {}),
      ...(tracks.includes(2) && !failed.has(2) ? { track2: buildTrack2(card, opts) } : {}),
      status,
    }));
  }

  /** Unplugs the reader: every open handle gets one 'error', and the device disappears from the list. */
  unplug(): void {
    this.#plugged = false;
    for (const d of this.#open.filter((x) => !x.closed)) d.emit('error', new Error('could not read from HID device'));
    this.#open = [];
  }

  /** Plugs the reader back in (it must be opened again). */
  plug(): void {
    this.#plugged = true;
  }
}

/** A StripeReader on a fresh simulated binding; the binding is returned for scenario control. */
export async function openSimulatedStripeReader(options: HidStripeReaderOptions = {}): Promise<{ reader: StripeReader; binding: SimulatedHidBinding }> {
  const binding = new SimulatedHidBinding();
  const reader = await openHidStripeReader(binding, options);
  return { reader, binding };
}
