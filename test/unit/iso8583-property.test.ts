// Properties of the ISO 8583 codec: pack∘unpack is the identity on valid messages (default spec and random
// valid specs), and unpack of arbitrary or mutated bytes only ever fails with an Iso8583Error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesEqual } from '../../src/apdu/hex.js';
import { decodeTlv, encodeTlv, type TlvInput } from '../../src/apdu/tlv.js';
import { DEFAULT_SPEC, Iso8583Error, Iso8583Message, pack, parseSpec, unpack, type FieldSpec, type FieldValue, type Iso8583Spec } from '../../src/host/iso8583/index.js';
import { FIELD_TYPES, lengthUnitOf, padNibbleOf } from '../../src/host/iso8583/spec.js';

const chars = (set: string) => fc.constantFrom(...set.split(''));
const DIGITS = '0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ';

/** A length 0..max (fixed: max); even only where a byte-counted BCD length with 0 padding cannot carry odd counts. */
function lengthArb(f: FieldSpec): fc.Arbitrary<number> {
  const { kind, max } = f.length;
  if (kind === 'fixed') return fc.constant(max);
  if (f.encoding === 'bcd' && lengthUnitOf(f) === 'bytes' && padNibbleOf(f) === 0) return fc.integer({ min: 0, max: max >> 1 }).map((k) => 2 * k);
  return fc.integer({ min: 0, max });
}

/** BER-TLV nodes from EMV tags whose encoding fits `max` bytes, as unpack returns them. */
function tlvArb(max: number): fc.Arbitrary<FieldValue> {
  const primitive: fc.Arbitrary<TlvInput> = fc.record({
    tag: fc.constantFrom(0x82, 0x84, 0x86, 0x91, 0x95, 0x9a, 0x9c, 0x5f2a, 0x9f02, 0x9f10, 0x9f18, 0x9f26),
    value: fc.uint8Array({ maxLength: 40 }),
  });
  const template: fc.Arbitrary<TlvInput> = fc.record({ tag: fc.constantFrom(0x71, 0x72), children: fc.array(primitive, { maxLength: 3 }) });
  return fc
    .array(fc.oneof(primitive, primitive, template), { maxLength: 6 })
    .map((objects) => encodeTlv(objects))
    .filter((bytes) => bytes.length <= max)
    .map((bytes) => decodeTlv(bytes));
}

/** A valid value for field spec `f`. */
function valueArb(f: FieldSpec): fc.Arbitrary<FieldValue> {
  if (f.tlv) return tlvArb(f.length.max);
  return lengthArb(f).chain((len): fc.Arbitrary<FieldValue> => {
    switch (f.type) {
      case 'b':
        return fc.uint8Array({ minLength: len, maxLength: len });
      case 'n':
        return fc.string({ unit: chars(DIGITS), minLength: len, maxLength: len });
      case 'z':
        return fc.string({ unit: chars(DIGITS + 'D'), minLength: len, maxLength: len });
      case 'an':
        return fc.string({ unit: chars(ALNUM), minLength: len, maxLength: len });
      case 'ans':
        return fc.string({ unit: 'grapheme-ascii', minLength: len, maxLength: len });
      case 'x+n':
        return fc.tuple(chars('CD'), fc.string({ unit: chars(DIGITS), minLength: len, maxLength: len })).map(([s, d]) => s + d);
    }
  });
}

function headerArb(spec: Iso8583Spec): fc.Arbitrary<Uint8Array> {
  if (spec.header === undefined) return fc.constant(new Uint8Array(0));
  if (spec.header.kind === 'tpdu') return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Uint8Array.of(0x60, ...a));
  return fc.uint8Array({ minLength: spec.header.length, maxLength: spec.header.length });
}

/** A valid message for `spec`: random MTI, header and a random subset of its fields. */
function messageArb(spec: Iso8583Spec, maxFields = 20): fc.Arbitrary<Iso8583Message> {
  const numbers = Object.keys(spec.fields).map(Number);
  return fc.record({
    mti: fc.stringMatching(/^[0-9]{4}$/),
    header: headerArb(spec),
    chosen: fc.subarray(numbers, { maxLength: Math.min(maxFields, numbers.length) }),
  }).chain(({ mti, header, chosen }) =>
    fc.tuple(...chosen.map((n) => valueArb(spec.fields[String(n)]))).map((values) => new Iso8583Message(mti, chosen.map((n, i) => [n, values[i]] as const), header)),
  );
}

const ENCODINGS: Record<string, readonly FieldSpec['encoding'][]> = { n: ['bcd', 'ascii'], z: ['bcd', 'ascii'], 'x+n': ['bcd', 'ascii'], an: ['ascii'], ans: ['ascii'], b: ['binary', 'ascii'] };
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** A field spec that parseSpec accepts: every type, encoding, length kind, prefix encoding, unit and pad. */
const fieldSpecArb: fc.Arbitrary<FieldSpec> = fc
  .record({
    type: fc.constantFrom(...FIELD_TYPES),
    kind: fc.constantFrom('fixed', 'LL', 'LLL') as fc.Arbitrary<'fixed' | 'LL' | 'LLL'>,
    max: fc.integer({ min: 1, max: 60 }),
    pick: fc.nat(),
    lengthEncoding: fc.constantFrom('ascii', 'bcd', 'binary') as fc.Arbitrary<'ascii' | 'bcd' | 'binary'>,
    lengthUnit: opt(fc.constantFrom('digits', 'bytes') as fc.Arbitrary<'digits' | 'bytes'>),
    pad: opt(fc.constantFrom('left', 'right') as fc.Arbitrary<'left' | 'right'>),
    padDigit: opt(fc.constantFrom('0', 'F') as fc.Arbitrary<'0' | 'F'>),
    tlv: fc.boolean(),
  })
  .map((r) => {
    const encoding = ENCODINGS[r.type][r.pick % ENCODINGS[r.type].length];
    const kind = r.type === 'x+n' ? 'fixed' : r.kind;
    const f: FieldSpec = { name: `random ${r.type}`, type: r.type, length: { kind, max: r.max }, encoding };
    return {
      ...f,
      ...(kind === 'fixed' ? {} : { lengthEncoding: r.lengthEncoding, ...(r.lengthUnit ? { lengthUnit: r.lengthUnit } : {}) }),
      ...(encoding === 'bcd' && r.pad ? { pad: r.pad } : {}),
      ...(encoding === 'bcd' && r.padDigit ? { padDigit: r.padDigit } : {}),
      ...(r.type === 'b' && r.tlv ? { tlv: true as const } : {}),
    };
  })
  .filter((f) => {
    try {
      parseSpec({ name: 'probe', mtiEncoding: 'bcd', bitmapEncoding: 'binary', secondaryBitmap: 'auto', fields: { 2: f } });
      return true;
    } catch {
      return false;
    }
  });

/** A random valid spec, as plain JSON-like data (then checked by parseSpec in the property). */
const specArb: fc.Arbitrary<Iso8583Spec> = fc
  .record({
    mtiEncoding: fc.constantFrom('bcd', 'ascii') as fc.Arbitrary<'bcd' | 'ascii'>,
    bitmapEncoding: fc.constantFrom('binary', 'hex') as fc.Arbitrary<'binary' | 'hex'>,
    secondaryBitmap: fc.constantFrom('auto', 'always', 'never') as fc.Arbitrary<'auto' | 'always' | 'never'>,
    header: fc.oneof(fc.constant(undefined), fc.constant({ kind: 'tpdu' as const }), fc.integer({ min: 1, max: 6 }).map((length) => ({ kind: 'raw' as const, length }))),
    numbers: fc.uniqueArray(fc.integer({ min: 2, max: 128 }), { minLength: 1, maxLength: 10 }),
    specs: fc.array(fieldSpecArb, { minLength: 10, maxLength: 10 }),
  })
  .map((r) => {
    const numbers = r.secondaryBitmap === 'never' ? r.numbers.map((n) => ((n - 2) % 63) + 2) : r.numbers;
    const fields = Object.fromEntries(numbers.map((n, i) => [String(n), r.specs[i]]));
    return { name: 'random', mtiEncoding: r.mtiEncoding, bitmapEncoding: r.bitmapEncoding, secondaryBitmap: r.secondaryBitmap, ...(r.header ? { header: r.header } : {}), fields };
  });

/** Calls unpack; returns the message, or null for an Iso8583Error; anything else fails the property. */
function unpackOrRefuse(spec: Iso8583Spec, bytes: Uint8Array): Iso8583Message | null {
  try {
    return unpack(spec, bytes);
  } catch (e) {
    if (e instanceof Iso8583Error) {
      assert.equal(typeof e.details.offset === 'number' || e.code === 'ISO8583_TOO_LARGE', true, `no offset: ${e.message}`);
      return null;
    }
    throw e;
  }
}

describe('pack∘unpack identity', () => {
  test('default spec: unpack(pack(m)) = m and pack(unpack(b)) = b', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(messageArb(DEFAULT_SPEC), (m) => {
        const bytes = pack(DEFAULT_SPEC, m);
        const back = unpack(DEFAULT_SPEC, bytes);
        assert.deepEqual(back, m);
        assert.ok(bytesEqual(pack(DEFAULT_SPEC, back), bytes));
      }),
      { numRuns: 300 },
    );
  });

  test('random valid specs (every encoding option) pass parseSpec, and their messages round-trip', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(specArb.chain((json) => fc.tuple(fc.constant(json), messageArb(parseSpec(json)))), ([json, m]) => {
        const spec = parseSpec(JSON.parse(JSON.stringify(json)));
        const bytes = pack(spec, m);
        assert.deepEqual(unpack(spec, bytes), m);
      }),
      { numRuns: 400 },
    );
  });
});

describe('untrusted bytes: only Iso8583Error, never a crash or a hang', () => {
  test('random bytes, bare and after a valid TPDU + MTI', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, prefixed) => {
        const bytes = prefixed ? Uint8Array.of(0x60, 0, 3, 0, 0, 0x02, 0x00, ...tail) : tail;
        const m = unpackOrRefuse(DEFAULT_SPEC, bytes);
        if (m !== null) assert.deepEqual(unpack(DEFAULT_SPEC, pack(DEFAULT_SPEC, m)), m);
      }),
      { numRuns: 2000 },
    );
  });

  test('valid messages with bytes changed, cut or added: refused with a typed error, or re-packable', { timeout: 60_000 }, () => {
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), how: fc.constantFrom('set', 'set', 'set', 'cut', 'insert') });
    const cases = fc.oneof(
      fc.tuple(fc.constant(DEFAULT_SPEC), messageArb(DEFAULT_SPEC)),
      specArb.chain((json) => {
        const spec = parseSpec(json);
        return fc.tuple(fc.constant(spec), messageArb(spec));
      }),
    );
    fc.assert(
      fc.property(cases, fc.array(edit, { minLength: 1, maxLength: 3 }), ([spec, m], edits) => {
        let bytes = Array.from(pack(spec, m));
        for (const e of edits) {
          const i = bytes.length === 0 ? 0 : e.at % bytes.length;
          if (e.how === 'set') bytes[i] = e.byte;
          else if (e.how === 'cut') bytes = bytes.slice(0, i);
          else bytes.splice(i, 0, e.byte);
        }
        const got = unpackOrRefuse(spec, Uint8Array.from(bytes));
        if (got !== null) assert.deepEqual(unpack(spec, pack(spec, got)), got);
      }),
      { numRuns: 1500 },
    );
  });
});
