// The daemon config's top-level `contactless` section (docs/configuration.md): the reader's combinations of AID and
// kernel with their Entry Point limits, either listed one by one or from a zone preset (EUR, CNY).
import { defaultContactlessConfig, type CombinationConfig, type ContactlessConfig, type SupportedKernel } from '../emv/contactless/index.js';
import { ConfigError } from '../config/config-error.js';

/** The kernels a combination may name (those this reader implements). */
const KERNELS: readonly SupportedKernel[] = [2, 3, 7];

/** Limits of a zone preset, minor units of the zone's currency. */
interface ZoneLimits {
  readonly transactionLimit: number;
  readonly floorLimit: number;
  readonly cvmRequiredLimit: number;
}

/**
 * Zone presets (values and their basis in docs/configuration.md): EUR — CVM limit 50.00, the schemes' contactless
 * limit in most of the euro area (and PSD2's low-value exemption, RTS Art. 11), floor limit the same; CNY — CVM limit
 * 1 000.00, UnionPay's "no PIN, no signature" QuickPass limit in mainland China, floor limit 0 (every tap online).
 * The transaction limit (10 000.00) is the till's own cap, not a scheme value.
 */
export const ZONES: Readonly<Record<'EUR' | 'CNY', ZoneLimits>> = {
  EUR: { transactionLimit: 1_000_000, floorLimit: 5_000, cvmRequiredLimit: 5_000 },
  CNY: { transactionLimit: 1_000_000, floorLimit: 0, cvmRequiredLimit: 100_000 },
};

const SECTION_KEYS = ['zone', 'combinations', 'contactInterface'];
const COMBINATION_KEYS = ['aid', 'kernel', 'partialSelection', 'transactionLimit', 'floorLimit', 'cvmRequiredLimit', 'statusCheck', 'zeroAmountAllowed', 'ttq'];

/** A limit in minor units: a non-negative integer, or null/absent for "no limit" (the check is skipped). */
function limit(v: unknown, key: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ConfigError(key, 'must be a non-negative integer in minor units (1234 is 12.34), or null for no limit');
  return v;
}

/** A flag that is false when absent. */
function flag(v: unknown, key: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ConfigError(key, 'must be true or false');
  return v;
}

/** One entry of `contactless.combinations`. */
function parseCombination(v: unknown, i: number): CombinationConfig {
  const key = `contactless.combinations[${i}]`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(key, 'must be {"aid": "A0000000031010", "kernel": 3, …}');
  const c = v as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!COMBINATION_KEYS.includes(k)) throw new ConfigError(`${key}.${k}`, `unknown key (known: ${COMBINATION_KEYS.join(', ')})`);
  if (typeof c.aid !== 'string' || !/^([0-9A-Fa-f]{2}){5,16}$/.test(c.aid)) throw new ConfigError(`${key}.aid`, 'must be the AID, 5–16 bytes hex');
  const kernel = KERNELS.find((k) => k === c.kernel);
  if (kernel === undefined) throw new ConfigError(`${key}.kernel`, `must be a kernel this reader has: ${KERNELS.join(', ')}`);
  const ttq = c.ttq ?? '36004000';
  if (typeof ttq !== 'string' || !/^[0-9A-Fa-f]{8}$/.test(ttq)) throw new ConfigError(`${key}.ttq`, 'must be the TTQ (9F66), 4 bytes hex like "36004000"');
  if (c.partialSelection !== undefined && typeof c.partialSelection !== 'boolean') throw new ConfigError(`${key}.partialSelection`, 'must be true or false');
  const transactionLimit = limit(c.transactionLimit, `${key}.transactionLimit`);
  const floorLimit = limit(c.floorLimit, `${key}.floorLimit`);
  const cvmRequiredLimit = limit(c.cvmRequiredLimit, `${key}.cvmRequiredLimit`);
  if (transactionLimit !== null && cvmRequiredLimit !== null && cvmRequiredLimit > transactionLimit) {
    throw new ConfigError(`${key}.cvmRequiredLimit`, 'is above transactionLimit: no contactless amount would ever need a CVM');
  }
  return {
    aid: c.aid.toUpperCase(),
    partialSelection: c.partialSelection !== false,
    kernelId: kernel,
    transactionLimit,
    floorLimit,
    cvmRequiredLimit,
    statusCheck: flag(c.statusCheck, `${key}.statusCheck`),
    zeroAmountAllowed: flag(c.zeroAmountAllowed, `${key}.zeroAmountAllowed`),
    ttq: ttq.toUpperCase(),
  };
}

/**
 * The `contactless` section: absent → the built-in defaults (src/emv/contactless/defaults.ts); `{"zone": "EUR"}` →
 * the default combinations with the zone's limits; `{"combinations": […]}` → exactly those. ConfigError names the key.
 */
export function parseContactlessSection(v: unknown): ContactlessConfig {
  if (v === undefined) return defaultContactlessConfig();
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('contactless', 'must be {"zone": "EUR"|"CNY"} or {"combinations": [{"aid", "kernel", …}]}');
  const s = v as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!SECTION_KEYS.includes(k)) throw new ConfigError(`contactless.${k}`, `unknown key (known: ${SECTION_KEYS.join(', ')})`);
  if (s.contactInterface !== undefined && typeof s.contactInterface !== 'boolean') throw new ConfigError('contactless.contactInterface', 'must be true or false');
  const contactInterface = s.contactInterface !== false;
  if (s.zone !== undefined && s.combinations !== undefined) throw new ConfigError('contactless', 'give "zone" or "combinations", not both');
  if (s.zone !== undefined) {
    if (s.zone !== 'EUR' && s.zone !== 'CNY') throw new ConfigError('contactless.zone', 'must be "EUR" or "CNY"');
    const limits = ZONES[s.zone];
    return defaultContactlessConfig({ contactInterface, combinations: defaultContactlessConfig().combinations.map((c) => ({ ...c, ...limits })) });
  }
  if (!Array.isArray(s.combinations) || s.combinations.length === 0) throw new ConfigError('contactless.combinations', 'must list at least one combination (or give "zone")');
  const combinations = s.combinations.map(parseCombination);
  const seen = new Set<string>();
  for (const [i, c] of combinations.entries()) {
    const id = `${c.aid}/${c.kernelId}`;
    if (seen.has(id)) throw new ConfigError(`contactless.combinations[${i}]`, `AID ${c.aid} with kernel ${c.kernelId} is listed twice`);
    seen.add(id);
  }
  return { combinations, contactInterface };
}
