// A log-safe view of a message. PCI DSS 3.4 allows at most the first 6 and last 4 PAN digits to be shown;
// track data, PIN blocks, ICC data and other binary fields (MACs) are never shown, only their size.
import { toHex } from '../../apdu/hex.js';
import { encodeTlv, toTlvInput } from '../../apdu/tlv.js';
import { textLength } from './content.js';
import type { FieldValue } from './field-codec.js';
import type { Iso8583Message } from './message.js';
import { contentBytes, fieldSpecOf, type FieldSpec, type Iso8583Spec } from './spec.js';

/** One field as describeMessage shows it. */
export interface FieldDescription {
  readonly field: number;
  readonly name: string;
  /** The clear value, the masked PAN, or "present (N bytes)" with N the content bytes on the wire. */
  readonly value: string;
}

/** What describeMessage returns: safe to log as it is. */
export interface MessageDescription {
  readonly mti: string;
  /** Header bytes in hex (a TPDU holds only addresses). */
  readonly header: string;
  /** Numbers of the present fields, ascending. */
  readonly present: readonly number[];
  readonly fields: readonly FieldDescription[];
}

/** A log-safe description of `msg`: PAN masked 6/4, track/PIN/ICC/binary fields as "present (N bytes)". */
export function describeMessage(spec: Iso8583Spec, msg: Iso8583Message): MessageDescription {
  const fields: FieldDescription[] = [];
  for (const [n, value] of msg.fields) {
    const f = fieldSpecOf(spec, n);
    const name = f?.name ?? 'not in spec';
    if (f?.sensitive === 'pan' && typeof value === 'string') fields.push({ field: n, name, value: maskPan(value) });
    else if (f !== undefined && f.sensitive === undefined && f.type !== 'b' && typeof value === 'string') fields.push({ field: n, name, value });
    else fields.push({ field: n, name, value: `present (${valueSize(f, value)} bytes)` });
  }
  return { mti: msg.mti, header: toHex(msg.header), present: [...msg.fields.keys()], fields };
}

/** The PAN with all but the first 6 and last 4 digits replaced by '*'; fully masked when shorter than 13 digits. */
export function maskPan(pan: string): string {
  if (pan.length < 13) return '*'.repeat(pan.length);
  return pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);
}

/** Bytes of the value: encoded content for text (track 2 in BCD: half its digits), the bytes for b, the TLV encoding for TLV. */
function valueSize(f: FieldSpec | undefined, value: FieldValue): number {
  if (typeof value === 'string') return f === undefined || f.type === 'b' ? value.length : contentBytes(f, textLength(f, value));
  if (value instanceof Uint8Array) return value.length;
  try {
    return encodeTlv(toTlvInput(value)).length;
  } catch {
    return 0;
  }
}
