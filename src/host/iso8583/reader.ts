import { Iso8583Error, type Iso8583Location } from './errors.js';

/** A bounded cursor over untrusted input: every read is checked against the end (ISO8583_TRUNCATED). */
export class ByteReader {
  /** Offset of the next unread byte from the start of the input. */
  pos = 0;

  /** Wraps the whole input; nothing is copied. */
  constructor(readonly bytes: Uint8Array) {}

  /** Bytes left after `pos`. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** The next `n` bytes (a view), or ISO8583_TRUNCATED naming `field`, `what` and the offset where they start. */
  take(n: number, field: Iso8583Location, what: string): Uint8Array {
    if (n > this.remaining) {
      throw new Iso8583Error(
        'ISO8583_TRUNCATED',
        `${label(field)}: ${what} needs ${n} byte(s) at offset ${this.pos}, ${this.remaining} left`,
        { field, offset: this.pos },
      );
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** "field 35", "MTI", "bitmap" or "header", for messages. */
export function label(field: Iso8583Location): string {
  if (field === 'header') return 'header';
  if (field === 0) return 'MTI';
  if (field === 1) return 'bitmap';
  return `field ${field}`;
}
