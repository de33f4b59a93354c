/**
 * The magnetic stripe reader device family (one interface per device family, docs/architecture.md): a small binding
 * interface that node-hid's `HID.devices()` / `new HID.HID(...)` satisfies structurally, and the
 * Promise-based `StripeReader` the upper layers use. Real driver: hid-stripe-reader.ts;
 * simulated binding and reader: src/sim/stripe/simulated-stripe-reader.ts.
 */
import type { TrackError } from '../../cards/errors.js';
import type { SensitiveTrack } from '../../cards/sensitive-track.js';
import type { CardSwipe } from '../../cards/tracks.js';
import type { HidError } from './errors.js';
import type { CardEncodeType } from './magtek-report.js';

/** One HID device as listed by the OS (the fields of node-hid's `Device` we use). */
export interface HidDeviceInfo {
  readonly vendorId: number;
  readonly productId: number;
  readonly product?: string;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
  /** OS path (hidraw node, IOService path, Windows device path); the stable key to open by. */
  readonly path?: string;
  readonly usagePage?: number;
  readonly usage?: number;
}

/** Where to open a device: by OS path, or the first one with this vendor/product id. */
export type HidOpenTarget = { readonly path: string } | { readonly vendorId: number; readonly productId: number };

/**
 * An open HID device: the subset of node-hid's `HID.HID` we need.
 * Rules (as node-hid behaves): each input report arrives once on 'data' (a Buffer, which is a
 * Uint8Array); an unplug or read failure is emitted once on 'error', after which no more 'data'
 * arrives; `close()` stops reading and must not be called twice on node-hid itself (the driver
 * guards this).
 */
export interface HidDevice {
  /** Registers a listener for input reports or for the read error that follows an unplug. */
  on(event: 'data', listener: (report: Uint8Array) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** Reads one input report (alternative to 'data'; not used together with it). */
  read(callback: (err: Error | null | undefined, report: ArrayLike<number>) => void): void;
  /** Releases the OS handle. */
  close(): void;
}

/**
 * What the driver needs from a HID library. node-hid fits with
 * `{ devices: () => HID.devices(), open: (t) => 'path' in t ? new HID.HID(t.path) : new HID.HID(t.vendorId, t.productId) }`.
 * `open` throws when the device is absent or busy.
 */
export interface HidBinding {
  /** The HID devices currently attached. */
  devices(): HidDeviceInfo[];
  /** Opens a device; throws (any Error) if it cannot. */
  open(target: HidOpenTarget): HidDevice;
}

/** One swipe, decoded and already masked. `track2` is for the host link only. */
export interface SwipeOk {
  readonly ok: true;
  readonly card: CardSwipe;
  /** Full track 2 (ISO/IEC 7813), opaque: prints and serializes as '[track data]'. Null if only track 1 was read. */
  readonly track2: SensitiveTrack | null;
  readonly encodeType: CardEncodeType;
}

/** Why a swipe cannot be used: the reader's report (HidError) or the track text itself (TrackError). */
export type SwipeError = HidError | TrackError;

/** A swipe the reader saw but that cannot be used (bad read, LRC, Luhn…); the reader stays open. */
export interface SwipeFailed {
  readonly ok: false;
  readonly error: SwipeError;
}

/** What a reader delivers per swipe. */
export type SwipeResult = SwipeOk | SwipeFailed;

/**
 * A magnetic stripe reader, real or simulated.
 *
 * Rules:
 * - `swipes()` yields one SwipeResult per swipe, in order. A bad swipe is a `{ ok: false }` result,
 *   never a thrown error: the cashier simply swipes again. It is meant for a single consumer.
 * - Swipes made while nobody is iterating are buffered (at most `maxBuffered`, oldest dropped);
 *   call `discardPending()` before asking for a card so a stale swipe is not taken.
 * - Unplug: the pending and next `next()` reject with HidError `HID_DEVICE_UNPLUGGED`
 *   (retriable: open again); after that the reader is closed and iteration ends.
 * - `close()` is idempotent and never throws; after it iteration ends (`done: true`), including
 *   a `next()` already waiting.
 * - Track data never appears in errors, logs, JSON or inspect output.
 */
export interface StripeReader {
  /** The device this reader is bound to (no card data). */
  readonly device: HidDeviceInfo;
  /** True once closed by `close()` or by an unplug. */
  readonly closed: boolean;
  /** Iterates swipes until close or unplug (see the rules above). */
  swipes(): AsyncIterableIterator<SwipeResult>;
  /** Drops buffered swipes not yet taken. */
  discardPending(): void;
  /** Stops reading and releases the device; safe to call more than once. */
  close(): Promise<void>;
}
