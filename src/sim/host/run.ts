// `posbridge sim host [--port N]`: starts the simulated acquirer for cashier-app developers and prints where it
// listens; the CLI wires the command, this module only starts and stops the simulator.
import type { Logger } from '../../log/logger.js';
import type { Iso8583Spec } from '../../host/iso8583/index.js';
import { HostSimulator } from './host-simulator.js';
import { rules } from './rules.js';

/** Options of `posbridge sim host`. */
export interface RunHostSimulatorOptions {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  readonly port?: number;
  readonly logger?: Logger;
  readonly spec?: Iso8583Spec;
}

/** A running simulator: its port, the simulator for scenario control, and how to stop it. */
export interface HostSimulatorHandle {
  readonly port: number;
  readonly simulator: HostSimulator;
  stop(): Promise<void>;
}

/** Starts the host simulator on 127.0.0.1 and logs its port and rules. */
export async function runHostSimulator(options: RunHostSimulatorOptions = {}): Promise<HostSimulatorHandle> {
  const simulator = new HostSimulator({ port: options.port ?? 0, ...(options.logger ? { logger: options.logger } : {}), ...(options.spec ? { spec: options.spec } : {}) });
  const port = await simulator.start();
  options.logger?.info('host simulator ready', { port, rules: rules().rules.map((r) => `${r.request}: ${r.when} → ${r.answer}`) });
  return { port, simulator, stop: () => simulator.stop() };
}
