// The shape of an ISO 8583 field spec. A spec is DATA (JSON-serialisable): one acquirer's profile is a
// JSON file checked by parseSpec, never code. Field numbers and data types follow ISO 8583:1987 §4
// (n, an, ans, b, z, x+n); the byte layout choices (BCD, binary bitmap, TPDU) follow the common
// "binary" terminal profile, and each is an option here because acquirers differ.

/**
 * Data type of a field's value (ISO 8583:1987 §4.1 notation).
 * - `n`   digits 0-9
 * - `an`  letters, digits and space (space is allowed because hosts pad an fields with it)
 * - `ans` printable ASCII 0x20-0x7E
 * - `b`   binary bytes
 * - `z`   track 2/3 code set (ISO/IEC 7813): digits and the field separator, written 'D' in values
 * - `x+n` 'C' (credit) or 'D' (debit) followed by `max` digits; fixed length only
 */
export type FieldType = 'n' | 'an' | 'ans' | 'b' | 'z' | 'x+n';

/** Every FieldType, for validation. */
export const FIELD_TYPES: readonly FieldType[] = ['n', 'an', 'ans', 'b', 'z', 'x+n'];

/**
 * Length of a field. `max` is in the type's own unit: digits for n/z/x+n (x+n: without the sign),
 * characters for an/ans, bytes for b. Fixed fields are exactly `max` long; LL/LLL fields carry a
 * 2- or 3-digit length prefix (ISO 8583:1987 §4.2 "..17", "...999") and are 0..max long.
 */
export type LengthSpec = { readonly kind: 'fixed'; readonly max: number } | { readonly kind: 'LL' | 'LLL'; readonly max: number };

/**
 * How a field's content is written.
 * - `ascii`  one byte per character (b: uppercase hex text, two characters a byte)
 * - `bcd`    two digits a byte (n, z, x+n; x+n keeps its sign as one ASCII byte before the digits)
 * - `binary` the bytes as they are (b only)
 */
export type ContentEncoding = 'ascii' | 'bcd' | 'binary';

/**
 * How an LL/LLL prefix is written: `ascii` 2/3 digit characters; `bcd` 1 byte for LL, 2 bytes for LLL
 * (right-aligned, `0LLL`); `binary` an unsigned big-endian count, 1 byte for LL, 2 for LLL.
 */
export type LengthEncoding = 'ascii' | 'bcd' | 'binary';

/**
 * What an LL/LLL prefix counts. `digits`: characters of the value (digits for n/z, characters for
 * an/ans, hex digits for b). `bytes`: bytes of the encoded content. Default: digits for n/z, bytes for
 * an/ans/b (the usual ISO 8583:1987 binary profile: PAN LL=16 for 8 BCD bytes, field 55 LLL=bytes).
 */
export type LengthUnit = 'digits' | 'bytes';

/** Which nibble pads an odd digit count to whole bytes in BCD, and with what digit. */
export type PadSide = 'left' | 'right';

/** The pad nibble: 0 or F. */
export type PadDigit = '0' | 'F';

/** How describeMessage hides a field: pan masked 6/4, the others shown as "present (N bytes)". */
export type Sensitivity = 'pan' | 'track' | 'pin' | 'icc';

/** One data element of the spec. */
export interface FieldSpec {
  /** A human name for logs and errors, e.g. "Primary account number". */
  readonly name: string;
  readonly type: FieldType;
  readonly length: LengthSpec;
  readonly encoding: ContentEncoding;
  /** LL/LLL fields only, and required there by parseSpec (a spec built in code without it gets BCD). */
  readonly lengthEncoding?: LengthEncoding;
  /** LL/LLL only; see LengthUnit for the default. */
  readonly lengthUnit?: LengthUnit;
  /** BCD only; default 'left' for n and x+n (ISO 8583 numeric is right-justified), 'right' for z. */
  readonly pad?: PadSide;
  /** BCD only; default '0' for n and x+n, 'F' for z (as EMV Book 3 Annex A pads Track 2 Equivalent Data). */
  readonly padDigit?: PadDigit;
  /** b only: the value is BER-TLV (EMV Book 3 Annex B), packed and unpacked as TlvNode[]. */
  readonly tlv?: true;
  readonly sensitive?: Sensitivity;
}

/** An optional header before the MTI: a 5-byte TPDU (id 60, destination 2 bytes, origin 2 bytes) or opaque bytes. */
export type HeaderSpec = { readonly kind: 'tpdu' } | { readonly kind: 'raw'; readonly length: number };

/** Whether a secondary bitmap (fields 65-128) is sent: when needed, always, or never (fields > 64 refused). */
export type SecondaryBitmap = 'auto' | 'always' | 'never';

/** A complete message spec. */
export interface Iso8583Spec {
  /** A name for logs, e.g. "iso8583-1987-binary-tpdu". */
  readonly name: string;
  /** MTI as 2 BCD bytes or 4 ASCII digits. */
  readonly mtiEncoding: 'bcd' | 'ascii';
  /** Bitmap as 8 raw bytes per bitmap, or 16 uppercase hex characters per bitmap. */
  readonly bitmapEncoding: 'binary' | 'hex';
  readonly secondaryBitmap: SecondaryBitmap;
  /** Absent: the message starts with the MTI. */
  readonly header?: HeaderSpec;
  /** Field number ("2".."128") → its spec. Fields 0 (MTI) and 1 (bitmap) are the codec's own. */
  readonly fields: { readonly [field: string]: FieldSpec };
}

/** Highest field number: the last bit of the secondary bitmap. */
export const MAX_FIELD = 128;

/** The spec of field `n`, or undefined when the spec does not define it. */
export function fieldSpecOf(spec: Iso8583Spec, n: number): FieldSpec | undefined {
  const key = String(n);
  return Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
}

/** The unit an LL/LLL prefix of `f` counts, defaults applied. */
export function lengthUnitOf(f: FieldSpec): LengthUnit {
  return f.lengthUnit ?? (f.type === 'n' || f.type === 'z' ? 'digits' : 'bytes');
}

/** The pad side of a BCD field, defaults applied. */
export function padSideOf(f: FieldSpec): PadSide {
  return f.pad ?? (f.type === 'z' ? 'right' : 'left');
}

/** The pad nibble value (0 or 15) of a BCD field, defaults applied. */
export function padNibbleOf(f: FieldSpec): number {
  return (f.padDigit ?? (f.type === 'z' ? 'F' : '0')) === 'F' ? 15 : 0;
}

/** Bytes of content for a value whose natural length (digits, characters or bytes) is `len`; x+n counts its sign. */
export function contentBytes(f: FieldSpec, len: number): number {
  if (f.type === 'x+n') return 1 + (f.encoding === 'bcd' ? Math.ceil(len / 2) : len);
  if (f.encoding === 'bcd') return Math.ceil(len / 2);
  if (f.type === 'b' && f.encoding === 'ascii') return 2 * len;
  return len;
}

/** The count an LL/LLL prefix carries for a value of natural length `len`. */
export function prefixCount(f: FieldSpec, len: number): number {
  if (lengthUnitOf(f) === 'bytes') return contentBytes(f, len);
  return f.type === 'b' ? 2 * len : len;
}

/** Bytes an LL/LLL prefix takes on the wire. */
export function prefixBytes(kind: 'LL' | 'LLL', enc: LengthEncoding): number {
  if (enc === 'ascii') return kind === 'LL' ? 2 : 3;
  return kind === 'LL' ? 1 : 2;
}

/** The largest count an LL/LLL prefix can carry in `enc` (ISO 8583:1987 §4.2: 99 / 999 for digit prefixes). */
export function prefixLimit(kind: 'LL' | 'LLL', enc: LengthEncoding): number {
  if (enc === 'binary') return kind === 'LL' ? 0xff : 0xffff;
  return kind === 'LL' ? 99 : 999;
}
