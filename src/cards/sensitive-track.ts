/**
 * An opaque holder for raw track data (ISO/IEC 7813 track 1/2 text). Track data is sensitive
 * authentication data (PCI DSS 3.2.1): it may go to the host link for authorization, and nowhere
 * else. The value lives in an ECMAScript private field, so it is invisible to JSON.stringify,
 * util.inspect, Object.keys, spread and structured logging; only `reveal()` hands it out.
 */
const HIDDEN = '[track data]';

/** Raw track text that prints, serializes and inspects as '[track data]'. */
export class SensitiveTrack {
  readonly #value: string;

  /** Wraps raw track text; the caller should drop its own reference afterwards. */
  constructor(value: string) {
    this.#value = value;
  }

  /** The raw track text, for the host link only (e.g. ISO 8583 field 35 / 45). */
  reveal(): string {
    return this.#value;
  }

  /** Number of characters held (safe to log). */
  get length(): number {
    return this.#value.length;
  }

  /** Always '[track data]'. */
  toString(): string {
    return HIDDEN;
  }

  /** Always '[track data]': JSON.stringify never sees the value. */
  toJSON(): string {
    return HIDDEN;
  }

  /** Always '[track data]' for util.inspect / console.log. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return HIDDEN;
  }
}
