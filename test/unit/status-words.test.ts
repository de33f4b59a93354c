import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeStatusWord, statusWord } from '../../src/apdu/status-words.js';
import { ResponseApdu } from '../../src/apdu/response-apdu.js';
import { ApduError } from '../../src/apdu/errors.js';
import { fromHex, toHex } from '../../src/apdu/hex.js';

describe('describeStatusWord', () => {
  test('9000 is success with no counts', () => {
    const s = describeStatusWord(0x9000);
    assert.deepEqual(s, { sw: '9000', category: 'ok', meaning: 'success' });
  });

  test('63C2: verification failed, 2 tries left', () => {
    const s = describeStatusWord(0x63c2);
    assert.equal(s.sw, '63C2');
    assert.equal(s.category, 'warning');
    assert.equal(s.triesLeft, 2);
    assert.match(s.meaning, /2 tries left/);
  });

  test('63C1 says one try; 63C0 carries zero tries; 6300 carries none', () => {
    assert.equal(describeStatusWord(0x63c1).triesLeft, 1);
    assert.match(describeStatusWord(0x63c1).meaning, /1 try left/);
    assert.equal(describeStatusWord(0x63c0).triesLeft, 0);
    assert.equal(describeStatusWord(0x6300).triesLeft, undefined);
    assert.equal(describeStatusWord(0x6300).category, 'warning');
  });

  test('6983 is PIN blocked', () => {
    const s = describeStatusWord(0x6983);
    assert.equal(s.category, 'error');
    assert.match(s.meaning, /blocked/i);
    assert.equal(s.triesLeft, undefined);
  });

  test('6985, 6A81, 6A82, 6A83 carry their ISO/EMV meanings', () => {
    assert.deepEqual(describeStatusWord(0x6985), { sw: '6985', category: 'error', meaning: 'conditions of use not satisfied' });
    assert.match(describeStatusWord(0x6a81).meaning, /function not supported/);
    assert.match(describeStatusWord(0x6a82).meaning, /not found/);
    assert.match(describeStatusWord(0x6a83).meaning, /record not found/);
    for (const sw of [0x6a81, 0x6a82, 0x6a83]) assert.equal(describeStatusWord(sw).category, 'error');
  });

  test('61xx: bytes available, 6100 meaning 256', () => {
    assert.equal(describeStatusWord(0x611c).available, 28);
    assert.equal(describeStatusWord(0x611c).category, 'ok');
    assert.equal(describeStatusWord(0x6100).available, 256);
    assert.match(describeStatusWord(0x6100).meaning, /^256 more response bytes/);
  });

  test('6Cxx: wrong Le, resend with xx (00 meaning 256)', () => {
    const s = describeStatusWord(0x6c1c);
    assert.equal(s.category, 'error');
    assert.equal(s.available, 28);
    assert.match(s.meaning, /Le=1C/);
    assert.equal(describeStatusWord(0x6c00).available, 256);
  });

  test('warnings and families without an exact entry', () => {
    assert.equal(describeStatusWord(0x6283).category, 'warning');
    assert.equal(describeStatusWord(0x6710).meaning, 'wrong length');
    assert.equal(describeStatusWord(0x6a99).meaning, 'wrong parameters');
    assert.match(describeStatusWord(0x9f10).meaning, /proprietary/);
    assert.equal(describeStatusWord(0x1234).meaning, 'unknown status word');
  });

  test('every status word is described with its own hex and a known category', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (sw) => {
        const s = describeStatusWord(sw);
        assert.equal(s.sw, sw.toString(16).toUpperCase().padStart(4, '0'));
        assert.ok(['ok', 'warning', 'error'].includes(s.category));
        assert.ok(s.meaning.length > 0);
        const sw1 = sw >> 8;
        const sw2 = sw & 0xff;
        if (sw1 === 0x61 || sw1 === 0x6c) assert.equal(s.available, sw2 === 0 ? 256 : sw2);
        else assert.equal(s.available, undefined);
        if (sw1 === 0x63 && sw2 >> 4 === 0xc) assert.equal(s.triesLeft, sw2 & 0xf);
        else assert.equal(s.triesLeft, undefined);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('statusWord and ResponseApdu', () => {
  test('statusWord joins SW1 and SW2', () => {
    assert.equal(statusWord(0x90, 0x00), 0x9000);
    assert.equal(statusWord(0x6a, 0x82), 0x6a82);
    assert.equal(statusWord(0x163, 0x1c2), 0x63c2);
  });

  test('parse splits data and trailer', () => {
    const r = ResponseApdu.parse(fromHex('9F3602001A9000'));
    assert.equal(toHex(r.data), '9F3602001A');
    assert.equal(r.sw1, 0x90);
    assert.equal(r.sw2, 0x00);
    assert.equal(r.sw, 0x9000);
    assert.equal(r.swHex, '9000');
    assert.equal(r.isOk, true);
    assert.equal(toHex(r.encode()), '9F3602001A9000');
  });

  test('a bare status word has no data; a non-9000 is not ok', () => {
    const r = ResponseApdu.parse(fromHex('63C2'));
    assert.equal(r.data.length, 0);
    assert.equal(r.isOk, false);
    assert.equal(r.status.triesLeft, 2);
    assert.equal(ResponseApdu.parse(fromHex('6A82')).status.meaning, 'file or application not found');
  });

  test('fewer than 2 bytes is RESPONSE_TOO_SHORT', () => {
    for (const hex of ['', '90']) {
      assert.throws(
        () => ResponseApdu.parse(fromHex(hex)),
        (e: unknown) => e instanceof ApduError && e.code === 'RESPONSE_TOO_SHORT' && e.details.length === hex.length / 2,
      );
    }
  });

  test('encode(parse(bytes)) is the identity for 2+ bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 300 }), (b) => {
        const r = ResponseApdu.parse(b);
        assert.equal(r.data.length, b.length - 2);
        assert.equal(toHex(r.encode()), toHex(b));
      }),
    );
  });
});
