// ISO 9564-1:2017 PIN block formats 0 and 4. Format 0 sample: ANSI X9.24-1:2009 Annex A.4
// (PIN 1234, PAN 4012345678909). Format 4 fields: ANSI X9.24-3:2017 Supplement Test Vectors,
// "Calculation of AES PIN Block Format 4" (page 31), as transcribed in openemv/dukpt
// test/pinblock_format4_test.c; other expectations are worked by hand from §9.3.1 / §9.4.2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { DukptError, type DukptErrorCode } from '../../src/crypto/dukpt-errors.js';
import {
  decipherFormat4,
  decodeFormat0,
  encipherFormat4,
  encodeFormat0,
  format0PanField,
  format0PinField,
  format4PanField,
  format4PinField,
} from '../../src/crypto/pin-block.js';

function throwsCode(fn: () => unknown, code: DukptErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof DukptError && err.code === code);
}

const KEY = fromHex('AF8CB133A78F8DC2D1359F18527593FB');

describe('ISO 9564-1 format 0', () => {
  test('X9.24-1 A.4 sample block', () => {
    assert.equal(toHex(format0PinField('1234')), '041234FFFFFFFFFF');
    assert.equal(toHex(format0PanField('4012345678909')), '0000401234567890');
    assert.equal(toHex(encodeFormat0('1234', '4012345678909')), '041274EDCBA9876F');
  });

  test('round-trips PINs of 4 to 12 digits', () => {
    for (const pin of ['0000', '12345', '123456789012']) {
      assert.equal(decodeFormat0(encodeFormat0(pin, '5413330089600010'), '5413330089600010'), pin);
    }
  });

  test('short PAN is zero-padded on the left', () => {
    assert.equal(toHex(format0PanField('123456')), '0000000000012345');
  });

  test('decode with the wrong PAN or a tampered block fails with PIN_BLOCK_INVALID', () => {
    const block = encodeFormat0('1234', '4012345678909');
    throwsCode(() => decodeFormat0(block, '4111111111111111'), 'PIN_BLOCK_INVALID');
    throwsCode(() => decodeFormat0(block.subarray(0, 7), '4012345678909'), 'PIN_BLOCK_INVALID');
    const bad = Uint8Array.from(block);
    bad[0] ^= 0x10;
    throwsCode(() => decodeFormat0(bad, '4012345678909'), 'PIN_BLOCK_INVALID');
  });

  test('validates PIN length and PAN digits', () => {
    throwsCode(() => encodeFormat0('123', '4012345678909'), 'PIN_INVALID');
    throwsCode(() => encodeFormat0('1234567890123', '4012345678909'), 'PIN_INVALID');
    throwsCode(() => encodeFormat0('12a4', '4012345678909'), 'PIN_INVALID');
    throwsCode(() => encodeFormat0('1234', '4012-3456'), 'PAN_INVALID');
    throwsCode(() => encodeFormat0('1234', '12345678901234567890'), 'PAN_INVALID');
    throwsCode(() => encodeFormat0('1234', ''), 'PAN_INVALID');
  });
});

describe('ISO 9564-1 format 4', () => {
  test('X9.24-3 Supplement PIN and PAN fields', () => {
    const fill = fromHex('2F69ADDE2E9E7ACE');
    assert.equal(toHex(format4PinField('1234', fill)), '441234AAAAAAAAAA2F69ADDE2E9E7ACE');
    assert.equal(toHex(format4PanField('4111111111111111')), '44111111111111111000000000000000');
  });

  test('odd-length PIN, 19-digit and short PANs', () => {
    assert.equal(toHex(format4PinField('12345', new Uint8Array(8))).slice(0, 16), '4512345AAAAAAAAA');
    assert.equal(toHex(format4PanField('4111111111111111111')), '74111111111111111111000000000000');
    assert.equal(toHex(format4PanField('123456789')), '00001234567890000000000000000000');
  });

  test('random fill defaults to fresh bytes and must be 8 bytes', () => {
    const a = format4PinField('1234');
    const b = format4PinField('1234');
    assert.equal(toHex(a).slice(0, 16), '441234AAAAAAAAAA');
    assert.notEqual(toHex(a), toHex(b));
    throwsCode(() => format4PinField('1234', new Uint8Array(7)), 'RANDOM_FILL_INVALID');
  });

  test('encipher / decipher round trip and PAN binding', () => {
    const block = encipherFormat4(KEY, '987654', '5413330089600010');
    assert.equal(block.length, 16);
    assert.equal(decipherFormat4(KEY, block, '5413330089600010'), '987654');
    throwsCode(() => decipherFormat4(KEY, block, '5413330089600011'), 'PIN_BLOCK_INVALID');
    throwsCode(() => decipherFormat4(KEY, block.subarray(0, 8), '5413330089600010'), 'PIN_BLOCK_INVALID');
    throwsCode(() => encipherFormat4(KEY.subarray(0, 10), '1234', '5413330089600010'), 'KEY_LENGTH_INVALID');
  });
});
