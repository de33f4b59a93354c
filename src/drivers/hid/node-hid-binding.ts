/**
 * The real HidBinding, over node-hid 3 (hidapi; see docs/decisions.md "HID binding: node-hid"). node-hid is an
 * optional dependency loaded lazily with a dynamic import, so a machine without it (or without a prebuilt addon
 * for its platform) still runs everything else and gets HidError `HID_UNAVAILABLE` from here only.
 *
 * Rules added on top of node-hid's own (types.ts, HidDevice):
 * - `open` throws only HidError: `HID_DEVICE_NOT_FOUND` when the target is not attached, `HID_OPEN_FAILED` when it
 *   is listed but cannot be opened (permissions on /dev/hidraw*, held exclusively by another process).
 * - A read failure (node-hid's 'error' after an unplug) closes the handle at once and is emitted once as HidError
 *   `HID_DEVICE_UNPLUGGED`; no 'data' follows. `close()` is idempotent (node-hid's is not).
 * - node-hid's synchronous `HID` reads on a libuv pool thread that stays busy while the device is open (a 50 ms
 *   hid_read_timeout loop), so each open reader holds one of the pool's threads.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HidError } from './errors.js';
import { MAGTEK_VENDOR_ID } from './hid-stripe-reader.js';
import { MAGTEK_REPORT_LENGTH } from './magtek-report.js';
import { inputReportLengths } from './report-descriptor.js';
import type { HidBinding, HidDevice, HidDeviceInfo, HidOpenTarget } from './types.js';

/** ID TECH's USB vendor id (USB-IF assigned 0x0ACD). */
export const IDTECH_VENDOR_ID = 0x0acd;
/** The vendor-defined usage page (USB HID Usage Tables §3: 0xFF00–0xFFFF) MagTek-style swipe readers use. */
export const VENDOR_DEFINED_USAGE_PAGE = 0xff00;

/** One device as node-hid's `devices()` lists it (the fields we read). */
export interface NodeHidDeviceRecord {
  readonly vendorId: number;
  readonly productId: number;
  readonly path?: string;
  readonly serialNumber?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly usagePage?: number;
  readonly usage?: number;
}

/** An open node-hid `HID` handle (the members we use). */
export interface NodeHidHandle {
  /** Input reports (a Buffer), or the read error that follows an unplug. */
  on(event: 'data', listener: (report: Uint8Array | number[]) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  /** One report by callback. */
  read(callback: (err: unknown, report: ArrayLike<number>) => void): void;
  /** Releases the OS handle (throws or misbehaves when called twice). */
  close(): void;
}

/** The parts of the node-hid module we use; node-hid's own module object satisfies it. */
export interface NodeHidModule {
  /** Enumerates attached HID devices (loads the native addon on first use). */
  devices(): NodeHidDeviceRecord[];
  /** hidapi's version; calling it loads the native addon. */
  getHidapiVersion(): string;
  /** Opens a device by OS path or by vendor/product id. */
  HID: { new (path: string): NodeHidHandle; new (vendorId: number, productId: number): NodeHidHandle };
}

/** How node-hid is imported (tests inject a failing one). */
export type NodeHidImporter = () => Promise<NodeHidModule>;

const importNodeHid: NodeHidImporter = async () => import('node-hid');

/**
 * Loads node-hid and its native addon; rejects with HidError `HID_UNAVAILABLE` (not retriable: an installation
 * matter) when the package is missing or has no working binary for this platform.
 */
export async function loadNodeHidBinding(importer: NodeHidImporter = importNodeHid): Promise<NodeHidBinding> {
  let mod: NodeHidModule;
  try {
    mod = await importer();
  } catch (cause) {
    throw new HidError('HID_UNAVAILABLE', 'node-hid is not installed (optional dependency): no HID devices can be used', { reason: 'module-missing' }, cause);
  }
  let version: string;
  try {
    version = mod.getHidapiVersion();
  } catch (cause) {
    const details = { reason: 'addon-failed', platform: process.platform, arch: process.arch };
    throw new HidError('HID_UNAVAILABLE', 'node-hid is installed but its native addon did not load on this platform', details, cause);
  }
  return new NodeHidBinding(mod, version);
}

function toInfo(d: NodeHidDeviceRecord): HidDeviceInfo {
  return {
    vendorId: d.vendorId,
    productId: d.productId,
    ...(d.product ? { product: d.product } : {}),
    ...(d.manufacturer ? { manufacturer: d.manufacturer } : {}),
    ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}),
    ...(d.path ? { path: d.path } : {}),
    ...(d.usagePage !== undefined ? { usagePage: d.usagePage } : {}),
    ...(d.usage !== undefined ? { usage: d.usage } : {}),
  };
}

const matches = (d: HidDeviceInfo, t: HidOpenTarget): boolean =>
  'path' in t ? d.path === t.path : d.vendorId === t.vendorId && d.productId === t.productId;

const targetDetails = (t: HidOpenTarget): Record<string, unknown> => ('path' in t ? { path: t.path } : { vendorId: t.vendorId, productId: t.productId });

/** The HidBinding over a loaded node-hid module. */
export class NodeHidBinding implements HidBinding {
  /** Wraps a loaded node-hid module; use loadNodeHidBinding() rather than this directly. */
  constructor(private readonly mod: NodeHidModule, readonly hidapiVersion: string) {}

  /** The attached HID devices; HID_UNAVAILABLE when hidapi cannot enumerate. */
  devices(): HidDeviceInfo[] {
    let list: NodeHidDeviceRecord[];
    try {
      list = this.mod.devices();
    } catch (cause) {
      throw new HidError('HID_UNAVAILABLE', 'hidapi could not enumerate HID devices', { reason: 'enumerate-failed' }, cause);
    }
    return list.map(toInfo);
  }

  /** Opens a device; throws HidError HID_DEVICE_NOT_FOUND (not attached) or HID_OPEN_FAILED (attached, refused). */
  open(target: HidOpenTarget): HidDevice {
    let raw: NodeHidHandle;
    try {
      raw = 'path' in target ? new this.mod.HID(target.path) : new this.mod.HID(target.vendorId, target.productId);
    } catch (cause) {
      const attached = this.devices().some((d) => matches(d, target));
      if (!attached) throw new HidError('HID_DEVICE_NOT_FOUND', 'no such HID device is attached', targetDetails(target), cause);
      throw new HidError('HID_OPEN_FAILED', 'the HID device is attached but could not be opened (permissions, or in use)', targetDetails(target), cause);
    }
    return new NodeHidDevice(raw, targetDetails(target));
  }
}

const asBytes = (r: ArrayLike<number>): Uint8Array => (r instanceof Uint8Array ? r : Uint8Array.from(r));

/** One open node-hid device with the rules in the header comment. */
class NodeHidDevice implements HidDevice {
  readonly #raw: NodeHidHandle;
  readonly #events = new EventEmitter();
  #forwarding = false;
  #closed = false;

  constructor(raw: NodeHidHandle, private readonly where: Record<string, unknown>) {
    this.#raw = raw;
    // Always listening: an 'error' without a listener would throw out of node-hid's read loop.
    raw.on('error', (err) => this.#onReadError(err));
  }

  on(event: 'data', listener: (report: Uint8Array) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  /** Registers a listener; the first 'data' listener starts node-hid's read loop. */
  on(event: 'data' | 'error', listener: ((report: Uint8Array) => void) | ((err: Error) => void)): this {
    this.#events.on(event, listener);
    if (event === 'data' && !this.#forwarding && !this.#closed) {
      this.#forwarding = true;
      this.#raw.on('data', (report) => this.#events.emit('data', asBytes(report)));
    }
    return this;
  }

  /** Reads one report (not together with a 'data' listener). */
  read(callback: (err: Error | null | undefined, report: ArrayLike<number>) => void): void {
    if (this.#closed) return callback(new HidError('HID_DEVICE_UNPLUGGED', 'the HID device is closed', this.where), []);
    this.#raw.read((err, report) => {
      if (err) callback(new HidError('HID_DEVICE_UNPLUGGED', 'reading the HID device failed', this.where, err), []);
      else callback(null, asBytes(report));
    });
  }

  /** Releases the device; a second call does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.removeAllListeners('data');
    this.#raw.close();
  }

  #onReadError(cause: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    let closeFailed = false;
    try {
      this.#raw.close();
    } catch {
      // The handle of an unplugged device may already be gone; that is reported in the error's details.
      closeFailed = true;
    }
    const err = new HidError('HID_DEVICE_UNPLUGGED', 'the HID device stopped answering (unplugged?)', { ...this.where, closeFailed }, cause);
    if (this.#events.listenerCount('error') > 0) this.#events.emit('error', err);
    this.#events.removeAllListeners();
  }
}

/** Why a listed device looks like a card reader. */
export type CardReaderHint = 'magtek-vendor' | 'idtech-vendor' | 'vendor-defined-magtek-report';

/** A listed HID device, with the card-reader guess. */
export interface ListedHidDevice extends HidDeviceInfo {
  readonly likelyCardReader: boolean;
  readonly cardReaderHint?: CardReaderHint;
  /** Largest input report in bytes, when the report descriptor could be read (Linux hidraw). */
  readonly inputReportLength?: number;
}

/** Pure: MagTek or ID TECH vendor id, or usage page 0xFF00 with an input report of the MagTek layout's size. */
export function classifyHidDevice(info: HidDeviceInfo, inputReportLength: number | null): CardReaderHint | null {
  if (info.vendorId === MAGTEK_VENDOR_ID) return 'magtek-vendor';
  if (info.vendorId === IDTECH_VENDOR_ID) return 'idtech-vendor';
  if (info.usagePage === VENDOR_DEFINED_USAGE_PAGE && inputReportLength === MAGTEK_REPORT_LENGTH) return 'vendor-defined-magtek-report';
  return null;
}

/** Errors reading sysfs that mean "size unknown here" (no such node, not Linux hidraw, no permission). */
const UNKNOWN_SIZE_ERRNO = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

/**
 * Largest input report of a Linux hidraw device, from `/sys/class/hidraw/hidrawN/device/report_descriptor`
 * (readable without opening the device); null for other paths, a missing node or a malformed descriptor.
 */
export async function hidrawInputReportLength(path: string | undefined, sysfsClassDir = '/sys/class/hidraw'): Promise<number | null> {
  const m = path === undefined ? null : /^\/dev\/(hidraw[0-9]+)$/.exec(path);
  if (!m) return null;
  let descriptor: Buffer;
  try {
    descriptor = await readFile(join(sysfsClassDir, m[1], 'device', 'report_descriptor'));
  } catch (err) {
    if (err instanceof Error && 'code' in err && UNKNOWN_SIZE_ERRNO.has(String(err.code))) return null;
    throw err;
  }
  const lengths = inputReportLengths(descriptor);
  return lengths && lengths.size ? Math.max(...lengths.values()) : null;
}

/** Where listHidDevices gets its data (defaults: node-hid, and sysfs for report sizes). */
export interface ListHidDevicesOptions {
  readonly binding?: HidBinding;
  readonly inputReportLength?: (info: HidDeviceInfo) => Promise<number | null>;
}

/** Lists attached HID devices with a card-reader guess; rejects with HID_UNAVAILABLE when node-hid cannot load. */
export async function listHidDevices(options: ListHidDevicesOptions = {}): Promise<ListedHidDevice[]> {
  const binding = options.binding ?? (await loadNodeHidBinding());
  const sizeOf = options.inputReportLength ?? ((d: HidDeviceInfo) => hidrawInputReportLength(d.path));
  return Promise.all(
    binding.devices().map(async (d) => {
      // Only vendor-defined devices need their size; reading every keyboard's descriptor tells nothing.
      const size = d.usagePage === VENDOR_DEFINED_USAGE_PAGE ? await sizeOf(d) : null;
      const hint = classifyHidDevice(d, size);
      return { ...d, likelyCardReader: hint !== null, ...(hint ? { cardReaderHint: hint } : {}), ...(size !== null ? { inputReportLength: size } : {}) };
    }),
  );
}
