// PC/SC Part 10 v2.02.09 secure PIN entry. Expected bytes are written out by hand from the PIN
// Verification Data Structure (Part 10 §2.5.2 / CCID 1.1 §6.1.11.4, packed, little-endian) and
// EMV Book 3 §6.5.12 (VERIFY 00 20 00 80, PIN block format 2); constants from pcsc-lite reader.h.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { Part10Error, type Part10ErrorCode } from '../../src/drivers/pinpad/part10-errors.js';
import {
  buildVerifyPinDirect,
  ctlCode,
  getFeatureRequestCode,
  mapVerifyResult,
  parseFeatures,
  parseTlvProperties,
} from '../../src/drivers/pinpad/pcsc-part10.js';

function throwsCode(fn: () => unknown, code: Part10ErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof Part10Error && e.code === code);
}

describe('ctlCode', () => {
  test('pcsc-lite: 0x42000000 + code; CM_IOCTL_GET_FEATURE_REQUEST = 0x42000D48', () => {
    assert.equal(ctlCode(3400, 'linux'), 0x42000d48);
    assert.equal(ctlCode(3400, 'darwin'), 0x42000d48);
    assert.equal(getFeatureRequestCode('linux'), 0x42000d48);
    assert.equal(ctlCode(1, 'linux'), 0x42000001);
  });
  test('Windows: (0x31 << 16) | (code << 2); GET_FEATURE_REQUEST = 0x313520', () => {
    assert.equal(ctlCode(3400, 'win32'), 0x00313520);
    assert.equal(getFeatureRequestCode('win32'), 0x00313520);
    assert.equal(ctlCode(1, 'win32'), 0x00310004);
  });
  test('rejects non-integer or out-of-range codes', () => {
    throwsCode(() => ctlCode(-1, 'linux'), 'PART10_OPTIONS_INVALID');
    throwsCode(() => ctlCode(0x1000, 'win32'), 'PART10_OPTIONS_INVALID');
    throwsCode(() => ctlCode(1.5, 'linux'), 'PART10_OPTIONS_INVALID');
  });
});

describe('parseFeatures', () => {
  test('class-3 reader answer: VERIFY_PIN_DIRECT, IFD_PIN_PROPERTIES, GET_TLV_PROPERTIES (big-endian values)', () => {
    const m = parseFeatures(fromHex('060442330006' + '0A044233000A' + '120442330012'));
    assert.deepEqual([...m.entries()], [
      ['VERIFY_PIN_DIRECT', 0x42330006],
      ['IFD_PIN_PROPERTIES', 0x4233000a],
      ['GET_TLV_PROPERTIES', 0x42330012],
    ]);
  });
  test('empty answer = no features; unknown tags are skipped', () => {
    assert.equal(parseFeatures(new Uint8Array(0)).size, 0);
    const m = parseFeatures(fromHex('7F0400000001' + '060442330006'));
    assert.deepEqual([...m.entries()], [['VERIFY_PIN_DIRECT', 0x42330006]]);
  });
  test('hostile inputs are PART10_FEATURES_MALFORMED', () => {
    for (const hex of ['06', '0604', '0604423300', '060342330006', '060542330006FF', '0604423300060A', '06044233000606044233000A']) {
      throwsCode(() => parseFeatures(fromHex(hex)), 'PART10_FEATURES_MALFORMED');
    }
  });
  test('same tag twice with the same code is accepted', () => {
    assert.equal(parseFeatures(fromHex('060442330006060442330006')).get('VERIFY_PIN_DIRECT'), 0x42330006);
  });
  test('property: random bytes only ever throw Part10Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const m = parseFeatures(bytes);
          assert.equal(bytes.length % 6, 0);
          assert.ok(m.size <= bytes.length / 6);
        } catch (e) {
          assert.ok(e instanceof Part10Error, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseTlvProperties', () => {
  test('little-endian integers and the firmware string', () => {
    const p = parseTlvProperties(fromHex(
      '0102' + '0000' + //       wLcdLayout 0x0000
      '0201' + '02' + //         bEntryValidationCondition
      '0301' + '00' + //         bTimeOut2
      '0402' + '1000' + //       wLcdMaxCharacters = 16
      '0502' + '0200' + //       wLcdMaxLines = 2
      '0601' + '04' + //         bMinPINSize
      '0701' + '0C' + //         bMaxPINSize
      '0803' + '312E30' + //     sFirmwareID "1.0"
      '0901' + '03' + //         bPPDUSupport
      '0A04' + '00010000' + //   dwMaxAPDUDataSize = 0x100
      '0B02' + 'E604' + //       wIdVendor = 0x04E6
      '0C02' + '2554' + //       wIdProduct = 0x5425
      '7701AA', //               unknown tag: skipped
    ));
    assert.deepEqual(p, {
      wLcdLayout: 0, bEntryValidationCondition: 2, bTimeOut2: 0, wLcdMaxCharacters: 16, wLcdMaxLines: 2,
      bMinPINSize: 4, bMaxPINSize: 12, sFirmwareID: '1.0', bPPDUSupport: 3, dwMaxAPDUDataSize: 0x100,
      wIdVendor: 0x04e6, wIdProduct: 0x5425,
    });
  });
  test('truncated, wrong-size and repeated properties are malformed', () => {
    for (const hex of ['0B', '0B02E6', '0B01E6', '0A020001', '060104060105', '0805414243']) {
      throwsCode(() => parseTlvProperties(fromHex(hex)), 'PART10_TLV_PROPERTIES_MALFORMED');
    }
  });
  test('property: random bytes only ever throw Part10Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseTlvProperties(bytes);
        } catch (e) {
          assert.ok(e instanceof Part10Error, String(e));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('buildVerifyPinDirect', () => {
  test('defaults: exact PIN_VERIFY_STRUCTURE for EMV plaintext offline PIN', () => {
    const expected = [
      '1E', //         bTimerOut: 30 s
      '00', //         bTimerOut2: reader default
      '89', //         bmFormatString: 1 (bytes) | 0001 (PIN at byte 1) | 0 (left) | 01 (BCD)
      '48', //         bmPINBlockString: length field 4 bits, block 8 bytes
      '04', //         bmPINLengthFormat: bits, length field at bit 4 (N nibble of C|N)
      '0C', '04', //   wPINMaxExtraDigit 0x040C little-endian: max 12, min 4
      '02', //         bEntryValidationCondition: validation key
      '01', //         bNumberMessage: one message
      '09', '04', //   wLangId 0x0409 little-endian
      '00', //         bMsgIndex
      '00', '00', '00', // bTeoPrologue
      '0D', '00', '00', '00', // ulDataLength = 13 little-endian
      '00', '20', '00', '80', // VERIFY, P2 80 plaintext PIN (EMV Book 3 §6.5.12)
      '08', //         Lc
      '20', //         C = 2, N = 0 (filled in by the reader)
      'FF', 'FF', 'FF', 'FF', 'FF', 'FF', 'FF', // PIN digits + F filler
    ].join('');
    assert.equal(toHex(buildVerifyPinDirect()).toUpperCase(), expected);
    assert.equal(buildVerifyPinDirect().length, 32);
  });
  test('options land in their fields', () => {
    const b = buildVerifyPinDirect({ timeoutS: 60, timeout2S: 10, minDigits: 6, maxDigits: 8, langId: 0x040c, messageCount: 0xff, messageIndex: 2 });
    assert.equal(toHex(b.subarray(0, 19)).toUpperCase(), '3C0A894804' + '0806' + '02' + 'FF' + '0C04' + '02' + '000000' + '0D000000');
  });
  test('invalid options are PART10_OPTIONS_INVALID', () => {
    for (const o of [{ minDigits: 3 }, { maxDigits: 13 }, { minDigits: 8, maxDigits: 6 }, { timeoutS: 256 }, { timeoutS: -1 },
      { timeout2S: 1.5 }, { langId: 0x10000 }, { messageCount: 4 }, { messageIndex: 256 }]) {
      throwsCode(() => buildVerifyPinDirect(o), 'PART10_OPTIONS_INVALID');
    }
  });
});

describe('mapVerifyResult', () => {
  test('card and SPE status words', () => {
    assert.deepEqual(mapVerifyResult(0x9000), { kind: 'verified' });
    assert.deepEqual(mapVerifyResult(0x63c2), { kind: 'wrong-pin', triesLeft: 2 });
    assert.deepEqual(mapVerifyResult(0x63c0), { kind: 'wrong-pin', triesLeft: 0 });
    assert.deepEqual(mapVerifyResult(0x6983), { kind: 'blocked' });
    assert.deepEqual(mapVerifyResult(0x6400), { kind: 'timeout' });
    assert.deepEqual(mapVerifyResult(0x6401), { kind: 'cancelled' });
    assert.deepEqual(mapVerifyResult(0x6402), { kind: 'pin-mismatch' });
    assert.deepEqual(mapVerifyResult(0x6403), { kind: 'too-short-or-long' });
    assert.deepEqual(mapVerifyResult(0x6b80), { kind: 'spe-invalid-parameter' });
    assert.deepEqual(mapVerifyResult(0x6a81), { kind: 'card-error', sw: 0x6a81 });
    assert.deepEqual(mapVerifyResult(0x6300), { kind: 'card-error', sw: 0x6300 });
  });
  test('a non-status-word number is PART10_STATUS_INVALID', () => {
    throwsCode(() => mapVerifyResult(0x10000), 'PART10_STATUS_INVALID');
    throwsCode(() => mapVerifyResult(-1), 'PART10_STATUS_INVALID');
  });
});
