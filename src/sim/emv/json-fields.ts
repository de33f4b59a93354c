import { EmvSimError } from './errors.js';

// Typed readers for untrusted JSON: every failure names the source and the dotted path of the bad key.

/** A JSON object being read, with where it came from and its path, e.g. `applications[0].iac`. */
export class JsonObject {
  /** Wraps `value` (which must be a plain object) found at `path` in `source`. */
  constructor(
    private readonly value: unknown,
    readonly source: string,
    readonly path: string,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.error('', 'must be an object');
  }

  private get record(): Record<string, unknown> {
    return this.value as Record<string, unknown>;
  }

  /** The error for `key` (or the object itself when key is ''). */
  error(key: string, message: string): EmvSimError {
    const at = [this.path, key].filter((s) => s !== '').join('.') || '(top level)';
    return new EmvSimError('SIM_PROFILE_INVALID', `${this.source}: ${at}: ${message}`, { source: this.source, key: at });
  }

  /** Refuses keys not in `allowed` (a typo must not pass silently). */
  onlyKeys(allowed: readonly string[]): void {
    for (const k of Object.keys(this.record)) if (!allowed.includes(k)) throw this.error(k, `unknown key (allowed: ${allowed.join(', ')})`);
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return this.record[key] !== undefined;
  }

  /** A string matching `pattern` (described by `what`); `fallback` when absent, else required. */
  string(key: string, pattern: RegExp, what: string, fallback?: string): string {
    const v = this.record[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string') throw this.error(key, v === undefined ? 'is required' : 'must be a string');
    if (!pattern.test(v)) throw this.error(key, `must be ${what}, got '${v}'`);
    return v;
  }

  /** Hex of `min`..`max` bytes, returned uppercase; `fallback` when absent, else required. */
  hex(key: string, min: number, max: number, fallback?: string): string {
    const v = this.string(key, /^([0-9A-Fa-f]{2})*$/, 'hex (whole bytes, no separators)', fallback);
    const n = v.length / 2;
    if (n < min || n > max) throw this.error(key, min === max ? `must be ${min} bytes, got ${n}` : `must be ${min}-${max} bytes, got ${n}`);
    return v.toUpperCase();
  }

  /** An integer in [min, max]; `fallback` when absent (null allowed), else required. */
  int<F extends number | null = never>(key: string, min: number, max: number, fallback?: F): number | F {
    const v = this.record[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.error(key, v === undefined ? 'is required' : 'must be an integer');
    if (v < min || v > max) throw this.error(key, `must be ${min}..${max}, got ${v}`);
    return v;
  }

  /** A boolean; `fallback` when absent, else required. */
  bool(key: string, fallback?: boolean): boolean {
    const v = this.record[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'boolean') throw this.error(key, v === undefined ? 'is required' : 'must be true or false');
    return v;
  }

  /** One of `values`; `fallback` when absent, else required. */
  oneOf<T extends string | number>(key: string, values: readonly T[], fallback?: T): T {
    const v = this.record[key];
    if (v === undefined && fallback !== undefined) return fallback;
    const hit = values.find((x) => x === v);
    if (hit === undefined) throw this.error(key, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`);
    return hit;
  }

  /** A nested object; `required` false gives an empty object when absent. */
  object(key: string, required = true): JsonObject {
    const v = this.record[key];
    if (v === undefined && !required) return new JsonObject({}, this.source, this.childPath(key));
    if (v === undefined) throw this.error(key, 'is required');
    return new JsonObject(v, this.source, this.childPath(key));
  }

  /** An array's elements (raw); `required` false gives [] when absent. */
  array(key: string, required = true, minItems = 0): unknown[] {
    const v = this.record[key];
    if (v === undefined && !required) return [];
    if (!Array.isArray(v)) throw this.error(key, v === undefined ? 'is required' : 'must be an array');
    if (v.length < minItems) throw this.error(key, `needs at least ${minItems} item(s)`);
    return v;
  }

  /** The path of `key[index]` below this object, for nested readers. */
  childPath(key: string, index?: number): string {
    const k = index === undefined ? key : `${key}[${index}]`;
    return this.path === '' ? k : `${this.path}.${k}`;
  }
}
