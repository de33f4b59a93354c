import { allPrinters, lanePinPad, laneStripe, type DaemonConfig } from '../../daemon/config.js';
import type { DeviceCheck, DeviceKind } from '../../daemon/device-kind.js';
import { DISPLAY_KINDS } from '../../daemon/lane-display.js';
import { PINPAD_KINDS } from '../../daemon/lane-pinpad.js';
import { STRIPE_KINDS } from '../../daemon/lane-stripe.js';
import { PRINTER_KINDS } from '../../daemon/printer-kinds.js';

/** The configured printers, serial PIN pads, displays and stripe readers: each reached through its kind's check. */
export async function configDeviceChecks(config: DaemonConfig): Promise<DeviceCheck[]> {
  const checks: DeviceCheck[] = [];
  for (const [name, p] of Object.entries(allPrinters(config))) {
    const kind = PRINTER_KINDS.find((k) => k.claims(p.url));
    if (kind) checks.push(await kind.check(p.url, p.commandSet, `printer ${name}`));
  }
  for (const l of config.lanes) {
    await check(checks, PINPAD_KINDS, lanePinPad(config, l), `lane ${l.name} PIN pad`);
    await check(checks, DISPLAY_KINDS, l.display, `lane ${l.name} display`);
    await check(checks, STRIPE_KINDS, laneStripe(config, l), `lane ${l.name} stripe reader`);
  }
  return checks;
}

/** Adds the check of `value`'s kind, when it has one (the reader's keypad and simulators have nothing to ask). */
async function check(into: DeviceCheck[], kinds: readonly DeviceKind<unknown>[], value: string | null | undefined, label: string): Promise<void> {
  if (!value) return;
  const kind = kinds.find((k) => k.claims(value));
  if (kind?.doctor) into.push(await kind.doctor(value, label));
}
