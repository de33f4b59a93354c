import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSingleTlv, decodeTlv, encodeLength, encodeTlv, findTlv, tagHex, toTlvInput, type TlvInput, type TlvLimits } from '../../src/apdu/tlv.js';
import { APDU_ERROR_CODES, ApduError, type ApduErrorCode } from '../../src/apdu/errors.js';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { parseAtr } from '../../src/apdu/atr.js';
import { parseDol } from '../../src/apdu/dol.js';
import { lookupTag } from '../../src/apdu/emv-tags.js';

function throwsCode(fn: () => unknown, code: ApduErrorCode, offset: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApduError, `expected ApduError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.details.offset, offset);
    return true;
  });
}
const dec = (hex: string, limits: Partial<TlvLimits> = {}) => decodeTlv(fromHex(hex), limits);

// Visa credit FCI: 6F { 84 DF name, A5 { 50 label, 87 priority, 9F38 PDOL, BF0C { 9F5A } } }.
const VISA_FCI =
  '6F418407A0000000031010A536500B56495341204352454449548701019F38189F66049F02069F03069F1A0295055F2A029A039C019F3704BF0C089F5A053108260826';
// READ RECORD SFI 1 record 1: 70 81 86 { 5A PAN, 5F24, 5F34, 8C CDOL1, 8D CDOL2, 8E CVM list, 9F07, 5F28, 5F20, 57 track 2 }.
const RECORD =
  '7081865A0847617390010101195F24032712315F3401018C219F02069F03069F1A0295055F2A029A039C019F37049F35019F45029F4C089F34038D0C910A8A0295059F37049F4C088E0E000000000000000042031E031F009F0702FF005F280208405F200F43415244484F4C4445522F5649534157134761739001010119D27122011234567899999F';
// GPO response format 2: 77 { 82 AIP, 94 AFL, 9F36 ATC }.
const GPO2 = '771382021980940808010100100103019F36020001';

describe('decodeTlv on real EMV data', () => {
  test('Visa FCI: nested templates, multi-byte tags 9F38 and BF0C', () => {
    const [fci] = dec(VISA_FCI);
    assert.equal(fci.tag, 0x6f);
    assert.equal(fci.constructed, true);
    assert.deepEqual(fci.children.map((n) => tagHex(n.tag)), ['84', 'A5']);
    assert.equal(toHex(fci.children[0].value), 'A0000000031010');
    const a5 = fci.children[1];
    assert.deepEqual(a5.children.map((n) => tagHex(n.tag)), ['50', '87', '9F38', 'BF0C']);
    assert.equal(new TextDecoder().decode(a5.children[0].value), 'VISA CREDIT');
    assert.equal(a5.children[2].value.length, 0x18);
    assert.equal(a5.children[2].offset, 29);
    const bf0c = a5.children[3];
    assert.equal(bf0c.tag, 0xbf0c);
    assert.equal(bf0c.constructed, true);
    assert.equal(toHex(bf0c.children[0].value), '3108260826');
    assert.equal(findTlv([fci], 0x9f5a)?.offset, 59);
  });

  test('READ RECORD template with 81 length: PAN, expiry, CDOL1/CDOL2, track 2', () => {
    const nodes = dec(RECORD);
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0].tag, 0x70);
    assert.equal(nodes[0].value.length, 0x86);
    assert.equal(toHex(findTlv(nodes, 0x5a)!.value), '4761739001010119');
    assert.equal(toHex(findTlv(nodes, 0x5f24)!.value), '271231');
    assert.equal(findTlv(nodes, 0x8c)!.value.length, 0x21);
    assert.equal(toHex(findTlv(nodes, 0x8d)!.value), '910A8A0295059F37049F4C08');
    assert.equal(toHex(findTlv(nodes, 0x57)!.value), '4761739001010119D27122011234567899999F');
    assert.equal(findTlv(nodes, 0x5a)!.offset, 3);
    assert.equal(findTlv(nodes, 0x9f26), undefined);
  });

  test('GPO format 2 response', () => {
    const [t77] = dec(GPO2);
    assert.deepEqual(
      t77.children.map((n) => [tagHex(n.tag), toHex(n.value)]),
      [['82', '1980'], ['94', '0801010010010301'], ['9F36', '0001']],
    );
  });

  test('3-byte tag DF8117 and 4-byte tag', () => {
    assert.equal(dec('DF811701E0')[0].tag, 0xdf8117);
    assert.equal(toHex(dec('DF811701E0')[0].value), 'E0');
    assert.equal(dec('DF81810101AA')[0].tag, 0xdf818101);
  });

  test('long-form lengths 81 and 82', () => {
    const v81 = dec('5A81' + '80' + 'AB'.repeat(128))[0];
    assert.equal(v81.value.length, 128);
    const v82 = dec('9082' + '0100' + 'CD'.repeat(256))[0];
    assert.equal(v82.value.length, 256);
    assert.equal(v82.value[255], 0xcd);
    assert.deepEqual([...encodeLength(127), ...encodeLength(128), ...encodeLength(256)], [0x7f, 0x81, 0x80, 0x82, 0x01, 0x00]);
  });

  test('00 and FF padding before, between and after objects; and inside templates', () => {
    const nodes = dec('00FF5A021234FFFF00' + '9F360200010000');
    assert.deepEqual(nodes.map((n) => [tagHex(n.tag), toHex(n.value), n.offset]), [['5A', '1234', 2], ['9F36', '0001', 9]]);
    assert.deepEqual(dec('7006005A0112FF00')[0].children.map((n) => tagHex(n.tag)), ['5A']);
    throwsCode(() => dec('005A021234', { allowPadding: false }), 'TLV_TRUNCATED', 0);
  });

  test('constructed recursion: a primitive tag keeps its value undecoded', () => {
    const [outer] = dec('E108E106E1045A021234');
    assert.equal(outer.children[0].children[0].children[0].tag, 0x5a);
    const [prim] = dec('5A04E1025A00');
    assert.equal(prim.constructed, false);
    assert.deepEqual(prim.children, []);
  });
});

describe('decodeTlv errors: codes and offsets', () => {
  test('6F1A840E3250: value runs past the input → TLV_TRUNCATED at the object', () => {
    throwsCode(() => dec('6F1A840E3250'), 'TLV_TRUNCATED', 0);
  });

  test('truncated tag, length and long-form length', () => {
    throwsCode(() => dec('9F'), 'TLV_TRUNCATED', 1);
    throwsCode(() => dec('5A0112DF81'), 'TLV_TRUNCATED', 5);
    throwsCode(() => dec('5A'), 'TLV_TRUNCATED', 1);
    throwsCode(() => dec('5A8201'), 'TLV_TRUNCATED', 2);
    throwsCode(() => dec('5A021234' + '9F3602AA'), 'TLV_TRUNCATED', 4);
  });

  test('child overrunning its parent → TLV_OVERLONG at the child', () => {
    throwsCode(() => dec('6F0484050102'), 'TLV_OVERLONG', 2);
    throwsCode(() => dec('70035A039F'), 'TLV_OVERLONG', 2);
    throwsCode(() => dec('7005A5039F3601'), 'TLV_OVERLONG', 4);
  });

  test('declared length above maxLength → TLV_OVERLONG', () => {
    throwsCode(() => dec('5A820100' + '00'.repeat(256), { maxLength: 255 }), 'TLV_OVERLONG', 0);
  });

  test('decodeSingleTlv: one object, trailing bytes → TLV_TRAILING', () => {
    assert.equal(decodeSingleTlv(fromHex(GPO2)).children.length, 3);
    assert.equal(decodeSingleTlv(fromHex('FF5A0212340000')).offset, 1);
    throwsCode(() => decodeSingleTlv(fromHex('5A0212349F3601AA')), 'TLV_TRAILING', 4);
    throwsCode(() => decodeSingleTlv(fromHex('5A021234FF01')), 'TLV_TRAILING', 5);
    throwsCode(() => decodeSingleTlv(fromHex('0000')), 'TLV_TRUNCATED', 2);
  });

  test('indefinite length 80 and over-long length fields → TLV_BAD_LENGTH', () => {
    throwsCode(() => dec('6F80' + '5A0112' + '0000'), 'TLV_BAD_LENGTH', 1);
    throwsCode(() => dec('5A021234' + '9F36840000000100'), 'TLV_BAD_LENGTH', 6);
  });

  test('5-byte tag and non-minimal tag → TLV_BAD_TAG', () => {
    throwsCode(() => dec('DF8181810101AA'), 'TLV_BAD_TAG', 0);
    throwsCode(() => dec('5A0112' + 'DF8181810101AA'), 'TLV_BAD_TAG', 3);
    throwsCode(() => dec('9F800101AA'), 'TLV_BAD_TAG', 0);
  });

  test('nesting deeper than maxDepth → TLV_TOO_DEEP at the too-deep value', () => {
    const nest = (levels: number): TlvInput => (levels === 0 ? { tag: 0x5a, value: Uint8Array.of(1) } : { tag: 0xe1, children: [nest(levels - 1)] });
    const three = encodeTlv([nest(3)]);
    assert.equal(decodeTlv(three, { maxDepth: 3 }).length, 1);
    throwsCode(() => decodeTlv(three, { maxDepth: 2 }), 'TLV_TOO_DEEP', 6);
    assert.equal(decodeTlv(encodeTlv([nest(16)])).length, 1);
    throwsCode(() => decodeTlv(encodeTlv([nest(17)])), 'TLV_TOO_DEEP', 34);
  });
});

/** A tag's bytes: first byte's constructed bit as asked, never 00/FF; multi-byte forms valid per Annex B1. */
function tagArb(constructed: boolean): fc.Arbitrary<number> {
  const first = fc.integer({ min: 0, max: 255 }).filter((b) => ((b & 0x20) !== 0) === constructed && b !== 0x00 && b !== 0xff);
  return first.chain((b) => {
    if ((b & 0x1f) !== 0x1f) return fc.constant(b);
    const parts = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0x81, max: 0xff }), fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0, max: 0x7f }));
    return parts.map(([more, second, third, last]) => (more === 1 ? [last] : more === 2 ? [second, last] : [second, third, last]).reduce((t, x) => t * 256 + x, b));
  });
}

const treeArb = fc.letrec<{ node: TlvInput; nodes: TlvInput[] }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 6 },
    fc
      .tuple(
        tagArb(false),
        fc.oneof({ arbitrary: fc.uint8Array({ maxLength: 8 }), weight: 4 }, { arbitrary: fc.uint8Array({ minLength: 120, maxLength: 300 }), weight: 1 }),
      )
      .map(([tag, value]) => ({ tag, value })),
    fc.tuple(tagArb(true), tie('nodes')).map(([tag, children]) => ({ tag, children })),
  ),
  nodes: fc.array(tie('node'), { maxLength: 4 }) as fc.Arbitrary<TlvInput[]>,
})).nodes;

function checkOnlyApduErrors(fn: () => unknown, length: number): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApduError, `threw ${String(e)}`);
    assert.ok((APDU_ERROR_CODES as readonly string[]).includes(e.code));
    if (e.details.offset !== undefined) assert.ok(typeof e.details.offset === 'number' && e.details.offset >= 0 && e.details.offset <= length);
  }
}

describe('TLV properties', () => {
  test('decode(encode(tree)) gives the tree back, and re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(treeArb, (trees) => {
        const bytes = encodeTlv(trees);
        const decoded = decodeTlv(bytes, { maxDepth: 64, maxLength: 0xffffff });
        assert.deepStrictEqual(toTlvInput(decoded), trees);
        assert.equal(toHex(encodeTlv(toTlvInput(decoded))), toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  test('random bytes: decodeTlv / decodeSingleTlv throw only ApduError, never hang', { timeout: 20000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (b, pad) => {
        checkOnlyApduErrors(() => decodeTlv(b, { allowPadding: pad }), b.length);
        checkOnlyApduErrors(() => decodeSingleTlv(b, { allowPadding: pad }), b.length);
      }),
      { numRuns: 3000 },
    );
  });

  test('random bytes: parseAtr and parseDol throw only ApduError, never hang', { timeout: 20000 }, () => {
    const atrLike = fc.tuple(fc.constantFrom(0x3b, 0x3f), fc.uint8Array({ maxLength: 40 })).map(([ts, rest]) => Uint8Array.of(ts, ...rest));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), atrLike), (b) => {
        checkOnlyApduErrors(() => parseAtr(b), b.length);
        checkOnlyApduErrors(() => parseDol(b), b.length);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('ATR and tag dictionary', () => {
  test('parseAtr of a T=0 EMV card with compact-TLV historical bytes', () => {
    const atr = parseAtr(fromHex('3B6800000073C84013009000'));
    assert.deepEqual(atr.protocols, ['T=0']);
    assert.deepEqual(atr.interfaceBytes, { TB1: '00', TC1: '00' });
    assert.equal(atr.historicalBytes, '0073C84013009000');
    assert.deepEqual(atr.historical.objects, [{ tag: 7, name: 'card capabilities', value: 'C84013' }]);
    assert.equal(atr.historical.status, '009000');
    assert.equal(atr.tckValid, null);
    assert.throws(() => parseAtr(fromHex('3B68000000')), (e: unknown) => e instanceof ApduError && e.code === 'ATR_TRUNCATED');
  });

  test('lookupTag by number and by hex', () => {
    assert.equal(lookupTag(0x5a)?.sensitive, true);
    assert.equal(lookupTag('9f26')?.name, 'Application Cryptogram');
    assert.equal(lookupTag(0xbf0c)?.template, true);
    assert.equal(lookupTag(0xabcdef), undefined);
  });
});
