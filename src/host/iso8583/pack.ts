// pack and unpack: the whole message, header → MTI → bitmap(s) → fields in ascending order
// (ISO 8583:1987 §4). Pure: bytes and values in, bytes and values out.
import { concatBytes } from '../../apdu/hex.js';
import { decodeBitmap, encodeBitmap } from './bitmap.js';
import { Iso8583Error } from './errors.js';
import { decodeField, encodeField, type FieldValue } from './field-codec.js';
import { checkHeader, decodeHeader } from './header.js';
import { Iso8583Message } from './message.js';
import { decodeMti, encodeMti } from './mti.js';
import { ByteReader, label } from './reader.js';
import { fieldSpecOf, MAX_FIELD, type Iso8583Spec } from './spec.js';

/** Bounds for unpacking untrusted input. */
export interface Iso8583Limits {
  /** Input longer than this is refused before parsing (ISO8583_TOO_LARGE). */
  readonly maxMessageBytes: number;
  /** Constructed TLV nesting allowed in a tlv field (field 55 templates 71/72 nest one level). */
  readonly maxTlvDepth: number;
}

/** Default limits: a card message is a few hundred bytes; 8 KiB covers every field of the default spec at its maximum. */
export const DEFAULT_ISO8583_LIMITS: Iso8583Limits = { maxMessageBytes: 8192, maxTlvDepth: 4 };

/** The wire bytes of `msg` under `spec` (no transport length prefix); wrong fields → an Iso8583Error naming them. */
export function pack(spec: Iso8583Spec, msg: Iso8583Message): Uint8Array {
  checkHeader(spec.header, msg.header);
  const numbers = [...msg.fields.keys()].sort((a, b) => a - b);
  for (const n of numbers) {
    const defined = Number.isInteger(n) && n >= 2 && n <= MAX_FIELD && fieldSpecOf(spec, n) !== undefined;
    if (!defined || (n > 64 && spec.secondaryBitmap === 'never')) {
      throw new Iso8583Error('ISO8583_FIELD_UNKNOWN', `${label(n)} is not defined by spec ${spec.name}`, { field: n });
    }
  }
  const parts = [msg.header, encodeMti(msg.mti, spec.mtiEncoding), encodeBitmap(spec, numbers)];
  for (const n of numbers) parts.push(encodeField(n, fieldSpecOf(spec, n)!, msg.fields.get(n)!));
  return concatBytes(...parts);
}

/**
 * The message in `bytes` under `spec`. Strict and bounded: truncation, a length over the field's maximum,
 * a character outside the field's type, a bitmap bit for an undefined field, bytes after the last field,
 * or bad TLV in a tlv field → an Iso8583Error with `details.field` and `details.offset`.
 */
export function unpack(spec: Iso8583Spec, bytes: Uint8Array, limits: Iso8583Limits = DEFAULT_ISO8583_LIMITS): Iso8583Message {
  if (bytes.length > limits.maxMessageBytes) {
    throw new Iso8583Error('ISO8583_TOO_LARGE', `message of ${bytes.length} bytes exceeds the limit ${limits.maxMessageBytes}`, { offset: limits.maxMessageBytes });
  }
  const reader = new ByteReader(bytes);
  const header = decodeHeader(spec.header, reader);
  const mti = decodeMti(reader, spec.mtiEncoding);
  const entries = decodeBitmap(spec, reader);
  for (const e of entries) {
    if (fieldSpecOf(spec, e.field) === undefined) {
      throw new Iso8583Error('ISO8583_FIELD_UNKNOWN', `bitmap announces ${label(e.field)} (offset ${e.offset}), which spec ${spec.name} does not define`, {
        field: e.field,
        offset: e.offset,
      });
    }
  }
  const fields: [number, FieldValue][] = [];
  for (const { field } of entries) fields.push([field, decodeField(field, fieldSpecOf(spec, field)!, reader, limits.maxTlvDepth)]);
  if (reader.remaining > 0) {
    const last = fields.length > 0 ? fields[fields.length - 1][0] : 1;
    throw new Iso8583Error('ISO8583_TRAILING', `${reader.remaining} byte(s) after ${label(last)} at offset ${reader.pos}`, { field: last, offset: reader.pos });
  }
  return new Iso8583Message(mti, fields, header);
}
