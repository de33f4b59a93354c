import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { luhnValid, maskDigitRuns, maskPan, maskTlvHex, redactString, redactValue } from '../../src/log/redact.js';
import { ApduError } from '../../src/apdu/errors.js';

const PAN = '4761739001010119';
const MASKED = '476173******0119';
// READ RECORD template: 5A PAN, 5F24 expiry, 8C/8D CDOLs, ..., 57 track 2 equivalent data.
const RECORD =
  '7081865A0847617390010101195F24032712315F3401018C219F02069F03069F1A0295055F2A029A039C019F37049F35019F45029F4C089F34038D0C910A8A0295059F37049F4C088E0E000000000000000042031E031F009F0702FF005F280208405F200F43415244484F4C4445522F5649534157134761739001010119D27122011234567899999F';

/** No Luhn-valid run of 13-19 digits starting like the test PAN survives. */
function assertNoPan(text: string): void {
  assert.ok(!text.includes(PAN), `PAN in ${text}`);
  assert.ok(!text.includes('476173900101'), `first 12 digits in ${text}`);
  assert.ok(!text.includes('9001010119'), `last 10 digits in ${text}`);
}

describe('luhnValid and maskPan', () => {
  test('Luhn check (ISO/IEC 7812-1 Annex B)', () => {
    assert.equal(luhnValid(PAN), true);
    assert.equal(luhnValid('79927398713'), true);
    assert.equal(luhnValid('4761739001010118'), false);
    assert.equal(luhnValid('79927398710'), false);
    assert.equal(luhnValid(''), false);
    assert.equal(luhnValid('4761 7390 0101 0119'), false);
    assert.equal(luhnValid('47617390010101l9'), false);
  });

  test('property: exactly one check digit 0-9 makes a number Luhn-valid', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,18}$/), (body) => {
        const valid = '0123456789'.split('').filter((d) => luhnValid(body + d));
        assert.equal(valid.length, 1);
      }),
    );
  });

  test('maskPan keeps first six and last four digits', () => {
    assert.equal(maskPan(PAN), MASKED);
    assert.equal(maskPan('4761-7390-0101-0119'), MASKED);
    assert.equal(maskPan('4761739001010119123'), '476173*********9123');
    assert.equal(maskPan('4761739001013'), '476173***1013');
    assert.equal(maskPan('476173900101'), '************');
    assert.equal(maskPan(''), '');
  });
});

describe('maskDigitRuns', () => {
  test('Luhn-valid runs in text are masked, alone or grouped by four', () => {
    assert.equal(maskDigitRuns(`card ${PAN} ok`), `card ${MASKED} ok`);
    assert.equal(maskDigitRuns('card 4761 7390 0101 0119 ok'), `card ${MASKED} ok`);
    assert.equal(maskDigitRuns('4761-7390-0101-0119'), MASKED);
    assert.equal(maskDigitRuns(`a=${PAN},b=5413330089020011`), `a=${MASKED},b=541333******0011`);
  });

  test('non-Luhn, too short and too long runs are untouched', () => {
    for (const text of ['order 4761739001010118', 'ref 476173900101', 'id 47617390010101190000', 'amount 000000001000']) {
      assert.equal(maskDigitRuns(text), text);
    }
  });

  test('property: any Luhn-valid 16-digit number in text is masked', () => {
    const pan = fc.stringMatching(/^[1-9][0-9]{14}$/).map((body) => body + '0123456789'.split('').find((d) => luhnValid(body + d)));
    fc.assert(
      fc.property(pan, fc.constantFrom(' ', 'x', '=', ':'), (p, sep) => {
        const out = maskDigitRuns(`pan${sep}${p}${sep}end`);
        assert.ok(!out.includes(p));
        assert.ok(out.includes(p.slice(0, 6) + '******' + p.slice(-4)));
      }),
    );
  });
});

describe('maskTlvHex', () => {
  test('a READ RECORD hex keeps its structure but no PAN, in 5A nor in 57', () => {
    const out = maskTlvHex(RECORD);
    assertNoPan(out);
    assert.equal(out.length, RECORD.length);
    assert.ok(out.includes('5A08' + MASKED));
    assert.ok(out.includes('5713' + MASKED + '*'.repeat(22)));
    assert.ok(out.startsWith('7081865A08'));
    assert.ok(out.includes('5F2403271231'));
    assert.ok(out.includes('8C219F02069F03069F1A02'));
  });

  test('also lowercase hex, 9F6B track 2, and a 19-digit PAN padded with F', () => {
    assertNoPan(maskTlvHex(RECORD.toLowerCase()));
    const out = maskTlvHex('9F6B134761739001010119D27122011234567899999F9000');
    assertNoPan(out);
    assert.ok(out.endsWith('9000'));
    assert.equal(maskTlvHex('5A0A4761739001010119123F9000'), '5A0A476173*********9123*9000');
  });

  test('hex that only looks like a 5A or 57 object is left alone', () => {
    for (const hex of ['5A08476173900101AB9000AAAA', '57134761739001010119E271220112345678', '5A02123490009F360200019000']) {
      assert.equal(maskTlvHex(hex), hex);
    }
  });

  test('redactString masks digit runs and hex in one log line', () => {
    const out = redactString(`rx 00B2010C00 -> ${RECORD}9000 (pan ${PAN}, spaced 4761 7390 0101 0119)`);
    assertNoPan(out);
    assert.ok(out.startsWith('rx 00B2010C00 -> 708186'));
  });
});

describe('redactValue', () => {
  test('by key: PAN keys masked, secret keys replaced by [REDACTED]', () => {
    const out = redactValue({
      pan: PAN,
      PAN: Number(PAN),
      '5A': PAN,
      cardNumber: '4761 7390 0101 0119',
      pinBlock: '241234FFFFFFFFFF',
      track2: `${PAN}D27122011234567899999F`,
      '57': 'anything',
      cvv: 123,
      pin: null,
      amount: 1000,
    });
    assert.deepEqual(out, {
      pan: MASKED,
      PAN: MASKED,
      '5A': MASKED,
      cardNumber: MASKED,
      pinBlock: '[REDACTED]',
      track2: '[REDACTED]',
      '57': '[REDACTED]',
      cvv: '[REDACTED]',
      pin: null,
      amount: 1000,
    });
  });

  test('by content: strings in nested objects and arrays, without touching the input', () => {
    const input = { apdu: { rx: [RECORD, { note: `card ${PAN}` }], tx: '00B2010C00' }, bytes: new Uint8Array(8) };
    const out = redactValue(input);
    assertNoPan(JSON.stringify(out));
    assert.deepEqual((out as { apdu: { rx: unknown[]; tx: string } }).apdu.rx[1], { note: `card ${MASKED}` });
    assert.equal((out as { apdu: { tx: string } }).apdu.tx, '00B2010C00');
    assert.equal((out as { bytes: string }).bytes, '[8 bytes]');
    assert.equal(input.apdu.rx[0], RECORD);
  });

  test('errors keep name and code, with PANs masked in message and details', () => {
    const err = new ApduError('TLV_TRUNCATED', `bad record for ${PAN}`, { offset: 3, pan: PAN, hex: RECORD });
    const out = redactValue(err) as Record<string, unknown>;
    assert.equal(out.name, 'ApduError');
    assert.equal(out.code, 'TLV_TRUNCATED');
    assert.equal(out.message, `bad record for ${MASKED}`);
    assert.deepEqual((out.details as Record<string, unknown>).offset, 3);
    assertNoPan(JSON.stringify(out));
  });

  test('deeply nested card data does not leak, and cycles end', () => {
    let deep: Record<string, unknown> = { pan: PAN, text: `pan ${PAN}`, track2: 'x' };
    for (let i = 0; i < 12; i++) deep = { level: i, inner: i % 2 === 0 ? deep : [deep] };
    assertNoPan(JSON.stringify(redactValue(deep)));
    assert.ok(!JSON.stringify(redactValue(deep)).includes('"track2":"x"'));
    const cyclic: Record<string, unknown> = { pan: PAN };
    cyclic.self = cyclic;
    assertNoPan(JSON.stringify(redactValue(cyclic)));
  });
});

test('hex with separators between bytes is masked too, and left alone when it holds no card data', () => {
  assert.equal(redactString('resp 70 10 5A 08 47 61 73 90 01 01 01 19 5F 24 03 27 12 31 end'), 'resp 70105A08476173******01195F2403271231 end');
  assert.equal(redactString('57:13:47:61:73:90:01:01:01:19:D2:71:22:01:12:34:56:78:90:12:3F'), '5713476173******0119**********************');
  assert.equal(redactString('cmd 00 A4 04 00 07 A0 00 00 00 03 10 10'), 'cmd 00 A4 04 00 07 A0 00 00 00 03 10 10');
});

test('a card number held as a number under any key is masked', () => {
  assert.deepEqual(redactValue({ card: 4761739001010119, small: 12345, id: 1234567890123 }), { card: '476173******0119', small: 12345, id: 1234567890123 });
});

test('track 1 (56) and the track discretionary data (9F1F, 9F20) are masked whole', () => {
  const t1 = Buffer.from('B4761739001010119^TEST/CARD^2712201').toString('hex').toUpperCase();
  const hex = `7040 56${(t1.length / 2).toString(16).toUpperCase()}${t1}9F1F0431323334`.replace(' ', '');
  const out = redactString(hex);
  assert.ok(!out.includes('34373631373339303031303130313139'), 'the PAN in ASCII is gone');
  assert.ok(out.startsWith('704056'));
  assert.ok(out.endsWith('9F1F04********'));
});
