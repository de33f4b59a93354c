import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildDolData, parseDol, type DolEntry, type DolFormat } from '../../src/apdu/dol.js';
import { ApduError, type ApduErrorCode } from '../../src/apdu/errors.js';
import { lookupTag } from '../../src/apdu/emv-tags.js';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { tagHex } from '../../src/apdu/tlv.js';

function throwsCode(fn: () => unknown, code: ApduErrorCode, offset: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApduError, `expected ApduError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.details.offset, offset);
    return true;
  });
}

/** The format the EMV dictionary gives a tag, as DOL building needs it. */
function emvFormat(tag: number): DolFormat {
  const f = lookupTag(tag)?.format;
  return f === 'n' ? 'n' : f === 'cn' ? 'cn' : 'other';
}

function build(dolHex: string, values: Record<string, string>, formatOf: (tag: number) => DolFormat = emvFormat): string {
  const lookup = (tag: number): Uint8Array | undefined => (values[tagHex(tag)] === undefined ? undefined : fromHex(values[tagHex(tag)]));
  return toHex(buildDolData(parseDol(fromHex(dolHex)), lookup, formatOf));
}

const CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F3704';

describe('parseDol', () => {
  test('a real CDOL1: amount, other amount, country, TVR, currency, date, type, UN', () => {
    const entries = parseDol(fromHex(CDOL1));
    assert.deepEqual(
      entries.map((e) => [tagHex(e.tag), e.length]),
      [['9F02', 6], ['9F03', 6], ['9F1A', 2], ['95', 5], ['5F2A', 2], ['9A', 3], ['9C', 1], ['9F37', 4]],
    );
  });

  test('a 3-byte tag, a zero length and an empty DOL', () => {
    assert.deepEqual(parseDol(fromHex('DF8117019F4C00')), [{ tag: 0xdf8117, length: 1 }, { tag: 0x9f4c, length: 0 }]);
    assert.deepEqual(parseDol(new Uint8Array(0)), []);
  });

  test('a cut entry is DOL_TRUNCATED at the missing byte', () => {
    throwsCode(() => parseDol(fromHex('9F02069F')), 'DOL_TRUNCATED', 4);
    throwsCode(() => parseDol(fromHex('9F02069F37')), 'DOL_TRUNCATED', 5);
    throwsCode(() => parseDol(fromHex('95')), 'DOL_TRUNCATED', 1);
    throwsCode(() => parseDol(fromHex('DF81')), 'DOL_TRUNCATED', 2);
  });

  test('a long-form length is TLV_BAD_LENGTH; a 5-byte tag TLV_BAD_TAG', () => {
    throwsCode(() => parseDol(fromHex('9F02069F378104')), 'TLV_BAD_LENGTH', 5);
    throwsCode(() => parseDol(fromHex('9F0206DF8181810104')), 'TLV_BAD_TAG', 3);
  });
});

describe('buildDolData (EMV Book 3 §5.4)', () => {
  test('CDOL1 filled with terminal data, exact bytes in DOL order', () => {
    const out = build(CDOL1, {
      '9F02': '000000001000',
      '9F03': '000000000000',
      '9F1A': '0826',
      '95': '0000008000',
      '5F2A': '0826',
      '9A': '240315',
      '9C': '00',
      '9F37': 'DEADBEEF',
    });
    assert.equal(out, '000000001000' + '000000000000' + '0826' + '0000008000' + '0826' + '240315' + '00' + 'DEADBEEF');
  });

  test('numeric (n): shorter value left-padded with zeros', () => {
    assert.equal(build('9F0206', { '9F02': '1000' }), '000000001000');
    assert.equal(build('9A04', { '9A': '240315' }), '00240315');
  });

  test('numeric (n): longer value loses its leftmost bytes', () => {
    assert.equal(build('9F0202', { '9F02': '000000001234' }), '1234');
    assert.equal(build('5F2A01', { '5F2A': '0978' }), '78');
  });

  test('compressed numeric (cn): shorter value right-padded with FF, longer right-truncated', () => {
    assert.equal(build('5A0A', { '5A': '4761739001010119' }), '4761739001010119FFFF');
    assert.equal(build('5A04', { '5A': '4761739001010119' }), '47617390');
  });

  test('other formats: right-padded with zeros, right-truncated', () => {
    assert.equal(build('9F3706', { '9F37': 'DEADBEEF' }), 'DEADBEEF0000');
    assert.equal(build('9F3702', { '9F37': 'DEADBEEF' }), 'DEAD');
    assert.equal(build('9505', { '95': '80' }), '8000000000');
  });

  test('a tag the terminal does not know is filled with zeros', () => {
    assert.equal(build('DF7F039F3702', { '9F37': 'AABB' }), '000000' + 'AABB');
  });

  test('a constructed tag is filled with zeros even when a value exists', () => {
    assert.equal(build('7004BF0C029F3702', { '70': 'AABBCCDD', BF0C: '1122', '9F37': '1234' }), '00000000' + '0000' + '1234');
  });

  test('a primitive multi-byte tag whose later byte has bit 6 set (9F26) is still filled', () => {
    assert.equal(build('9F2608', { '9F26': '0102030405060708' }), '0102030405060708');
  });

  test('a repeated tag is filled each time, each at its own length', () => {
    assert.equal(build('9F37049F3702', { '9F37': 'DEADBEEF' }), 'DEADBEEF' + 'DEAD');
  });

  test('the format callback decides: the same value fitted three ways', () => {
    const dol: DolEntry[] = [{ tag: 0xdf01, length: 4 }];
    const lookup = () => fromHex('1234');
    assert.equal(toHex(buildDolData(dol, lookup, () => 'n')), '00001234');
    assert.equal(toHex(buildDolData(dol, lookup, () => 'cn')), '1234FFFF');
    assert.equal(toHex(buildDolData(dol, lookup, () => 'other')), '12340000');
  });

  test('property: output is the sum of the lengths, each entry fitted in its own slot', () => {
    const entry = fc.record({ tag: fc.constantFrom(0x9f02, 0x5a, 0x9f37, 0xdf01, 0x70), length: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), fc.uint8Array({ maxLength: 30 }), fc.constantFrom<DolFormat>('n', 'cn', 'other'), (dol, value, fmt) => {
        const out = buildDolData(dol, (t) => (t === 0xdf01 ? undefined : value), () => fmt);
        assert.equal(out.length, dol.reduce((s, e) => s + e.length, 0));
        let off = 0;
        for (const e of dol) {
          const slot = out.subarray(off, off + e.length);
          off += e.length;
          if (e.tag === 0xdf01 || e.tag === 0x70) {
            assert.ok(slot.every((b) => b === 0));
            continue;
          }
          const n = Math.min(value.length, e.length);
          const kept = fmt === 'n' ? value.subarray(value.length - n) : value.subarray(0, n);
          const pad = e.length - n;
          if (fmt === 'n') assert.equal(toHex(slot), '00'.repeat(pad) + toHex(kept));
          else assert.equal(toHex(slot), toHex(kept) + (fmt === 'cn' ? 'FF' : '00').repeat(pad));
        }
      }),
    );
  });
});
