// parseSpec: the validator for an acquirer's spec given as JSON. Pure: the caller reads the file and
// JSON.parses it; this checks every key, refuses unknown ones, and names the first bad key and why.
import { Iso8583Error } from './errors.js';
import {
  FIELD_TYPES,
  MAX_FIELD,
  prefixCount,
  prefixLimit,
  type FieldSpec,
  type HeaderSpec,
  type Iso8583Spec,
  type LengthEncoding,
  type LengthSpec,
} from './spec.js';

type Json = Readonly<Record<string, unknown>>;

const ENCODINGS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  n: ['bcd', 'ascii'],
  z: ['bcd', 'ascii'],
  'x+n': ['bcd', 'ascii'],
  an: ['ascii'],
  ans: ['ascii'],
  b: ['binary', 'ascii'],
};
const FIELD_KEYS = ['name', 'type', 'length', 'encoding', 'lengthEncoding', 'lengthUnit', 'pad', 'padDigit', 'tlv', 'sensitive'];
/** Largest `max` of any field; LLL binary prefixes can count up to 65535. */
const MAX_LENGTH = 0xffff;
/** Largest raw header; real ones are a few bytes (TPDU 5, some hosts 10-12). */
const MAX_HEADER = 64;

/** Validates `json` as an Iso8583Spec; the first problem → ISO8583_SPEC_INVALID with `details.key` like "fields.35.length.max". */
export function parseSpec(json: unknown): Iso8583Spec {
  const root = object(json, '(root)');
  onlyKeys(root, ['name', 'mtiEncoding', 'bitmapEncoding', 'secondaryBitmap', 'header', 'fields'], '');
  const secondaryBitmap = oneOf(root.secondaryBitmap, ['auto', 'always', 'never'] as const, 'secondaryBitmap');
  const spec: Iso8583Spec = {
    name: nonEmpty(root.name, 'name'),
    mtiEncoding: oneOf(root.mtiEncoding, ['bcd', 'ascii'] as const, 'mtiEncoding'),
    bitmapEncoding: oneOf(root.bitmapEncoding, ['binary', 'hex'] as const, 'bitmapEncoding'),
    secondaryBitmap,
    ...(root.header === undefined ? {} : { header: parseHeader(root.header) }),
    fields: parseFields(object(root.fields, 'fields'), secondaryBitmap === 'never'),
  };
  return Object.freeze(spec);
}

function parseHeader(json: unknown): HeaderSpec {
  const h = object(json, 'header');
  const kind = oneOf(h.kind, ['tpdu', 'raw'] as const, 'header.kind');
  if (kind === 'tpdu') {
    onlyKeys(h, ['kind'], 'header.');
    return Object.freeze({ kind });
  }
  onlyKeys(h, ['kind', 'length'], 'header.');
  return Object.freeze({ kind, length: integer(h.length, 1, MAX_HEADER, 'header.length') });
}

function parseFields(json: Json, primaryOnly: boolean): Iso8583Spec['fields'] {
  const out: Record<string, FieldSpec> = {};
  for (const key of Object.keys(json)) {
    const where = `fields.${key}`;
    if (key === '0' || key === '1') fail(where, `field ${key} is the ${key === '0' ? 'MTI (see mtiEncoding)' : 'bitmap (see bitmapEncoding)'}, not a data field`);
    if (!/^[1-9][0-9]{0,2}$/.test(key) || Number(key) > MAX_FIELD) fail(where, `field numbers are 2..${MAX_FIELD} in decimal`);
    if (primaryOnly && Number(key) > 64) fail(where, "fields over 64 need a secondary bitmap, and secondaryBitmap is 'never'");
    out[key] = parseField(json[key], where);
  }
  return Object.freeze(out);
}

function parseField(json: unknown, where: string): FieldSpec {
  const f = object(json, where);
  onlyKeys(f, FIELD_KEYS, `${where}.`);
  const type = oneOf(f.type, FIELD_TYPES, `${where}.type`);
  const length = parseLength(f.length, `${where}.length`);
  const encoding = oneOf(f.encoding, ENCODINGS_BY_TYPE[type], `${where}.encoding`) as FieldSpec['encoding'];
  const out: { -readonly [K in keyof FieldSpec]: FieldSpec[K] } = { name: nonEmpty(f.name, `${where}.name`), type, length, encoding };
  if (type === 'x+n' && length.kind !== 'fixed') fail(`${where}.length.kind`, 'x+n fields are fixed length (ISO 8583:1987 x+n8, x+n16)');
  const variable = length.kind !== 'fixed';
  for (const k of ['lengthEncoding', 'lengthUnit'] as const) {
    if (!variable && f[k] !== undefined) fail(`${where}.${k}`, 'only LL/LLL fields have a length prefix');
  }
  if (variable) {
    out.lengthEncoding = oneOf(f.lengthEncoding, ['ascii', 'bcd', 'binary'] as const, `${where}.lengthEncoding`);
    if (f.lengthUnit !== undefined) out.lengthUnit = oneOf(f.lengthUnit, ['digits', 'bytes'] as const, `${where}.lengthUnit`);
  }
  for (const k of ['pad', 'padDigit'] as const) {
    if (f[k] !== undefined && encoding !== 'bcd') fail(`${where}.${k}`, 'padding applies to BCD fields only');
  }
  if (f.pad !== undefined) out.pad = oneOf(f.pad, ['left', 'right'] as const, `${where}.pad`);
  if (f.padDigit !== undefined) out.padDigit = oneOf(f.padDigit, ['0', 'F'] as const, `${where}.padDigit`);
  if (f.tlv !== undefined) {
    if (f.tlv !== true) fail(`${where}.tlv`, 'must be true when present');
    if (type !== 'b') fail(`${where}.tlv`, 'only b fields can hold TLV');
    if (!variable) fail(`${where}.tlv`, 'TLV data varies in length, so a tlv field must be LL/LLL');
    out.tlv = true;
  }
  if (f.sensitive !== undefined) out.sensitive = oneOf(f.sensitive, ['pan', 'track', 'pin', 'icc'] as const, `${where}.sensitive`);
  if (variable) checkPrefixFits(out, length.kind as 'LL' | 'LLL', out.lengthEncoding!, where);
  return Object.freeze(out);
}

function parseLength(json: unknown, where: string): LengthSpec {
  const l = object(json, where);
  onlyKeys(l, ['kind', 'max'], `${where}.`);
  const kind = oneOf(l.kind, ['fixed', 'LL', 'LLL'] as const, `${where}.kind`);
  return Object.freeze({ kind, max: integer(l.max, 1, MAX_LENGTH, `${where}.max`) });
}

/** ISO 8583:1987 §4.2: an LL prefix says at most 99, LLL 999 (binary prefixes: 255 / 65535), in the field's length unit. */
function checkPrefixFits(f: FieldSpec, kind: 'LL' | 'LLL', enc: LengthEncoding, where: string): void {
  const need = prefixCount(f, f.length.max);
  const limit = prefixLimit(kind, enc);
  if (need > limit) fail(`${where}.length.max`, `a value of max ${f.length.max} needs a count of ${need}, over the ${limit} an ${enc} ${kind} prefix can hold`);
}

function object(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'must be an object');
  return v as Json;
}

function onlyKeys(o: Json, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${prefix}${k}`, `unknown key (allowed: ${allowed.join(', ')})`);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(where, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return v as T;
}

function nonEmpty(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(where, 'must be a non-empty string');
  return v;
}

function integer(v: unknown, min: number, max: number, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(where, `must be an integer ${min}..${max}`);
  return v;
}

function fail(key: string, reason: string): never {
  throw new Iso8583Error('ISO8583_SPEC_INVALID', `spec: ${key}: ${reason}`, { key });
}
