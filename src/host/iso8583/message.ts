// An ISO 8583 message as a value: MTI, header bytes, and field number → value. It holds values only;
// whether they fit a spec is checked by pack, and unpack only ever builds messages that fit.
import type { TlvNode } from '../../apdu/tlv.js';
import type { FieldValue } from './field-codec.js';

const EMPTY = new Uint8Array(0);

/** One ISO 8583 message: `mti` like '0200', `fields` in ascending number order, `header` (e.g. a TPDU) or empty. */
export class Iso8583Message {
  readonly mti: string;
  readonly fields: ReadonlyMap<number, FieldValue>;
  readonly header: Uint8Array;

  /** Builds a message; fields are copied into a new map sorted by number. */
  constructor(mti: string, fields: Iterable<readonly [number, FieldValue]> = [], header: Uint8Array = EMPTY) {
    this.mti = mti;
    this.fields = new Map([...fields].sort((a, b) => a[0] - b[0]));
    this.header = header;
  }

  /** A message from a plain object of field number → value, e.g. `{ 3: '000000', 11: '000123' }`. */
  static of(mti: string, fields: Readonly<Record<number, FieldValue>>, header: Uint8Array = EMPTY): Iso8583Message {
    return new Iso8583Message(mti, Object.entries(fields).map(([k, v]) => [Number(k), v] as const), header);
  }

  /** True when field `n` is present. */
  has(n: number): boolean {
    return this.fields.has(n);
  }

  /** The text of field `n` (n/an/ans/z/x+n), undefined when absent or not text. */
  text(n: number): string | undefined {
    const v = this.fields.get(n);
    return typeof v === 'string' ? v : undefined;
  }

  /** The bytes of field `n` (b), undefined when absent or not bytes. */
  bytes(n: number): Uint8Array | undefined {
    const v = this.fields.get(n);
    return v instanceof Uint8Array ? v : undefined;
  }

  /** The TLV nodes of field `n` (a tlv field such as 55), undefined when absent or not TLV. */
  tlv(n: number): readonly TlvNode[] | undefined {
    const v = this.fields.get(n);
    return Array.isArray(v) ? (v as readonly TlvNode[]) : undefined;
  }

  /** A copy with field `n` set to `value`. */
  with(n: number, value: FieldValue): Iso8583Message {
    const fields = new Map(this.fields);
    fields.set(n, value);
    return new Iso8583Message(this.mti, fields, this.header);
  }

  /** A copy without field `n`. */
  without(n: number): Iso8583Message {
    return new Iso8583Message(this.mti, [...this.fields.entries()].filter(([k]) => k !== n), this.header);
  }

  /** A copy with another MTI (e.g. the response class '0210' for a '0200'). */
  withMti(mti: string): Iso8583Message {
    return new Iso8583Message(mti, this.fields, this.header);
  }

  /** A copy with other header bytes. */
  withHeader(header: Uint8Array): Iso8583Message {
    return new Iso8583Message(this.mti, this.fields, header);
  }
}
