// Everything the daemon takes from the simulators, in one module that daemon.ts imports dynamically and only in demo
// mode: a production run never loads src/sim (test/integration/no-simulators.test.ts checks it).
export { simCaKeys } from '../sim/emv/sim-keys.js';
import { createCard, profileInfo } from '../sim/emv/catalog.js';
import type { EscPosEmulator } from '../sim/printer/escpos-emulator.js';
import { InProcessReaderDriver } from '../sim/in-process-reader.js';
import type { CardSlot } from './sim-methods.js';
export { createCard, profileInfo };
export { HostSimulator } from '../sim/host/host-simulator.js';
export { InProcessReaderDriver };
export { SimulatedPinEntry } from '../sim/pinpad/sim-pin-entry.js';
export { SimulatedHidBinding } from '../sim/stripe/simulated-stripe-reader.js';
export { simMethods, invoiceSimMethods } from '../sim/sim-methods.js';
export { InvoiceEndpointSimulator } from '../sim/invoice/invoice-endpoint-simulator.js';

/** The demo's card slots of each lane on the in-process readers: its contact reader and, if it has one, its contactless one. */
export function virtualSlots(driver: InProcessReaderDriver, lanes: readonly { readonly name: string; readonly reader: string; readonly contactless?: string }[]): Map<string, CardSlot> {
  const slot = (r: string): CardSlot => ({ insert: (profile: string) => driver.insertCard(r, createCard(profile)), remove: () => driver.removeCard(r) });
  return new Map(lanes.map((l) => [l.name, { ...slot(l.reader), ...(l.contactless ? { contactless: slot(l.contactless) } : {}) }]));
}

/** The demo's emulated receipt printer (sim.setPrinter drives it). */
export type DemoPrinter = EscPosEmulator;
