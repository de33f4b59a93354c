// The registry's contract: each kind of lane device (a PIN pad, a stripe reader, a customer display, a printer's
// connection) is one registration saying how its configuration value looks, whether it is a simulator, how it is
// opened and how `posbridge doctor --config` reaches it on site. A new device model is its driver plus one entry.
import { ConfigError } from '../config/config-error.js';

/** What `posbridge doctor --config` found of one configured device. */
export interface DeviceCheck {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  readonly fix?: string;
}

/** The device families a lane has. */
export type DeviceFamily = 'pinpad' | 'stripe' | 'display' | 'printer';

/** One kind of device of a family; `Open` is the family's way to open it. */
export interface DeviceKind<Open> {
  readonly family: DeviceFamily;
  /** The kind's name, as devices.list reports it. */
  readonly name: string;
  /** The configuration value's form, for messages ("reader", "serial:///dev/ttyUSB0?baud=9600"). */
  readonly form: string;
  /** A simulator: refused outside the demo. */
  readonly demoOnly: boolean;
  /** Whether `value` names this kind. */
  claims(value: string): boolean;
  /** Checks `value` in full (a ConfigError naming `key` when it is wrong) and returns it as kept. */
  parse(value: string, key: string): string;
  /** Opens the device. */
  readonly open: Open;
  /** Reaches the configured device on site; absent when there is nothing to ask (a simulator). */
  doctor?(value: string, label: string): Promise<DeviceCheck>;
}

/** The kind of `kinds` that `value` names; a ConfigError at `key` listing the accepted forms when none does. */
export function kindOf<K extends DeviceKind<unknown>>(kinds: readonly K[], value: unknown, key: string): K {
  const forms = kinds.map((k) => k.form).join(', ');
  if (typeof value !== 'string') throw new ConfigError(key, `must be one of: ${forms}`);
  const kind = kinds.find((k) => k.claims(value));
  if (!kind) throw new ConfigError(key, `must be one of: ${forms}`);
  return kind;
}

/** Parses `value` with the kind that claims it. */
export function parseKind<K extends DeviceKind<unknown>>(kinds: readonly K[], value: unknown, key: string): string {
  return kindOf(kinds, value, key).parse(value as string, key);
}
