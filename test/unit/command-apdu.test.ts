import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandApdu, type CommandApduFields } from '../../src/apdu/command-apdu.js';
import { ApduError, type ApduErrorCode } from '../../src/apdu/errors.js';
import { fromHex, toHex } from '../../src/apdu/hex.js';

function throwsCode(fn: () => unknown, code: ApduErrorCode, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApduError, `expected ApduError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (offset !== undefined) assert.equal(e.details.offset, offset);
    return true;
  });
}

const hdr = { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00 };
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('CommandApdu encode: ISO 7816-4 cases, short form', () => {
  test('case 1: header only', () => {
    const c = new CommandApdu(hdr);
    assert.equal(c.toHex(), '00A40400');
    assert.equal(c.apduCase, 1);
    assert.equal(c.isExtended, false);
  });

  test('case 2: Le byte; Ne 256 is encoded as 00', () => {
    assert.equal(new CommandApdu({ ...hdr, ne: 0x1c }).toHex(), '00A404001C');
    const c = new CommandApdu({ ...hdr, ne: 256 });
    assert.equal(c.toHex(), '00A4040000');
    assert.equal(c.apduCase, 2);
    assert.equal(c.isExtended, false);
  });

  test('case 3: Lc and data, no Le', () => {
    const c = new CommandApdu({ ...hdr, data: fromHex('A0000000031010') });
    assert.equal(c.toHex(), '00A4040007A0000000031010');
    assert.equal(c.apduCase, 3);
  });

  test('case 4: Lc, data and Le; 255 data bytes still short', () => {
    assert.equal(new CommandApdu({ ...hdr, data: fromHex('0102'), ne: 5 }).toHex(), '00A40400020102' + '05');
    const c = new CommandApdu({ ...hdr, data: bytes(255), ne: 256 });
    assert.equal(c.apduCase, 4);
    assert.equal(c.isExtended, false);
    assert.equal(c.toHex(), '00A40400FF' + toHex(bytes(255)) + '00');
  });
});

describe('CommandApdu encode: extended form', () => {
  test('case 2E: Le is 00 HH LL; 65536 is 000000', () => {
    assert.equal(new CommandApdu({ ...hdr, ne: 257 }).toHex(), '00A40400000101');
    assert.equal(new CommandApdu({ ...hdr, ne: 65536 }).toHex(), '00A40400000000');
    assert.equal(new CommandApdu({ ...hdr, ne: 65536 }).isExtended, true);
  });

  test('case 3E: 256 data bytes give Lc 000100', () => {
    const c = new CommandApdu({ ...hdr, data: bytes(256) });
    assert.equal(c.toHex(), '00A40400000100' + toHex(bytes(256)));
    assert.equal(c.apduCase, 3);
  });

  test('case 4E: 300 data bytes and Ne 65536 give Lc 00012C and Le 0000', () => {
    const c = new CommandApdu({ ...hdr, data: bytes(300), ne: 65536 });
    assert.equal(c.toHex(), '00A4040000012C' + toHex(bytes(300)) + '0000');
    assert.equal(c.encode().length, 4 + 3 + 300 + 2);
  });

  test('case 4E forced by Ne alone: 10 data bytes with Ne 1000; and Ne 256 with long data is Le 0100', () => {
    assert.equal(new CommandApdu({ ...hdr, data: bytes(10), ne: 1000 }).toHex(), '00A4040000000A' + toHex(bytes(10)) + '03E8');
    assert.equal(new CommandApdu({ ...hdr, data: bytes(300), ne: 256 }).toHex(), '00A4040000012C' + toHex(bytes(300)) + '0100');
  });
});

describe('CommandApdu named builders (EMV Book 3 §6.5)', () => {
  test('SELECT PSE by name, first and next occurrence', () => {
    const pse = new TextEncoder().encode('1PAY.SYS.DDF01');
    assert.equal(CommandApdu.select(pse).toHex(), '00A404000E315041592E5359532E444446303100');
    assert.equal(CommandApdu.select(fromHex('A0000000031010'), 'next').toHex(), '00A4040207A000000003101000');
  });

  test('READ RECORD puts the record in P1 and SFI<<3|4 in P2', () => {
    assert.equal(CommandApdu.readRecord(1, 1).toHex(), '00B2010C00');
    assert.equal(CommandApdu.readRecord(2, 3).toHex(), '00B2031400');
    assert.equal(CommandApdu.readRecord(30, 254).toHex(), '00B2FEF400');
  });

  test('GET PROCESSING OPTIONS wraps PDOL data in tag 83', () => {
    assert.equal(CommandApdu.getProcessingOptions().toHex(), '80A8000002830000');
    assert.equal(CommandApdu.getProcessingOptions(fromHex('0826')).toHex(), '80A80000048302082600');
  });

  test('GET PROCESSING OPTIONS uses the BER long form for PDOL data of 128 bytes or more', () => {
    const c = CommandApdu.getProcessingOptions(bytes(200));
    assert.equal(c.toHex(), '80A80000CB' + '8381C8' + toHex(bytes(200)) + '00');
    assert.equal(CommandApdu.getProcessingOptions(bytes(127)).toHex().slice(8, 14), '81837F');
    assert.equal(CommandApdu.getProcessingOptions(bytes(252)).encode()[4], 255);
    throwsCode(() => CommandApdu.getProcessingOptions(bytes(253)), 'APDU_INVALID');
  });

  test('GENERATE AC: cryptogram type in P1 bits 8-7, CDA in bit 5', () => {
    const cdol = fromHex('000000001000');
    assert.equal(CommandApdu.generateAc('AAC', cdol).toHex(), '80AE000006000000001000' + '00');
    assert.equal(CommandApdu.generateAc('TC', cdol).p1, 0x40);
    assert.equal(CommandApdu.generateAc('ARQC', cdol).p1, 0x80);
    assert.equal(CommandApdu.generateAc('ARQC', cdol, true).p1, 0x90);
    assert.equal(CommandApdu.generateAc('TC', cdol, true).toHex().slice(0, 8), '80AE5000');
  });

  test('VERIFY plaintext PIN is case 3 with P2 80', () => {
    const c = CommandApdu.verify(0x80, fromHex('241234FFFFFFFFFF'));
    assert.equal(c.toHex(), '0020008008241234FFFFFFFFFF');
    assert.equal(c.apduCase, 3);
  });

  test('GET DATA, GET RESPONSE, GET CHALLENGE', () => {
    assert.equal(CommandApdu.getData(0x9f17).toHex(), '80CA9F1700');
    assert.equal(CommandApdu.getData(0x9f36).toHex(), '80CA9F3600');
    assert.equal(CommandApdu.getResponse(0x1c).toHex(), '00C000001C');
    assert.equal(CommandApdu.getResponse(256).toHex(), '00C0000000');
    assert.equal(CommandApdu.getChallenge().toHex(), '0084000000');
    throwsCode(() => CommandApdu.getData(0x10000), 'APDU_INVALID');
  });

  test('INTERNAL AUTHENTICATE is case 4, EXTERNAL AUTHENTICATE case 3', () => {
    assert.equal(CommandApdu.internalAuthenticate(fromHex('DEADBEEF')).toHex(), '0088000004DEADBEEF00');
    assert.equal(CommandApdu.externalAuthenticate(fromHex('11223344556677883030')).toHex(), '008200000A11223344556677883030');
  });

  test('builders reject out-of-range arguments', () => {
    throwsCode(() => CommandApdu.select(new Uint8Array(0)), 'APDU_INVALID');
    throwsCode(() => CommandApdu.select(bytes(17)), 'APDU_INVALID');
    for (const [sfi, rec] of [[0, 1], [31, 1], [1, 0], [1, 255], [1.5, 1]]) {
      throwsCode(() => CommandApdu.readRecord(sfi, rec), 'APDU_INVALID');
    }
  });

  test('describe names the instruction; withNe changes only Ne', () => {
    assert.equal(CommandApdu.readRecord(1, 1).describe(), 'READ RECORD 00B2010C');
    assert.equal(new CommandApdu({ cla: 0x80, ins: 0x50, p1: 0, p2: 0 }).describe(), 'INS 50 80500000');
    const c = CommandApdu.readRecord(1, 1).withNe(0x1c);
    assert.equal(c.toHex(), '00B2010C1C');
  });
});

describe('CommandApdu.parse', () => {
  const cases: Array<[string, Partial<CommandApduFields> & { dataHex: string }]> = [
    ['00A40400', { ne: 0, dataHex: '' }],
    ['00A4040000', { ne: 256, dataHex: '' }],
    ['00A404001C', { ne: 28, dataHex: '' }],
    ['00A4040002A0B1', { ne: 0, dataHex: 'A0B1' }],
    ['00A4040002A0B100', { ne: 256, dataHex: 'A0B1' }],
    ['00A40400000101', { ne: 257, dataHex: '' }],
    ['00A40400000000', { ne: 65536, dataHex: '' }],
    ['00A40400000002A0B1', { ne: 0, dataHex: 'A0B1' }],
    ['00A40400000002A0B10000', { ne: 65536, dataHex: 'A0B1' }],
    ['00A40400000002A0B10102', { ne: 258, dataHex: 'A0B1' }],
  ];
  for (const [hex, want] of cases) {
    test(`parses ${hex}`, () => {
      const c = CommandApdu.parse(fromHex(hex));
      assert.deepEqual([c.cla, c.ins, c.p1, c.p2], [0x00, 0xa4, 0x04, 0x00]);
      assert.equal(c.ne, want.ne);
      assert.equal(toHex(c.data), want.dataHex);
    });
  }

  test('rejects inconsistent lengths with APDU_MALFORMED and an offset', () => {
    throwsCode(() => CommandApdu.parse(fromHex('00A404')), 'APDU_MALFORMED', 3);
    throwsCode(() => CommandApdu.parse(fromHex('00A4040003A0B1')), 'APDU_MALFORMED', 4);
    throwsCode(() => CommandApdu.parse(fromHex('00A4040002A0B10000')), 'APDU_MALFORMED', 4);
    throwsCode(() => CommandApdu.parse(fromHex('00A404000001')), 'APDU_MALFORMED', 6);
    throwsCode(() => CommandApdu.parse(fromHex('00A40400000000AA')), 'APDU_MALFORMED', 5);
    throwsCode(() => CommandApdu.parse(fromHex('00A40400000003A0B1')), 'APDU_MALFORMED', 5);
  });

  test('constructor rejects fields out of range with APDU_INVALID naming the field', () => {
    const bad: Array<[Partial<CommandApduFields>, string]> = [
      [{ cla: 256 }, 'cla'], [{ ins: -1 }, 'ins'], [{ p1: 1.5 }, 'p1'], [{ p2: Number.NaN }, 'p2'],
      [{ ne: 65537 }, 'ne'], [{ ne: -1 }, 'ne'], [{ data: new Uint8Array(65536) }, 'data'],
    ];
    for (const [patch, field] of bad) {
      assert.throws(() => new CommandApdu({ ...hdr, ...patch }), (e: unknown) => e instanceof ApduError && e.code === 'APDU_INVALID' && e.details.field === field);
    }
  });
});

describe('CommandApdu properties', () => {
  const fields = fc.record({
    cla: fc.integer({ min: 0, max: 255 }),
    ins: fc.integer({ min: 0, max: 255 }),
    p1: fc.integer({ min: 0, max: 255 }),
    p2: fc.integer({ min: 0, max: 255 }),
    data: fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 250, maxLength: 600 })),
    ne: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 257, max: 65536 }), fc.constantFrom(256, 257, 65535, 65536)),
  });

  test('parse(encode(fields)) gives the same fields back', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const c = CommandApdu.parse(new CommandApdu(f).encode());
        assert.deepEqual([c.cla, c.ins, c.p1, c.p2, c.ne, toHex(c.data)], [f.cla, f.ins, f.p1, f.p2, f.ne, toHex(f.data)]);
      }),
    );
  });

  test('encoded length follows the case and form', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const c = new CommandApdu(f);
        const nc = f.data.length;
        const ext = nc > 255 || f.ne > 256;
        const lcLen = nc === 0 ? 0 : ext ? 3 : 1;
        const leLen = f.ne === 0 ? 0 : !ext ? 1 : nc > 0 ? 2 : 3;
        assert.equal(c.isExtended, ext);
        assert.equal(c.encode().length, 4 + lcLen + nc + leLen);
      }),
    );
  });
});
