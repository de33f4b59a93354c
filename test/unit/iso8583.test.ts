// ISO 8583 codec on realistic messages under the default spec (ISO 8583:1987, BCD, binary bitmap, TPDU).
// Every expected hex string is written out by hand, field by field, so a codec change cannot move both sides.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv, findTlv } from '../../src/apdu/tlv.js';
import {
  DEFAULT_SPEC,
  Iso8583Error,
  Iso8583Message,
  encodeTpdu,
  pack,
  parseTpdu,
  responseTpdu,
  unpack,
  type FieldValue,
  type Iso8583ErrorCode,
} from '../../src/host/iso8583/index.js';

const TPDU_TO_HOST = fromHex('6000030000');
const TPDU_FROM_HOST = fromHex('6000000003');
const tlv = (hex: string) => decodeTlv(fromHex(hex));
const msg = (mti: string, header: Uint8Array, fields: Record<number, FieldValue>) => Iso8583Message.of(mti, fields, header);

/** pack gives exactly `hex`, and unpack of `hex` gives the message back. */
function roundTrip(m: Iso8583Message, hex: string): void {
  const expected = hex.replace(/\s+/g, '');
  assert.equal(toHex(pack(DEFAULT_SPEC, m)), expected);
  assert.deepEqual(unpack(DEFAULT_SPEC, fromHex(expected)), m);
}

function throwsIso(fn: () => unknown, code: Iso8583ErrorCode, field: number | 'header' | undefined, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Iso8583Error, `expected Iso8583Error, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.details.field, field, e.message);
    if (offset !== undefined) assert.equal(e.details.offset, offset, e.message);
    return true;
  });
}

// EMV Book 3 Annex A tags of an ARQC as a terminal sends it in field 55 (EMV Book 4 §6.5.5 minimum set
// plus 9F33/9F35/9F1E/9F41/84). Byte counts on the right add up to 127 (0x7F): LLL = 0127.
const ICC_0200 = [
  '9F2608 1122334455667788', // 11  application cryptogram (ARQC)
  '9F2701 80', //                4  cryptogram information data: ARQC
  '9F1007 06010A03A0B800', //   10  issuer application data
  '9F3704 1A2B3C4D', //          7  unpredictable number
  '9F3602 0042', //              5  ATC
  '9505 0000008000', //          7  TVR
  '9A03 250615', //              5  transaction date
  '9C01 00', //                  3  transaction type: purchase
  '9F0206 000000002550', //      9  amount authorised
  '5F2A02 0978', //              5  currency EUR
  '8202 1980', //                4  AIP
  '9F1A02 0250', //              5  terminal country France
  '9F3403 420300', //            6  CVM results: enciphered PIN online
  '9F3303 E0F0C8', //            6  terminal capabilities
  '9F3501 22', //                4  terminal type
  '9F0306 000000000000', //      9  amount other
  '8407 A0000000031010', //      9  DF name (Visa)
  '9F1E08 3132333435363738', // 11  IFD serial number
  '9F4104 00000042', //          7  transaction sequence counter
].join('').replace(/\s+/g, '');

const SALE_0200 = msg('0200', TPDU_TO_HOST, {
  2: '4761739001010119',
  3: '000000',
  4: '000000002550',
  11: '000042',
  12: '143025',
  13: '0615',
  14: '2712',
  22: '051',
  23: '001',
  24: '003',
  25: '00',
  35: '4761739001010119D27122011234567899999',
  41: 'TERM0001',
  42: 'MERCHANT0000001',
  49: '978',
  52: fromHex('1A2B3C4D5E6F7081'),
  55: tlv(ICC_0200),
});

// Bitmap 703C078020C09200: byte 1 bits 2,3,4 = 40+20+10; byte 2 bits 11-14 = 20+10+08+04; byte 3 bits 22,23,24
// = 04+02+01; byte 4 bit 25 = 80; byte 5 bit 35 = 20; byte 6 bits 41,42 = 80+40; byte 7 bits 49,52,55 = 80+10+02.
const SALE_0200_HEX = `
  6000030000 0200 703C078020C09200
  16 4761739001010119
  000000 000000002550 000042 143025 0615 2712
  0051 0001 0003 00
  37 4761739001010119D27122011234567899999F
  5445524D30303031 4D45524348414E5430303030303031
  0978 1A2B3C4D5E6F7081
  0127 ${ICC_0200}`;

// 0210: 91 issuer authentication data (ARPC + ARC "00"), 71/72 issuer script templates with 9F18 script id and
// 86 commands (EMV Book 3 §10.10, Annex A). 12 + 24 + 24 = 60 bytes: LLL = 0060.
const ICC_0210 = [
  '910A 1122334455667788 3030', //                                12
  '7116 9F1804 00000001 860D 8424000008 A1A2A3A4A5A6A7A8', //     24  PIN unblock before 2nd GENERATE AC
  '7216 9F1804 00000002 860D 8418000008 B1B2B3B4B5B6B7B8', //     24  application unblock after it
].join('').replace(/\s+/g, '');

const SALE_0210 = msg('0210', TPDU_FROM_HOST, {
  3: '000000',
  4: '000000002550',
  11: '000042',
  12: '143025',
  13: '0615',
  24: '003',
  37: '516612345678',
  38: 'A1B2C3',
  39: '00',
  41: 'TERM0001',
  55: tlv(ICC_0210),
});

// Bitmap 3038010E80020000... : byte 1 bits 3,4 = 20+10; byte 2 bits 11,12,13 = 20+10+08; byte 3 bit 24 = 01;
// byte 5 bits 37,38,39 = 08+04+02; byte 6 bit 41 = 80; byte 7 bit 55 = 02.
const SALE_0210_HEX = `
  6000000003 0210 30380100 0E800200
  000000 000000002550 000042 143025 0615 0003
  353136363132333435363738 413142324333 3030 5445524D30303031
  0060 ${ICC_0210}`;

// Field 90 (n42): original MTI 0200, STAN 000042, transmission date/time 0615143025, acquirer 00000001234,
// forwarding institution 00000000000 → 21 BCD bytes.
const ORIGINAL_DATA = '0200' + '000042' + '0615143025' + '00000001234' + '00000000000';
const ORIGINAL_DATA_HEX = '02000000420615143025' + '0000000123' + '4000000000' + '00';

const REVERSAL_0400 = msg('0400', TPDU_TO_HOST, {
  3: '000000',
  4: '000000002550',
  11: '000043',
  22: '051',
  24: '003',
  25: '00',
  41: 'TERM0001',
  42: 'MERCHANT0000001',
  49: '978',
  90: ORIGINAL_DATA,
});

// Primary B020058000C08000: bit 1 (secondary present) + bits 3,4 = 80+20+10; bit 11 = 20; bits 22,24 = 04+01;
// bit 25 = 80; bits 41,42 = 80+40; bit 49 = 80. Secondary 0000004000000000: field 90 is bit 26 of it,
// byte 4 (fields 89-96), second bit = 40.
const REVERSAL_0400_HEX = `
  6000030000 0400 B020058000C08000 0000004000000000
  000000 000000002550 000043 0051 0003 00
  5445524D30303031 4D45524348414E5430303030303031 0978
  ${ORIGINAL_DATA_HEX}`;

const REVERSAL_0410 = msg('0410', TPDU_FROM_HOST, {
  3: '000000',
  4: '000000002550',
  11: '000043',
  24: '003',
  37: '516612345679',
  39: '00',
  41: 'TERM0001',
  90: ORIGINAL_DATA,
});

// Primary B02001000A800000: 80+20+10; bit 11 = 20; bit 24 = 01; bits 37,39 = 08+02; bit 41 = 80. Secondary as 0400.
const REVERSAL_0410_HEX = `
  6000000003 0410 B02001000A800000 0000004000000000
  000000 000000002550 000043 0003
  353136363132333435363739 3030 5445524D30303031
  ${ORIGINAL_DATA_HEX}`;

// Reconciliation: processing code 920000, batch number in field 60, ISO 8583:1987 totals in 74/76/86/88 and
// the net settlement amount (x+n16, 'D' = debit) in 97.
const RECONCILE_0500 = msg('0500', TPDU_TO_HOST, {
  3: '920000',
  11: '000044',
  24: '003',
  41: 'TERM0001',
  42: 'MERCHANT0000001',
  60: '000001',
  74: '0000000001',
  76: '0000000012',
  86: '0000000000001000',
  88: '0000000000030550',
  97: 'D0000000000029550',
});

// Primary A020010000C00010: 80 (secondary) + bit 3 = 20; bit 11 = 20; bit 24 = 01; bits 41,42 = C0; bit 60 = 10
// (byte 8 holds 57-64). Secondary 0050050080000000: byte 2 (73-80) bits 74,76 = 40+10; byte 3 (81-88) bits 86,88
// = 04+01; byte 5 (97-104) bit 97 = 80. Field 97: 'D' as ASCII 44, then 16 digits in 8 BCD bytes.
const RECONCILE_0500_HEX = `
  6000030000 0500 A020010000C00010 0050050080000000
  920000 000044 0003
  5445524D30303031 4D45524348414E5430303030303031
  0006 303030303031
  0000000001 0000000012 0000000000001000 0000000000030550
  44 0000000000029550`;

const SIGN_ON_0800 = msg('0800', TPDU_TO_HOST, { 7: '0615143025', 11: '000045', 70: '001' });
const SIGN_ON_0810 = msg('0810', TPDU_FROM_HOST, { 7: '0615143025', 11: '000045', 39: '00', 70: '001' });

describe('round trips of realistic messages (exact hex)', () => {
  test('0200 EMV sale: PAN, track 2 with D separator and F pad, PIN block, 19-tag field 55', () => {
    assert.equal(ICC_0200.length / 2, 127);
    roundTrip(SALE_0200, SALE_0200_HEX);
  });

  test('0210 approval: 38, 39, field 55 with 91 and 71/72 script templates', () => {
    assert.equal(ICC_0210.length / 2, 60);
    roundTrip(SALE_0210, SALE_0210_HEX);
    const icc = unpack(DEFAULT_SPEC, fromHex(SALE_0210_HEX.replace(/\s+/g, ''))).tlv(55)!;
    assert.deepEqual(icc.map((n) => n.tag), [0x91, 0x71, 0x72]);
    assert.equal(toHex(findTlv(icc, 0x86)!.value), '8424000008A1A2A3A4A5A6A7A8');
  });

  test('0400 reversal and 0410 answer with field 90 (secondary bitmap)', () => {
    roundTrip(REVERSAL_0400, REVERSAL_0400_HEX);
    roundTrip(REVERSAL_0410, REVERSAL_0410_HEX);
  });

  test('0500 reconciliation: totals in 74/76/86/88, x+n16 net amount in 97', () => {
    roundTrip(RECONCILE_0500, RECONCILE_0500_HEX);
  });

  test('0800/0810 sign-on (70 = 001)', () => {
    // Primary 8220000000000000: bit 1 + bit 7 = 80+02, bit 11 = 20; secondary 04..: field 70 is its 6th bit.
    roundTrip(SIGN_ON_0800, '6000030000 0800 8220000000000000 0400000000000000 0615143025 000045 0001');
    // 0810 adds bit 39: byte 5 (33-40), 7th bit = 02.
    roundTrip(SIGN_ON_0810, '6000000003 0810 8220000002000000 0400000000000000 0615143025 000045 3030 0001');
  });
});

describe('hand-checked hex', () => {
  test('0800 echo test (70 = 301), every byte computed by hand', () => {
    // TPDU      60 0003 0000            id 60, destination NII 0003, origin 0000
    // MTI       08 00                   "0800" in 2 BCD bytes
    // bitmap 1  82 20 00 00 00 00 00 00 bit 1 (secondary follows) = 80, bit 7 = 02 → 82; bit 11 = 3rd bit of byte 2 → 20
    // bitmap 2  04 00 00 00 00 00 00 00 field 70 = bit 6 of the secondary bitmap → 04
    // field 7   06 15 14 30 25          n10 "0615143025", 5 BCD bytes
    // field 11  00 01 23                n6 "000123"
    // field 70  03 01                   n3 "301", odd: left-padded with a 0 nibble → 0301
    const m = msg('0800', encodeTpdu(0x0003, 0x0000), { 7: '0615143025', 11: '000123', 70: '301' });
    roundTrip(m, '60 0003 0000 0800 8220000000000000 0400000000000000 0615143025 000123 0301');
  });

  test('0200 with odd-length track 2, short field 55 and no secondary bitmap', () => {
    // bitmap 70 20 05 80 20 C0 82 00: fields 2,3,4 | 11 | 22,24 | 25 | 35 | 41,42 | 49,55 (no bit 1: all ≤ 64)
    // field 2   16 4761739001010119     LL = 16 digits (BCD 0x16), 8 bytes
    // field 35  27 47..3F               LL = 27 nibbles incl. the D separator; odd, so an F pad nibble at the end
    // field 49  09 78                   "978" left-padded
    // field 55  00 13 9F0206000000001000 82021980   LLL = 13 bytes, BCD in 2 bytes
    const m = msg('0200', TPDU_TO_HOST, {
      2: '4761739001010119',
      3: '000000',
      4: '000000001000',
      11: '000001',
      22: '051',
      24: '003',
      25: '00',
      35: '4761739001010119D2712201123',
      41: 'TERM0001',
      42: 'MERCHANT0000001',
      49: '978',
      55: tlv('9F020600000000100082021980'),
    });
    roundTrip(
      m,
      `6000030000 0200 7020058020C08200 16 4761739001010119 000000 000000001000 000001 0051 0003 00
       27 4761739001010119D2712201123F 5445524D30303031 4D45524348414E5430303030303031 0978
       0013 9F0206000000001000 82021980`,
    );
  });

  test('a 15-digit PAN is left-padded with 0 after an LL of 15 digits', () => {
    const m = msg('0100', TPDU_TO_HOST, { 2: '374245455400126', 3: '000000' });
    // bitmap 60..: bits 2,3 = 40+20. PAN: LL 15, then 0 + 15 digits in 8 bytes.
    roundTrip(m, '6000030000 0100 6000000000000000 15 0374245455400126 000000');
  });
});

describe('TPDU helpers', () => {
  test('encode, parse, and the response TPDU swaps the addresses', () => {
    assert.equal(toHex(encodeTpdu(0x0003, 0)), '6000030000');
    assert.deepEqual(parseTpdu(fromHex('6000030000')), { id: 0x60, destination: 3, origin: 0 });
    assert.equal(toHex(responseTpdu(fromHex('6000030011'))), '6000110003');
    throwsIso(() => encodeTpdu(0x10000, 0), 'ISO8583_HEADER_INVALID', 'header');
  });
});
