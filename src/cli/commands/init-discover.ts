// What `posbridge init` finds on this machine before it asks anything: the PC/SC reader slots (contact, contactless,
// SAM), the serial ports and the HID devices (stripe readers among them). Each part that cannot be read says why;
// none hides the others.
import { slotKind, type SlotKind } from '../../drivers/pcsc/slot-kind.js';
import { listSerialPorts } from '../../drivers/serial/list-ports.js';
import { listHidDevices } from '../../drivers/hid/node-hid-binding.js';
import { PosbridgeError } from '../../errors.js';
import type { CliContext } from '../context.js';

/** A part of the machine that could not be listed: its stable code and message. */
export interface NotFound {
  readonly error: { readonly code: string; readonly message: string };
}

/** Everything found. */
export interface Found {
  readonly readers: readonly { readonly name: string; readonly slot: SlotKind }[] | NotFound;
  /** `method`: how the ports were listed (sysfs on Linux, SerialPort.list() elsewhere). */
  readonly serialPorts: { readonly method: 'sysfs' | 'serialport'; readonly ports: readonly { readonly path: string; readonly driver: string | null }[] } | NotFound;
  /** HID devices; `stripeReader` when it looks like a magnetic stripe reader (MagTek, ID TECH or the MagTek report). */
  readonly hid: readonly { readonly id: string; readonly product: string | null; readonly stripeReader: boolean }[] | NotFound;
}

const notFound = (err: unknown): NotFound => {
  // Only the device layers' own errors are expected here; anything else is a bug and goes up.
  if (!(err instanceof PosbridgeError)) throw err;
  return { error: { code: err.code, message: err.message } };
};

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** Lists the readers, serial ports and HID devices. */
export async function discover(ctx: CliContext): Promise<Found> {
  const readers = await (async () => {
    const driver = await ctx.createReaderDriver();
    try {
      return (await driver.listReaders()).map((r) => ({ name: r.name, slot: slotKind(r.name, r.atr ?? null) }));
    } finally {
      await driver.close();
    }
  })().catch(notFound);
  const serialPorts = await listSerialPorts().then(
    (ports) => ({ method: process.platform === 'linux' ? ('sysfs' as const) : ('serialport' as const), ports: ports.map((p) => ({ path: p.path, driver: p.driver })) }),
    (err: unknown) => (err instanceof PosbridgeError ? notFound(err) : { error: { code: 'SERIAL_LIST_FAILED', message: err instanceof Error ? err.message : String(err) } }),
  );
  const hid = await listHidDevices().then(
    (list) => list.map((h) => ({ id: `${hex4(h.vendorId)}:${hex4(h.productId)}`, product: h.product ?? null, stripeReader: h.likelyCardReader })),
    notFound,
  );
  return { readers, serialPorts, hid };
}

/** The contact slots found (a slot whose name says nothing counts: many single readers are named by model only). */
export function contactSlots(found: Found): string[] {
  return 'error' in found.readers ? [] : found.readers.filter((r) => r.slot === 'contact' || r.slot === 'unknown').map((r) => r.name);
}

/** The contactless slots found. */
export function contactlessSlots(found: Found): string[] {
  return 'error' in found.readers ? [] : found.readers.filter((r) => r.slot === 'contactless').map((r) => r.name);
}

/** The stripe setting for the first stripe reader found ("hid:VVVV:PPPP"), or null. */
export function foundStripe(found: Found): string | null {
  if ('error' in found.hid) return null;
  const h = found.hid.find((x) => x.stripeReader);
  return h ? `hid:${h.id}` : null;
}
