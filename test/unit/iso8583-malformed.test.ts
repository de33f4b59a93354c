// ISO 8583 codec: unpack of malformed input under the default spec is refused with a stable code naming the
// field (0 = MTI, 1 = bitmap, 'header') and the byte offset from the start of the input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex } from '../../src/apdu/hex.js';
import { DEFAULT_SPEC, ISO8583_ERROR_CODES, Iso8583Error, unpack, type Iso8583ErrorCode } from '../../src/host/iso8583/index.js';

function throwsIso(fn: () => unknown, code: Iso8583ErrorCode, field: number | 'header' | undefined, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Iso8583Error, `expected Iso8583Error, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.details.field, field, e.message);
    if (offset !== undefined) assert.equal(e.details.offset, offset, e.message);
    return true;
  });
}

// The 0800 echo test, offsets: TPDU 0-4, MTI 5-6, bitmaps 7-14 and 15-22, field 7 23-27, field 11 28-30, field 70 31-32.
const ECHO = '6000030000' + '0800' + '8220000000000000' + '0400000000000000' + '0615143025' + '000123' + '0301';
// The short 0200, offsets: field 2 LL 15, 35 LL 41 (content 42-55), 41 at 56, 55 LLL 81-82 (content 83-95).
const SHORT_0200 =
  '6000030000' + '0200' + '7020058020C08200' + '164761739001010119' + '000000' + '000000001000' + '000001' + '0051' + '0003' + '00' +
  '274761739001010119D2712201123F' + '5445524D30303031' + '4D45524348414E5430303030303031' + '0978' + '0013' + '9F020600000000100082021980';

function patch(hex: string, byteOffset: number, bytesHex: string): Uint8Array {
  return fromHex(hex.slice(0, 2 * byteOffset) + bytesHex + hex.slice(2 * byteOffset + bytesHex.length));
}

describe('unpack refuses malformed input, naming field and offset', () => {
  const cases: [string, Uint8Array, Iso8583ErrorCode, number | 'header', number][] = [
    ['TPDU id not 60', patch(ECHO, 0, '61'), 'ISO8583_HEADER_INVALID', 'header', 0],
    ['header truncated', fromHex('600003'), 'ISO8583_TRUNCATED', 'header', 0],
    ['MTI not BCD', patch(ECHO, 5, '0A'), 'ISO8583_FIELD_INVALID', 0, 5],
    ['secondary bitmap truncated', fromHex(ECHO.slice(0, 40)), 'ISO8583_TRUNCATED', 1, 15],
    ['bitmap bit for undefined field 5', patch(ECHO, 7, '8A'), 'ISO8583_FIELD_UNKNOWN', 5, 7],
    ['secondary bit for undefined field 69', patch(ECHO, 15, '0C'), 'ISO8583_FIELD_UNKNOWN', 69, 15],
    ['field 7 truncated', fromHex(ECHO.slice(0, 50)), 'ISO8583_TRUNCATED', 7, 23],
    ['field 11 truncated', fromHex(ECHO.slice(0, 60)), 'ISO8583_TRUNCATED', 11, 28],
    ['non-digit in n field 7', patch(ECHO, 24, '1A'), 'ISO8583_FIELD_INVALID', 7, 24],
    ['pad nibble of n3 field 70 not 0', patch(ECHO, 31, '13'), 'ISO8583_FIELD_INVALID', 70, 31],
    ['a byte after the last field', fromHex(ECHO + '00'), 'ISO8583_TRAILING', 70, 33],
    ['PAN LL 20 over max 19', patch(SHORT_0200, 15, '20'), 'ISO8583_LENGTH_INVALID', 2, 15],
    ['PAN LL not BCD', patch(SHORT_0200, 15, '1A'), 'ISO8583_LENGTH_INVALID', 2, 15],
    ['track 2 pad nibble 0 instead of F', patch(SHORT_0200, 55, '30'), 'ISO8583_FIELD_INVALID', 35, 55],
    ['track 2 nibble E', patch(SHORT_0200, 50, 'E1'), 'ISO8583_FIELD_INVALID', 35, 50],
    ['control byte in ans field 41', patch(SHORT_0200, 57, '07'), 'ISO8583_FIELD_INVALID', 41, 57],
    ['field 55 LLL over max 255', patch(SHORT_0200, 81, '0256'), 'ISO8583_LENGTH_INVALID', 55, 81],
    ['field 55 content truncated', fromHex(SHORT_0200.slice(0, -2)), 'ISO8583_TRUNCATED', 55, 83],
    // 9F02 now claims 7 bytes, swallowing the 82; what is left (02 19 80) declares 0x19 bytes: TLV_TRUNCATED at content offset 10.
    ['bad TLV in field 55', patch(SHORT_0200, 85, '07'), 'ISO8583_FIELD_INVALID', 55, 93],
  ];
  for (const [name, bytes, code, field, offset] of cases) {
    test(name, () => throwsIso(() => unpack(DEFAULT_SPEC, bytes), code, field, offset));
  }

  test('field 55 TLV must use minimal lengths (so pack(unpack(x)) = x)', () => {
    // 82 written with a long-form length 81 02: legal BER, but not the minimal form pack would write back.
    const hex = SHORT_0200.slice(0, -30) + '0014' + '9F0206000000001000' + '8281021980';
    const e = captureIso(() => unpack(DEFAULT_SPEC, fromHex(hex)));
    assert.equal(e.code, 'ISO8583_FIELD_INVALID');
    assert.deepEqual([e.details.field, e.details.offset, e.details.tlvCode], [55, 93, 'TLV_BAD_LENGTH']);
  });

  test('the TLV error code and cause are kept', () => {
    const e = captureIso(() => unpack(DEFAULT_SPEC, patch(SHORT_0200, 85, '07')));
    assert.equal(e.details.tlvCode, 'TLV_TRUNCATED');
    assert.ok(e.cause instanceof Error);
  });

  test('input over the size limit is refused before parsing', () => {
    throwsIso(() => unpack(DEFAULT_SPEC, new Uint8Array(9000)), 'ISO8583_TOO_LARGE', undefined, 8192);
    throwsIso(() => unpack(DEFAULT_SPEC, fromHex(ECHO), { maxMessageBytes: 20, maxTlvDepth: 4 }), 'ISO8583_TOO_LARGE', undefined);
  });

  test('TLV nesting deeper than the limit is refused', () => {
    const nested = '6000030000' + '0200' + '0000000000000200' + '0006' + '710471027100';
    assert.equal(unpack(DEFAULT_SPEC, fromHex(nested)).tlv(55)![0].children[0].tag, 0x71);
    const e = captureIso(() => unpack(DEFAULT_SPEC, fromHex(nested), { maxMessageBytes: 8192, maxTlvDepth: 1 }));
    assert.deepEqual([e.code, e.details.field, e.details.tlvCode], ['ISO8583_FIELD_INVALID', 55, 'TLV_TOO_DEEP']);
  });

  test('every code is SCREAMING_SNAKE with the ISO8583_ prefix', () => {
    for (const c of ISO8583_ERROR_CODES) assert.match(c, /^ISO8583_[A-Z0-9_]+$/);
    assert.equal(new Set(ISO8583_ERROR_CODES).size, ISO8583_ERROR_CODES.length);
  });
});

function captureIso(fn: () => unknown): Iso8583Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Iso8583Error) return e;
    throw e;
  }
  assert.fail('expected an Iso8583Error');
}
