// The simulated acquirer host's public surface, for the CLI (`posbridge sim host`), the demo and tests.
export { HostSimulator, type HostSimulatorOptions, type ModeOptions } from './host-simulator.js';
export { HOST_MODES, rules, amountRule, SIM_CODES, type HostMode, type SimModeRule, type SimRule } from './rules.js';
export { builtInCards, type ArqcVerdict, type IssuerLookup } from './issuer.js';
export type { SimTotals } from './ledger.js';
export type { Delivery, RecordedMessage } from './record.js';
export { runHostSimulator, type HostSimulatorHandle, type RunHostSimulatorOptions } from './run.js';
export { codecFor, createHostStack, DEFAULT_LINK_POLICY, DEFAULT_SAF_POLICY, journalPath, sealKeyPath, type HostStack, type HostStackOptions } from '../../host/stack.js';
