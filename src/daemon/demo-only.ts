// Simulators are for the demo only: a till configured without its acquirer, or with a virtual reader, PIN pad or
// stripe reader, would "approve" cards with no bank behind them. Outside demo mode each such choice is refused at
// start-up, naming the key and the form of the setting it needs.
import { ConfigError, lanePinPad, laneStripe, type DaemonConfig } from './config.js';
import type { DeviceKind } from './device-kind.js';
import { PINPAD_KINDS } from './lane-pinpad.js';
import { STRIPE_KINDS } from './lane-stripe.js';

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
  if (config.invoice?.endpoint === 'simulator') throw new ConfigError('invoice.endpoint', `"simulator" is refused outside the demo: give {"url": "https://…"} (${demoOnly})`);
  if (config.readers === 'virtual') throw new ConfigError('readers', `"virtual" is refused outside the demo: use "readers": "pcsc" (${demoOnly})`);
  for (const [i, lane] of config.lanes.entries()) {
    refuse(PINPAD_KINDS, lanePinPad(config, lane), `lanes[${i}].pinpad`, '', demoOnly);
    const stripe = laneStripe(config, lane);
    if (stripe) refuse(STRIPE_KINDS, stripe, `lanes[${i}].stripe`, ', or leave it out', demoOnly);
  }
}

/** Refuses `value` when the kind claiming it is a simulator, naming the kinds a real till can use instead. */
function refuse(kinds: readonly DeviceKind<unknown>[], value: string, key: string, orElse: string, why: string): void {
  const kind = kinds.find((k) => k.claims(value));
  if (!kind?.demoOnly) return;
  const real = kinds.filter((k) => !k.demoOnly).map((k) => k.form);
  throw new ConfigError(key, `"${value}" is refused outside the demo: use ${real.join(' or ')}${orElse} (${why})`);
}
