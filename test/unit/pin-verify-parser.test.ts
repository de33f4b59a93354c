// The reader-side PIN_VERIFY_STRUCTURE parser (src/sim/pinpad/pin-verify-parser.ts): round trips with the terminal-side
// builder, the PIN written per bmFormatString / bmPINBlockString / bmPINLengthFormat (checked against the EMV Book 3
// §6.5.12.2 format 2 block made independently by plaintextPinBlock), hostile structures, and the emulated reader's
// answers (6B80 for what the parser refuses, without ever asking the keypad).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { buildVerifyPinDirect } from '../../src/drivers/pinpad/pcsc-part10.js';
import { getFeatureRequestCode, parseFeatures } from '../../src/drivers/pinpad/pcsc-part10-features.js';
import { ReaderPinPadError } from '../../src/drivers/pinpad/reader-pin-pad-errors.js';
import { parsePinVerifyStructure, pinApdu } from '../../src/sim/pinpad/pin-verify-parser.js';
import { ReaderPinPadEmulator } from '../../src/sim/pinpad/reader-pin-pad-emulator.js';
import { plaintextPinBlock } from '../../src/sim/pinpad/sim-pin-entry.js';

const digits = (s: string): number[] => Array.from(s, Number);

function rejects(bytes: Uint8Array, why: RegExp): void {
  assert.throws(
    () => parsePinVerifyStructure(bytes),
    (err: unknown) => err instanceof ReaderPinPadError && err.code === 'PIN_VERIFY_STRUCTURE_INVALID' && why.test(err.message),
  );
}

/** The builder's default structure with byte `i` set to `v`. */
function withByte(i: number, v: number, base = buildVerifyPinDirect()): Uint8Array {
  const b = base.slice();
  b[i] = v;
  return b;
}

describe('PIN_VERIFY_STRUCTURE parser: round trip with the builder', () => {
  test('every field the builder wrote comes back', () => {
    const s = parsePinVerifyStructure(buildVerifyPinDirect({ timeoutS: 20, timeout2S: 5, minDigits: 4, maxDigits: 8, langId: 0x040c, messageIndex: 2, messageCount: 0xff }));
    assert.deepEqual(
      { ...s, apdu: toHex(s.apdu) },
      {
        timeoutS: 20,
        timeout2S: 5,
        encoding: 'bcd',
        justify: 'left',
        pinOffsetBits: 8,
        blockBytes: 8,
        lengthFieldBits: 4,
        lengthOffsetBits: 4,
        minDigits: 4,
        maxDigits: 8,
        validation: 0x02,
        messageCount: 0xff,
        langId: 0x040c,
        messageIndex: 2,
        apdu: '00200080082' + '0FFFFFFFFFFFFFF',
      },
    );
  });

  for (const pin of ['1234', '0000', '98765', '123456789012']) {
    test(`PIN of ${pin.length} digits → EMV VERIFY with the format 2 block 2N PIN F…`, () => {
      const apdu = pinApdu(parsePinVerifyStructure(buildVerifyPinDirect()), digits(pin));
      assert.equal(toHex(apdu), `0020008008${toHex(plaintextPinBlock(pin))}`);
    });
  }

  test('4-digit example: 00 20 00 80 08 24 12 34 FF FF FF FF FF', () => {
    assert.equal(toHex(pinApdu(parsePinVerifyStructure(buildVerifyPinDirect()), digits('1234'))), '0020008008241234FFFFFFFFFF');
  });
});

describe('PIN_VERIFY_STRUCTURE parser: other formats', () => {
  // Header: timeouts 00 00, format, block, length format, max, min, validation 02, messages 01, lang 0904, idx 00,
  // prologue 000000, ulDataLength (LE), APDU.
  const struct = (format: string, block: string, lengthFormat: string, max: number, min: number, apdu: string): Uint8Array => {
    const a = fromHex(apdu);
    const len = a.length.toString(16).padStart(2, '0');
    return fromHex(`0000${format}${block}${lengthFormat}${max.toString(16).padStart(2, '0')}${min.toString(16).padStart(2, '0')}0201090400000000${len}000000${apdu}`);
  };

  test('ASCII, left-justified, no length field (a PKCS#15-style VERIFY with FF padding)', () => {
    const s = parsePinVerifyStructure(struct('82', '08', '00', 8, 4, '0020000108FFFFFFFFFFFFFFFF'));
    assert.equal(toHex(pinApdu(s, digits('1234'))), '002000010831323334FFFFFFFF');
  });

  test('ASCII, right-justified', () => {
    const s = parsePinVerifyStructure(struct('86', '08', '00', 8, 4, '0020000108FFFFFFFFFFFFFFFF'));
    assert.equal(toHex(pinApdu(s, digits('123456'))), '0020000108FFFF313233343536');
  });

  test('binary digits after a one-byte length field counted in bytes', () => {
    const s = parsePinVerifyStructure(struct('88', '87', '10', 6, 4, '002000000700000000000000'));
    assert.equal(toHex(pinApdu(s, digits('9071'))), '002000000704090007010000');
  });

  test('BCD with the PIN offset counted in bits', () => {
    // bmFormatString 0x21: bit units, offset 4 bits, left, BCD; no length field.
    const s = parsePinVerifyStructure(struct('21', '04', '00', 6, 4, '0020000004F0000000'));
    assert.equal(toHex(pinApdu(s, digits('1234'))), '0020000004F1234000');
  });
});

describe('PIN_VERIFY_STRUCTURE parser: hostile structures', () => {
  const good = buildVerifyPinDirect();

  test('truncated, empty, one byte short of the header', () => {
    rejects(new Uint8Array(0), /shorter/);
    rejects(good.subarray(0, 23), /shorter/);
  });

  test('ulDataLength one more, one less, or 2^32-1', () => {
    const dv = (v: number): Uint8Array => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(15, v, true);
      return b;
    };
    rejects(dv(14), /ulDataLength/);
    rejects(dv(12), /ulDataLength/);
    rejects(dv(0xffffffff), /ulDataLength/);
    rejects(good.subarray(0, good.length - 1), /ulDataLength/);
  });

  test('Lc 0, or Lc disagreeing with the APDU length', () => {
    rejects(withByte(19 + 4, 0), /case 3/);
    rejects(withByte(19 + 4, 9), /case 3/);
  });

  test('abData longer than a short APDU', () => {
    const big = new Uint8Array(19 + 300);
    big.set(good.subarray(0, 15));
    new DataView(big.buffer).setUint32(15, 300, true);
    rejects(big, /short APDU/);
  });

  test('reserved PIN type, empty or oversized PIN block, RFU length-format bits', () => {
    rejects(withByte(2, 0x8b), /reserved/);
    rejects(withByte(3, 0x40), /PIN block is empty/);
    rejects(withByte(3, 0x49), /larger than the APDU data/);
    rejects(withByte(4, 0x24), /RFU/);
  });

  test('length field outside the block, or too narrow for the longest PIN', () => {
    rejects(withByte(4, 0x1f), /length field does not fit/);
    rejects(withByte(3, 0x38, buildVerifyPinDirect({ maxDigits: 8 })), /too small/);
  });

  test('min 0, min above max, a longest PIN past the block', () => {
    rejects(withByte(6, 0), /min/);
    rejects(withByte(6, 9, buildVerifyPinDirect({ maxDigits: 8 })), /min/);
    rejects(withByte(5, 15), /does not fit/);
  });

  test('validation condition 00 or with RFU bits; bNumberMessage 4', () => {
    rejects(withByte(7, 0), /bEntryValidationCondition/);
    rejects(withByte(7, 0x0a), /bEntryValidationCondition/);
    rejects(withByte(8, 4), /bNumberMessage/);
  });

  test('every value of every header byte either parses or fails PIN_VERIFY_STRUCTURE_INVALID, never anything else', () => {
    for (let i = 0; i < 19; i++) {
      for (let v = 0; v < 256; v++) {
        try {
          parsePinVerifyStructure(withByte(i, v));
        } catch (err) {
          assert.ok(err instanceof ReaderPinPadError && err.code === 'PIN_VERIFY_STRUCTURE_INVALID', `byte ${i} = ${v}: ${String(err)}`);
        }
      }
    }
  });

  test('pinApdu refuses non-digits and PINs longer than the block', () => {
    const s = parsePinVerifyStructure(good);
    assert.throws(() => pinApdu(s, [1, 2, 3, 10]), ReaderPinPadError);
    assert.throws(() => pinApdu(s, digits('1234567890123456')), ReaderPinPadError);
  });
});

describe('emulated class-3 reader: control codes', () => {
  async function control(pad: ReaderPinPadEmulator, c: number, data: Uint8Array = new Uint8Array(0), send: (a: Uint8Array) => Promise<Uint8Array> = async () => fromHex('9000')): Promise<Uint8Array | null> {
    return pad.control(c, data, send);
  }

  test('announces VERIFY_PIN_DIRECT, START/FINISH, ABORT and IFD_PIN_PROPERTIES; a reader without START/FINISH does not', async () => {
    const all = parseFeatures((await control(new ReaderPinPadEmulator(async () => null), getFeatureRequestCode())) ?? new Uint8Array(0));
    assert.deepEqual([...all.keys()].sort(), ['ABORT', 'IFD_PIN_PROPERTIES', 'VERIFY_PIN_DIRECT', 'VERIFY_PIN_FINISH', 'VERIFY_PIN_START']);
    const direct = parseFeatures((await control(new ReaderPinPadEmulator(async () => null, { startFinish: false, abort: false }), getFeatureRequestCode())) ?? new Uint8Array(0));
    assert.deepEqual([...direct.keys()].sort(), ['IFD_PIN_PROPERTIES', 'VERIFY_PIN_DIRECT']);
  });

  test('a hostile structure is answered 6B80 and the keypad is never asked; unknown codes are null', async () => {
    let asked = 0;
    const pad = new ReaderPinPadEmulator(async () => (asked++, '1234'));
    const f = parseFeatures((await control(pad, getFeatureRequestCode())) ?? new Uint8Array(0));
    const direct = f.get('VERIFY_PIN_DIRECT') ?? -1;
    for (const bad of [new Uint8Array(0), withByte(2, 0x8b), withByte(7, 0), buildVerifyPinDirect().subarray(0, 30)]) {
      assert.equal(toHex((await control(pad, direct, bad)) ?? new Uint8Array(0)), '6B80');
      assert.ok(pad.rejected instanceof ReaderPinPadError);
    }
    assert.equal(asked, 0);
    assert.equal(await control(pad, 0x42000001), null);
    assert.equal(toHex((await control(pad, f.get('IFD_PIN_PROPERTIES') ?? -1)) ?? new Uint8Array(0)), '00000700');
  });

  test('the digits go into the APDU sent to the card; a PIN outside min/max is 6403 without a card command', async () => {
    const sent: string[] = [];
    const send = async (a: Uint8Array): Promise<Uint8Array> => (sent.push(toHex(a)), fromHex('63C2'));
    const pins = ['4321', '123'];
    const pad = new ReaderPinPadEmulator(async () => pins.shift() ?? null);
    const direct = parseFeatures((await control(pad, getFeatureRequestCode())) ?? new Uint8Array(0)).get('VERIFY_PIN_DIRECT') ?? -1;
    assert.equal(toHex((await control(pad, direct, buildVerifyPinDirect(), send)) ?? new Uint8Array(0)), '63C2');
    assert.equal(toHex((await control(pad, direct, buildVerifyPinDirect(), send)) ?? new Uint8Array(0)), '6403');
    assert.deepEqual(sent, ['0020008008244321FFFFFFFFFF']);
  });
});
