// Simulators are for the demo only: a till configured without its acquirer, or with a virtual reader, PIN pad or
// stripe reader, would "approve" cards with no bank behind them. Outside demo mode each such choice is refused at
// start-up, naming the key and the form of the setting it needs.
import { ConfigError, lanePinPad, laneStripe, type DaemonConfig } from './config.js';

/** The form of the `host` setting, as the refusal shows it. */
export const HOST_FORM = '"host": {"host": "acquirer.example", "port": 7001, "tls": {"ca": "/etc/posbridge/acquirer-ca.pem"}}';

/**
 * Throws a ConfigError naming the first simulator `config` chooses when it is not a demo (`demo: true` or
 * `posbridge demo`): the built-in host (no `host`, or `"host": "simulator"`), `readers: "virtual"`, a lane's
 * `pinpad: "virtual"` or `stripe: "virtual"`.
 */
export function refuseSimulators(config: DaemonConfig): void {
  if (config.demo) return;
  const demoOnly = 'the simulators run only in the demo ("demo": true or posbridge demo)';
  if (config.host === 'simulator') throw new ConfigError('host', `missing: outside the demo the daemon needs its acquirer, ${HOST_FORM} (${demoOnly})`);
  if (config.readers === 'virtual') throw new ConfigError('readers', `"virtual" is refused outside the demo: use "readers": "pcsc" (${demoOnly})`);
  for (const [i, lane] of config.lanes.entries()) {
    if (lanePinPad(config, lane) === 'virtual') throw new ConfigError(`lanes[${i}].pinpad`, `"virtual" is refused outside the demo: use "reader" or "serial:///dev/ttyUSB0?baud=9600" (${demoOnly})`);
    if (laneStripe(config, lane) === 'virtual') throw new ConfigError(`lanes[${i}].stripe`, `"virtual" is refused outside the demo: use "hid", "hid:VVVV:PPPP" or "hid:PATH", or leave it out (${demoOnly})`);
  }
}
