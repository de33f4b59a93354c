// The options of `posbridge demo`, and the parsing of --nexo-port and --auto-card.
import { UsageError } from '../exit-codes.js';

/** `posbridge demo` options as commander gives them. */
export interface DemoOptions {
  readonly port?: string;
  readonly json?: boolean;
  readonly pcsc?: boolean;
  readonly nexo?: boolean;
  readonly nexoPort?: string;
  readonly autoCard?: string;
  readonly metrics?: string;
}

/** The demo's nexo key, POIID and port (8443 unless --nexo-port). */
export const DEMO_NEXO = { keyIdentifier: 'posbridge-demo', keyVersion: 1, passphrase: 'posbridge-demo-passphrase', poiId: 'posbridge-A', port: 8443 } as const;

/** The demo's lanes on in-process readers, each with a contact and a contactless reader (--pcsc: lane A only, on vpcd's two slots). */
export const DEMO_LANES = ['A', 'B'] as const;

/** The demo's cashiers: API clients of the cashier role paired at start, their tokens printed beside the supervisor's. */
export const DEMO_CASHIERS = ['cashier-1', 'cashier-2'] as const;

/** --nexo-port as a port number. */
export function nexoPort(v: string | undefined): number {
  if (v === undefined) return DEMO_NEXO.port;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--nexo-port must be 0..65535, got "${v}"`);
  return n;
}

/** --auto-card PROFILE[:DELAY_MS], checked against the known profiles. */
export function parseAutoCard(v: string | undefined, profiles: readonly string[]): { profile: string; delayMs: number } | undefined {
  if (v === undefined) return undefined;
  const [profile = '', delay] = v.split(':');
  if (!profiles.includes(profile)) throw new UsageError(`--auto-card: unknown profile "${profile}" (known: ${profiles.join(', ')})`);
  const delayMs = delay === undefined ? 1500 : Number(delay);
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 600_000) throw new UsageError(`--auto-card: the delay must be 0..600000 ms, got "${delay ?? ''}"`);
  return { profile, delayMs };
}

/** --metrics PORT as the `metrics` section (on 127.0.0.1), or undefined without the option. */
export function demoMetrics(v: string | undefined): { bind: string; port: number } | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isInteger(n) || n > 65535) throw new UsageError(`--metrics must be a port 0..65535, got "${v}"`);
  return { bind: '127.0.0.1', port: n };
}
