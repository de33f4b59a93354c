import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { ApiError } from './errors.js';
import type { MethodSpec } from './rpc.js';
import { defineMethod } from './contract/define.js';

/** A lane's devices as devices.list reports them. */
export interface LaneDeviceStatus {
  readonly pinpad: { readonly kind: string; readonly connected: boolean } | null;
  /** The printer's status, `{error}` when it cannot be read, null when the lane has none. */
  readonly printer: { readonly name: string; readonly online: boolean; readonly coverOpen: boolean; readonly paper: 'ok' | 'near-end' | 'end'; readonly drawerOpen: boolean } | { readonly name: string; readonly error: string } | null;
  readonly display: { readonly kind: string; readonly connected: boolean } | null;
  /** The magnetic stripe reader; `error` is the HID code when it could not be opened. */
  readonly stripe?: { readonly kind: string; readonly connected: boolean; readonly error?: string } | null;
}

/** What the device methods need. */
export interface DeviceMethodDeps {
  readonly driver: ReaderDriver;
  /** Lane name → its reader. */
  readonly readers: ReadonlyMap<string, string>;
  /** The lane's PIN pad, printer and display. */
  readonly devices: (lane: string) => Promise<LaneDeviceStatus>;
  /** Kicks the lane's cash drawer; DEVICE_UNAVAILABLE when the lane has no printer with a drawer port. */
  readonly openDrawer: (lane: string) => Promise<{ readonly drawerOpen: boolean | null; readonly realtime: boolean }>;
}

/** devices.list (cashier) and drawer.open (cashier). */
export function deviceMethods(d: DeviceMethodDeps): Map<string, MethodSpec> {
  return new Map<string, MethodSpec>([
    defineMethod('devices.list', async () => {
      const readers = await d.driver.listReaders();
      const lanes = await Promise.all(
        [...d.readers].map(async ([lane, reader]) => ({
          lane,
          reader,
          connected: readers.some((r) => r.name === reader),
          cardPresent: readers.find((r) => r.name === reader)?.cardPresent ?? false,
          ...(await d.devices(lane)),
        })),
      );
      return { lanes };
    }),
    defineMethod('drawer.open', async ({ lane }) => {
      if (!d.readers.has(lane)) throw new ApiError('NOT_FOUND', `no lane "${lane}"; lanes: ${[...d.readers.keys()].join(', ')}`, { param: 'lane' });
      return { lane, ...(await d.openDrawer(lane)) };
    }),
  ]);
}
