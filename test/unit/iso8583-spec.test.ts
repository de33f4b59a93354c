// ISO 8583 specs as data: parseSpec on JSON, another acquirer's profile from a JSON file, pack validation,
// describeMessage, and the message value object.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv } from '../../src/apdu/tlv.js';
import {
  DEFAULT_SPEC,
  Iso8583Error,
  Iso8583Message,
  describeMessage,
  maskPan,
  pack,
  parseSpec,
  unpack,
  type FieldSpec,
  type Iso8583ErrorCode,
  type Iso8583Spec,
} from '../../src/host/iso8583/index.js';

const TPDU = fromHex('6000030000');
const EXAMPLE_JSON = join(process.cwd(), 'src', 'host', 'iso8583', 'specs', 'example-ascii-acquirer.json');

function throwsIso(fn: () => unknown, code: Iso8583ErrorCode, details: Record<string, unknown>): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Iso8583Error, `expected Iso8583Error, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const [k, v] of Object.entries(details)) assert.equal(e.details[k as keyof typeof e.details], v, e.message);
    return true;
  });
}

const SALE = Iso8583Message.of(
  '0200',
  {
    2: '4761739001010119',
    3: '000000',
    4: '000000002550',
    11: '000042',
    35: '4761739001010119D27122011234567899999',
    41: 'TERM0001',
    52: fromHex('1A2B3C4D5E6F7081'),
    55: decodeTlv(fromHex('9F2608112233445566778882021980')),
    64: fromHex('0102030405060708'),
  },
  TPDU,
);

describe('parseSpec', () => {
  test('the default spec survives JSON and parseSpec unchanged, and packs the same bytes', () => {
    const loaded = parseSpec(JSON.parse(JSON.stringify(DEFAULT_SPEC)));
    assert.deepEqual(loaded, DEFAULT_SPEC);
    const bytes = pack(DEFAULT_SPEC, SALE);
    assert.equal(toHex(pack(loaded, SALE)), toHex(bytes));
    assert.deepEqual(unpack(loaded, bytes), unpack(DEFAULT_SPEC, bytes));
  });

  test("another acquirer's ASCII profile from a JSON file: ASCII MTI, hex bitmap, ASCII lengths, hex field 55", () => {
    const spec = parseSpec(JSON.parse(readFileSync(EXAMPLE_JSON, 'utf8')));
    const m = Iso8583Message.of('0800', { 11: '000123', 70: '301' });
    // "0800", bitmap 1 "8020000000000000" (bit 1 + bit 11), bitmap 2 "0400000000000000" (field 70), "000123", "301".
    const text = '0800' + '8020000000000000' + '0400000000000000' + '000123' + '301';
    assert.equal(Buffer.from(pack(spec, m)).toString('latin1'), text);
    assert.deepEqual(unpack(spec, new TextEncoder().encode(text)), m);

    const sale = Iso8583Message.of('0200', {
      2: '4761739001010119',
      35: '4761739001010119D2712201',
      52: fromHex('1A2B3C4D5E6F7081'),
      55: decodeTlv(fromHex('82021980')),
    });
    // Bitmap 4000000020001200: bit 2 = 40; bit 35 = 20 in byte 5; bits 52,55 = 10+02 in byte 7. PAN "16"+digits;
    // track 2 "24" with '=' for the separator; PIN block as 16 hex characters; 55: LLL "008" counts hex digits.
    const saleText =
      '0200' + '4000000020001200' + '164761739001010119' + '244761739001010119=2712201' + '1A2B3C4D5E6F7081' + '008' + '82021980';
    assert.equal(Buffer.from(pack(spec, sale)).toString('latin1'), saleText);
    assert.deepEqual(unpack(spec, new TextEncoder().encode(saleText)), sale);
  });

  test('a lowercase hex bitmap is refused (pack writes uppercase, so unpack does not accept two spellings)', () => {
    const spec = parseSpec(JSON.parse(readFileSync(EXAMPLE_JSON, 'utf8')));
    throwsIso(() => unpack(spec, new TextEncoder().encode('0800002000000000000a000123')), 'ISO8583_FIELD_INVALID', { field: 1, offset: 19 });
  });

  const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(DEFAULT_SPEC)) as Record<string, unknown>;
  const withField = (n: string, f: Record<string, unknown>) => {
    const s = base();
    (s.fields as Record<string, unknown>)[n] = f;
    return s;
  };
  const n6 = { name: 'x', type: 'n', length: { kind: 'fixed', max: 6 }, encoding: 'bcd' };
  const bad: [string, unknown, string][] = [
    ['not an object', [], '(root)'],
    ['unknown top-level key', { ...base(), colour: 'blue' }, 'colour'],
    ['missing name', { ...base(), name: undefined }, 'name'],
    ['bad MTI encoding', { ...base(), mtiEncoding: 'ebcdic' }, 'mtiEncoding'],
    ['bad bitmap encoding', { ...base(), bitmapEncoding: 'base64' }, 'bitmapEncoding'],
    ['bad secondaryBitmap', { ...base(), secondaryBitmap: true }, 'secondaryBitmap'],
    ['bad header kind', { ...base(), header: { kind: 'tpdu5' } }, 'header.kind'],
    ['raw header of 0 bytes', { ...base(), header: { kind: 'raw', length: 0 } }, 'header.length'],
    ['extra key in a TPDU header', { ...base(), header: { kind: 'tpdu', length: 5 } }, 'header.length'],
    ['fields missing', { ...base(), fields: undefined }, 'fields'],
    ['field 0 is the MTI', withField('0', n6), 'fields.0'],
    ['field 1 is the bitmap', withField('1', n6), 'fields.1'],
    ['field 129', withField('129', n6), 'fields.129'],
    ['field "02" (not canonical)', withField('02', n6), 'fields.02'],
    ['field 66 with secondaryBitmap never', { ...base(), secondaryBitmap: 'never' }, 'fields.66'],
    ['unknown field key', withField('5', { ...n6, colour: 'red' }), 'fields.5.colour'],
    ['bad type', withField('5', { ...n6, type: 'a' }), 'fields.5.type'],
    ['empty name', withField('5', { ...n6, name: '' }), 'fields.5.name'],
    ['max 0', withField('5', { ...n6, length: { kind: 'fixed', max: 0 } }), 'fields.5.length.max'],
    ['max not an integer', withField('5', { ...n6, length: { kind: 'fixed', max: 6.5 } }), 'fields.5.length.max'],
    ['bad length kind', withField('5', { ...n6, length: { kind: 'LLLL', max: 6 } }), 'fields.5.length.kind'],
    ['an in BCD', withField('5', { ...n6, type: 'an' }), 'fields.5.encoding'],
    ['b in BCD', withField('5', { ...n6, type: 'b' }), 'fields.5.encoding'],
    ['LL without lengthEncoding', withField('5', { ...n6, length: { kind: 'LL', max: 6 } }), 'fields.5.lengthEncoding'],
    ['lengthEncoding on a fixed field', withField('5', { ...n6, lengthEncoding: 'bcd' }), 'fields.5.lengthEncoding'],
    ['bad lengthUnit', withField('5', { ...n6, length: { kind: 'LL', max: 6 }, lengthEncoding: 'bcd', lengthUnit: 'nibbles' }), 'fields.5.lengthUnit'],
    ['LL cannot say 100', withField('5', { ...n6, length: { kind: 'LL', max: 100 }, lengthEncoding: 'bcd' }), 'fields.5.length.max'],
    ['LL of hex digits cannot say 2×50', withField('5', { ...n6, type: 'b', encoding: 'binary', length: { kind: 'LL', max: 50 }, lengthEncoding: 'ascii', lengthUnit: 'digits' }), 'fields.5.length.max'],
    ['x+n of variable length', withField('5', { ...n6, type: 'x+n', length: { kind: 'LL', max: 6 }, lengthEncoding: 'bcd' }), 'fields.5.length.kind'],
    ['pad on an ASCII field', withField('5', { ...n6, encoding: 'ascii', pad: 'left' }), 'fields.5.pad'],
    ['bad pad digit', withField('5', { ...n6, padDigit: '9' }), 'fields.5.padDigit'],
    ['tlv on an n field', withField('5', { ...n6, tlv: true }), 'fields.5.tlv'],
    ['tlv on a fixed-length field', withField('5', { ...n6, type: 'b', encoding: 'binary', tlv: true }), 'fields.5.tlv'],
    ['tlv false', withField('5', { ...n6, type: 'b', encoding: 'binary', tlv: false }), 'fields.5.tlv'],
    ['bad sensitivity', withField('5', { ...n6, sensitive: 'secret' }), 'fields.5.sensitive'],
  ];
  for (const [name, json, key] of bad) {
    test(`refuses ${name}, naming ${key}`, () => {
      throwsIso(() => parseSpec(json), 'ISO8583_SPEC_INVALID', { key });
      assert.throws(() => parseSpec(json), (e: Error) => e.message.startsWith(`spec: ${key}: `));
    });
  }
});

describe('pack validation names the field', () => {
  const cases: [string, Iso8583Message, Iso8583ErrorCode, number | 'header'][] = [
    ['bytes in an n field', SALE.with(3, fromHex('000000')), 'ISO8583_FIELD_INVALID', 3],
    ['a letter in an n field', SALE.with(3, '00000A'), 'ISO8583_FIELD_INVALID', 3],
    ['n6 given 5 digits', SALE.with(3, '00000'), 'ISO8583_LENGTH_INVALID', 3],
    ['PAN of 20 digits', SALE.with(2, '47617390010101190000'), 'ISO8583_LENGTH_INVALID', 2],
    ['ans8 given 9 characters', SALE.with(41, 'TERM00011'), 'ISO8583_LENGTH_INVALID', 41],
    ['a control character in ans', SALE.with(41, 'TERM\n001'), 'ISO8583_FIELD_INVALID', 41],
    ['an "=" in track 2 (the separator is D)', SALE.with(35, '4761739001010119=2712'), 'ISO8583_FIELD_INVALID', 35],
    ['text in a b field', SALE.with(52, '1A2B3C4D5E6F7081'), 'ISO8583_FIELD_INVALID', 52],
    ['PIN block of 7 bytes', SALE.with(52, new Uint8Array(7)), 'ISO8583_LENGTH_INVALID', 52],
    ['raw bytes in the TLV field 55', SALE.with(55, fromHex('82021980')), 'ISO8583_FIELD_INVALID', 55],
    ['x+n without its sign', SALE.with(28, '00000100'), 'ISO8583_FIELD_INVALID', 28],
    ['field 5, not in the spec', SALE.with(5, '000000000000'), 'ISO8583_FIELD_UNKNOWN', 5],
    ['field 1 set by hand', SALE.with(1, new Uint8Array(8)), 'ISO8583_FIELD_UNKNOWN', 1],
    ['field 129', SALE.with(129, new Uint8Array(8)), 'ISO8583_FIELD_UNKNOWN', 129],
    ['MTI of 3 digits', SALE.withMti('200'), 'ISO8583_FIELD_INVALID', 0],
    ['no TPDU', SALE.withHeader(new Uint8Array(0)), 'ISO8583_HEADER_INVALID', 'header'],
    ['TPDU id 68', SALE.withHeader(fromHex('6800030000')), 'ISO8583_HEADER_INVALID', 'header'],
  ];
  for (const [name, m, code, field] of cases) test(name, () => throwsIso(() => pack(DEFAULT_SPEC, m), code, { field }));

  test('an odd digit count with a byte-counted length and 0 padding is refused (it could not be read back)', () => {
    const f: FieldSpec = { name: 'x', type: 'n', length: { kind: 'LL', max: 11 }, encoding: 'bcd', lengthEncoding: 'bcd', lengthUnit: 'bytes' };
    const spec: Iso8583Spec = { ...DEFAULT_SPEC, fields: { ...DEFAULT_SPEC.fields, 32: f } };
    const m = Iso8583Message.of('0200', { 32: '1234' }, TPDU);
    assert.equal(toHex(pack(spec, m)), '6000030000' + '0200' + '0000000100000000' + '02' + '1234');
    throwsIso(() => pack(spec, m.with(32, '12345')), 'ISO8583_FIELD_INVALID', { field: 32 });
    // With an F pad the decoder can tell the pad from a digit, so odd counts work.
    const fSpec: Iso8583Spec = { ...spec, fields: { ...spec.fields, 32: { ...f, padDigit: 'F', pad: 'right' } } };
    const bytes = pack(fSpec, m.with(32, '12345'));
    assert.equal(toHex(bytes).slice(-8), '0312345F');
    assert.equal(unpack(fSpec, bytes).text(32), '12345');
  });

  test("secondaryBitmap 'always' sends and requires bit 1; 'never' refuses fields over 64", () => {
    const always: Iso8583Spec = { ...DEFAULT_SPEC, secondaryBitmap: 'always' };
    const m = Iso8583Message.of('0800', { 11: '000001' }, TPDU);
    const hex = toHex(pack(always, m));
    assert.equal(hex, '6000030000' + '0800' + '8020000000000000' + '0000000000000000' + '000001');
    assert.deepEqual(unpack(always, fromHex(hex)), m);
    throwsIso(() => unpack(always, pack(DEFAULT_SPEC, m)), 'ISO8583_FIELD_INVALID', { field: 1, offset: 7 });
    // The default ('auto') still reads an empty secondary bitmap, as some hosts always send one.
    assert.deepEqual(unpack(DEFAULT_SPEC, fromHex(hex)), m);
    const primaryOnly = Object.fromEntries(Object.entries(DEFAULT_SPEC.fields).filter(([k]) => Number(k) <= 64));
    const never: Iso8583Spec = { ...DEFAULT_SPEC, secondaryBitmap: 'never', fields: primaryOnly };
    throwsIso(() => unpack(never, fromHex(hex)), 'ISO8583_FIELD_UNKNOWN', { field: 1, offset: 7 });
  });
});

describe('describeMessage', () => {
  test('masks the PAN 6/4 and shows track 2, PIN block, field 55 and the MAC only by size', () => {
    const d = describeMessage(DEFAULT_SPEC, SALE);
    assert.equal(d.mti, '0200');
    assert.equal(d.header, '6000030000');
    assert.deepEqual(d.present, [2, 3, 4, 11, 35, 41, 52, 55, 64]);
    const byField = new Map(d.fields.map((f) => [f.field, f.value]));
    assert.equal(byField.get(2), '476173******0119');
    assert.equal(byField.get(4), '000000002550');
    assert.equal(byField.get(35), 'present (19 bytes)'); // 37 nibbles + F pad in BCD
    assert.equal(byField.get(52), 'present (8 bytes)');
    assert.equal(byField.get(55), 'present (15 bytes)');
    assert.equal(byField.get(64), 'present (8 bytes)');
    const json = JSON.stringify(d);
    for (const secret of ['4761739001010119', '2712201', '1A2B3C4D', '1122334455667788', '0102030405060708', '9F26']) {
      assert.ok(!json.includes(secret), `description leaks ${secret}`);
    }
  });

  test('a field the spec does not know is shown by size only', () => {
    const d = describeMessage(DEFAULT_SPEC, SALE.with(5, 'secret'));
    assert.deepEqual(d.fields.find((f) => f.field === 5), { field: 5, name: 'not in spec', value: 'present (6 bytes)' });
  });

  test('maskPan keeps at most first 6 and last 4, and hides short numbers entirely', () => {
    assert.equal(maskPan('4761739001010119'), '476173******0119');
    assert.equal(maskPan('374245455400126'), '374245*****0126');
    assert.equal(maskPan('123456789012'), '************');
  });
});

describe('Iso8583Message', () => {
  test('accessors by kind, and with/without return new messages in field order', () => {
    assert.equal(SALE.text(3), '000000');
    assert.equal(SALE.text(52), undefined);
    assert.equal(toHex(SALE.bytes(52)!), '1A2B3C4D5E6F7081');
    assert.equal(SALE.tlv(55)![0].tag, 0x9f26);
    assert.equal(SALE.tlv(3), undefined);
    const m = SALE.without(52).with(12, '143025');
    assert.equal(SALE.has(52), true);
    assert.equal(m.has(52), false);
    assert.deepEqual([...m.fields.keys()], [2, 3, 4, 11, 12, 35, 41, 55, 64]);
    assert.equal(m.with(3, '310000').text(3), '310000');
  });
});
