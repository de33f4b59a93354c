// Everything the daemon takes from the simulators, in one module that daemon.ts imports dynamically and only in demo
// mode: a production run never loads src/sim (test/integration/no-simulators.test.ts checks it).
export { simCaKeys } from '../sim/emv/sim-keys.js';
export { createCard, profileInfo } from '../sim/emv/catalog.js';
export { HostSimulator } from '../sim/host/host-simulator.js';
export { InProcessReaderDriver } from '../sim/in-process-reader.js';
export { SimulatedPinEntry } from '../sim/sim-pin-entry.js';
export { SimulatedHidBinding } from '../drivers/hid/simulated-stripe-reader.js';
export { simMethods } from './sim-methods.js';
