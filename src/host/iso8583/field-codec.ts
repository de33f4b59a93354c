// One field on the wire: optional LL/LLL prefix, then the content (ISO 8583:1987 §4.2). Field 55 style
// fields (spec `tlv: true`) carry BER-TLV (EMV Book 3 Annex B) and go through src/apdu/tlv.ts.
import { bytesEqual, concatBytes } from '../../apdu/hex.js';
import { ApduError } from '../../apdu/errors.js';
import { decodeTlv, encodeTlv, toTlvInput, type TlvNode } from '../../apdu/tlv.js';
import { decodeContent, encodeContent, textLength, textProblem } from './content.js';
import { Iso8583Error } from './errors.js';
import { decodePrefix, encodePrefix } from './length-prefix.js';
import { label, type ByteReader } from './reader.js';
import { contentBytes, lengthUnitOf, padNibbleOf, prefixCount, prefixLimit, type FieldSpec } from './spec.js';

/** The value of one field: text for n/an/ans/z/x+n, bytes for b, TLV nodes for a b field marked `tlv`. */
export type FieldValue = string | Uint8Array | readonly TlvNode[];

/** Encodes field `n` (prefix and content); wrong type or length → ISO8583_FIELD_INVALID / ISO8583_LENGTH_INVALID naming it. */
export function encodeField(n: number, f: FieldSpec, value: FieldValue): Uint8Array {
  const raw = f.tlv ? tlvBytes(n, value) : value;
  if (f.type === 'b' && !(raw instanceof Uint8Array)) throw packError('ISO8583_FIELD_INVALID', n, 'expects bytes (Uint8Array)');
  if (f.type !== 'b' && typeof raw !== 'string') throw packError('ISO8583_FIELD_INVALID', n, `expects a string of type ${f.type}`);
  if (typeof raw === 'string') {
    const problem = textProblem(f, raw);
    if (problem !== null) throw packError('ISO8583_FIELD_INVALID', n, problem);
  }
  const checked = raw as string | Uint8Array;
  const len = typeof checked === 'string' ? textLength(f, checked) : checked.length;
  const { kind, max } = f.length;
  if (kind === 'fixed' ? len !== max : len > max) {
    throw packError('ISO8583_LENGTH_INVALID', n, `is ${len} long, ${kind === 'fixed' ? 'must be exactly' : 'at most'} ${max}`);
  }
  const content = encodeContent(f, checked);
  if (kind === 'fixed') return content;
  if (f.encoding === 'bcd' && lengthUnitOf(f) === 'bytes' && len % 2 === 1 && padNibbleOf(f) === 0) {
    throw packError('ISO8583_FIELD_INVALID', n, 'has an odd digit count, which a byte-counted length with 0 padding cannot carry');
  }
  const count = prefixCount(f, len);
  const enc = f.lengthEncoding ?? 'bcd';
  if (count > prefixLimit(kind, enc)) throw packError('ISO8583_LENGTH_INVALID', n, `length ${count} does not fit an ${enc} ${kind} prefix`);
  return concatBytes(encodePrefix(kind, enc, count), content);
}

function tlvBytes(n: number, value: FieldValue): Uint8Array {
  if (!Array.isArray(value)) throw packError('ISO8583_FIELD_INVALID', n, 'expects TLV nodes (TlvNode[])');
  try {
    return encodeTlv(toTlvInput(value as readonly TlvNode[]));
  } catch (e) {
    if (e instanceof ApduError) throw packError('ISO8583_FIELD_INVALID', n, `TLV cannot be encoded: ${e.message}`, e);
    throw e;
  }
}

function packError(code: 'ISO8583_FIELD_INVALID' | 'ISO8583_LENGTH_INVALID', n: number, why: string, cause?: unknown): Iso8583Error {
  return new Iso8583Error(code, `${label(n)} ${why}`, { field: n }, cause);
}

/** Decodes field `n` at the reader's position; every refusal names the field and the input offset. */
export function decodeField(n: number, f: FieldSpec, reader: ByteReader, maxTlvDepth: number): FieldValue {
  const { kind, max } = f.length;
  let len: number | null = max;
  let size = contentBytes(f, max);
  if (kind !== 'fixed') {
    const at = reader.pos;
    const count = decodePrefix(reader, kind, f.lengthEncoding ?? 'bcd', n);
    const tooLong = count > prefixCount(f, max);
    const halfHex = f.type === 'b' && (lengthUnitOf(f) === 'digits' || f.encoding === 'ascii') && count % 2 === 1;
    if (tooLong || halfHex) {
      const why = tooLong ? `exceeds the maximum ${prefixCount(f, max)}` : 'is odd for hex digits';
      throw new Iso8583Error('ISO8583_LENGTH_INVALID', `${label(n)}: length ${count} at offset ${at} ${why}`, { field: n, offset: at });
    }
    if (lengthUnitOf(f) === 'bytes') {
      size = count;
      len = f.encoding === 'bcd' ? null : f.type === 'b' && f.encoding === 'ascii' ? count / 2 : count;
    } else {
      len = f.type === 'b' ? count / 2 : count;
      size = contentBytes(f, len);
    }
  }
  const offset = reader.pos;
  const bytes = reader.take(size, n, `${size}-byte content`);
  const value = decodeContent(f, bytes, len, { field: n, offset });
  const natural = typeof value === 'string' ? textLength(f, value) : value.length;
  if (natural > max) {
    throw new Iso8583Error('ISO8583_LENGTH_INVALID', `${label(n)}: ${natural} long, over the maximum ${max}`, { field: n, offset });
  }
  if (!f.tlv || typeof value === 'string') return value;
  return decodeTlvField(n, value, offset, f.encoding === 'ascii' ? 2 : 1, maxTlvDepth);
}

/** Strict BER-TLV for a tlv field: no 00/FF padding, and only the minimal encoding, so pack(unpack(x)) is x. */
function decodeTlvField(n: number, bytes: Uint8Array, offset: number, scale: number, maxDepth: number): TlvNode[] {
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(bytes, { allowPadding: false, maxDepth, maxLength: bytes.length });
  } catch (e) {
    if (!(e instanceof ApduError)) throw e;
    const at = offset + scale * (typeof e.details.offset === 'number' ? e.details.offset : 0);
    throw new Iso8583Error('ISO8583_FIELD_INVALID', `${label(n)}: bad TLV (${e.code}) at offset ${at}`, { field: n, offset: at, tlvCode: e.code }, e);
  }
  const again = encodeTlv(toTlvInput(nodes));
  if (!bytesEqual(again, bytes)) {
    let i = 0;
    while (i < bytes.length && again[i] === bytes[i]) i++;
    const at = offset + scale * i;
    throw new Iso8583Error('ISO8583_FIELD_INVALID', `${label(n)}: TLV length at offset ${at} is not in minimal form`, { field: n, offset: at, tlvCode: 'TLV_BAD_LENGTH' });
  }
  return nodes;
}
