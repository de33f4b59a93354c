/**
 * The StripeReader over any HidBinding (node-hid in production, SimulatedHidBinding in tests):
 * opens the device, decodes each MagTek-style report, parses and masks the tracks, and applies
 * the unplug/close rules written in types.ts.
 */
import { HidError } from './errors.js';
import { parseMagtekReport, type MagtekReport } from './magtek-report.js';
import { TrackError } from '../../cards/errors.js';
import { parseSwipe } from '../../cards/tracks.js';
import type { HidBinding, HidDevice, HidDeviceInfo, HidOpenTarget, StripeReader, SwipeError, SwipeResult } from './types.js';

/** MagTek's USB vendor id (USB-IF assigned 0x0801). */
export const MAGTEK_VENDOR_ID = 0x0801;

/** How to choose and buffer the device. */
export interface HidStripeReaderOptions {
  /** Which device; default: the first listed device with MAGTEK_VENDOR_ID. */
  readonly target?: HidOpenTarget;
  /** Swipes kept while nobody iterates (default 4; oldest dropped). */
  readonly maxBuffered?: number;
}

/** Turns one decoded report into a swipe result (track 2 decode errors fail; a bad track 1 alone is ignored). */
export function swipeFromReport(report: MagtekReport): SwipeResult {
  const [t1, t2] = report.tracks;
  try {
    if (t2.state === 'error' || (t1.state === 'error' && t2.state === 'empty')) {
      const track = t2.state === 'error' ? 2 : 1;
      throw new HidError('HID_TRACK_DECODE_FAILED', `track ${track} could not be read; swipe again`, { track });
    }
    const parsed = parseSwipe({
      ...(t1.state === 'ok' ? { track1: t1.data } : {}),
      ...(t2.state === 'ok' ? { track2: t2.data } : {}),
    });
    return { ok: true, card: parsed.card, track2: parsed.track2, encodeType: report.encodeType };
  } catch (err) {
    return { ok: false, error: asSwipeError(err) };
  }
}

function asSwipeError(err: unknown): SwipeError {
  // Anything else would be a bug in our parser; never pass its message on (it could quote input).
  return err instanceof HidError || err instanceof TrackError ? err : new HidError('HID_TRACK_FORMAT', 'swipe could not be parsed');
}

/** Opens a magnetic stripe reader through `binding`; rejects with HidError (HID_DEVICE_NOT_FOUND, HID_OPEN_FAILED). */
export async function openHidStripeReader(binding: HidBinding, options: HidStripeReaderOptions = {}): Promise<StripeReader> {
  const list = binding.devices();
  const target = options.target;
  const info = target === undefined
    ? list.find((d) => d.vendorId === MAGTEK_VENDOR_ID)
    : 'path' in target
      ? list.find((d) => d.path === target.path)
      : list.find((d) => d.vendorId === target.vendorId && d.productId === target.productId);
  if (!info) throw new HidError('HID_DEVICE_NOT_FOUND', 'no matching magnetic stripe reader attached', { ...(target ?? { vendorId: MAGTEK_VENDOR_ID }) });
  let device: HidDevice;
  try {
    device = binding.open(info.path !== undefined ? { path: info.path } : { vendorId: info.vendorId, productId: info.productId });
  } catch (cause) {
    throw new HidError('HID_OPEN_FAILED', 'could not open the magnetic stripe reader', { vendorId: info.vendorId, productId: info.productId }, cause);
  }
  return new HidStripeReader(info, device, options.maxBuffered ?? 4);
}

type Waiter = { resolve: (r: IteratorResult<SwipeResult>) => void; reject: (e: HidError) => void };

class HidStripeReader implements StripeReader {
  readonly device: HidDeviceInfo;
  #dev: HidDevice;
  #closed = false;
  #failure: HidError | null = null;
  #queue: SwipeResult[] = [];
  #waiters: Waiter[] = [];

  constructor(info: HidDeviceInfo, dev: HidDevice, private readonly maxBuffered: number) {
    this.device = info;
    this.#dev = dev;
    dev.on('data', (report) => this.#onReport(report));
    dev.on('error', () => this.#onUnplug());
  }

  get closed(): boolean {
    return this.#closed;
  }

  #onReport(report: Uint8Array): void {
    if (this.#closed) return;
    let result: SwipeResult;
    try {
      result = swipeFromReport(parseMagtekReport(report));
    } catch (err) {
      result = { ok: false, error: asSwipeError(err) };
    }
    const waiter = this.#waiters.shift();
    if (waiter) return waiter.resolve({ value: result, done: false });
    this.#queue.push(result);
    if (this.#queue.length > this.maxBuffered) this.#queue.shift();
  }

  #onUnplug(): void {
    if (this.#closed) return;
    const err = new HidError('HID_DEVICE_UNPLUGGED', 'magnetic stripe reader disconnected', { vendorId: this.device.vendorId, productId: this.device.productId });
    this.#shutdown();
    const waiters = this.#waiters.splice(0);
    if (waiters.length === 0) this.#failure = err;
    for (const w of waiters) w.reject(err);
  }

  #shutdown(): void {
    this.#closed = true;
    this.#queue = [];
    try {
      this.#dev.close();
    } catch {
      // Already gone (unplugged): nothing left to release.
    }
  }

  #next(): Promise<IteratorResult<SwipeResult>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.#failure) {
      const err = this.#failure;
      this.#failure = null;
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  swipes(): AsyncIterableIterator<SwipeResult> {
    const iterator: AsyncIterableIterator<SwipeResult> = {
      next: () => this.#next(),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  discardPending(): void {
    this.#queue = [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#shutdown();
    for (const w of this.#waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }
}
