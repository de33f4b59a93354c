// Magnetic stripe (HID) driver: MagTek-style reports, ISO/IEC 7813 tracks, masking, the simulated reader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { TrackError, TRACK_ERROR_CODES } from '../../src/cards/errors.js';
import { HidError, HID_ERROR_CODES } from '../../src/drivers/hid/errors.js';
import { buildMagtekReport, parseMagtekReport, MAGTEK_REPORT_LENGTH } from '../../src/drivers/hid/magtek-report.js';
import { parseSwipe, trackLrc } from '../../src/cards/tracks.js';
import { interpretServiceCode, swipeAllowed } from '../../src/cards/service-code.js';
import { buildTrack1, buildTrack2, TEST_CARDS } from '../../src/sim/stripe/test-cards.js';
import { swipeFromReport } from '../../src/drivers/hid/hid-stripe-reader.js';
import { SensitiveTrack } from '../../src/cards/sensitive-track.js';

const VISA = TEST_CARDS.visaChip;
const MC = TEST_CARDS.mastercardStripe;

/** `fn` throws the reader's HidError or the track parser's TrackError with `code`. */
function hidCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => (err instanceof HidError || err instanceof TrackError) && err.code === code);
}

// A report written out byte by byte per the documented layout, not via buildMagtekReport.
function recordedStyleReport(): Uint8Array {
  const t1 = '%B5413330089600010^TEST/CARD^2712101000000000000?';
  const t2 = ';5413330089600010=271210100000000000?';
  const r = new Uint8Array(337);
  r.set([0x00, 0x00, 0x00], 0); // decode status, tracks 1..3
  r.set([t1.length, t2.length, 0], 3); // lengths
  r[6] = 0x00; // ISO/ABA
  r.set(Buffer.from(t1, 'ascii'), 7);
  r.set(Buffer.from(t2, 'ascii'), 117);
  return r;
}

test('recorded-style 337-byte report: offsets 0..6, 7, 117, 227', () => {
  const report = parseMagtekReport(recordedStyleReport());
  assert.equal(report.encodeType, 'iso-aba');
  assert.equal(report.tracks[2].state, 'empty');
  const t2 = report.tracks[1];
  assert.ok(t2.state === 'ok');
  assert.equal(t2.data.reveal(), ';5413330089600010=271210100000000000?');
  const res = swipeFromReport(report);
  assert.ok(res.ok);
  assert.deepEqual(res.card, {
    maskedPan: '541333******0010', panLast4: '0010', expiry: '2027-12', serviceCode: '101', chipCard: false,
    cardholderName: 'TEST/CARD', hasTrack1: true, hasTrack2: true,
  });
});

test('build/parse round trip and decode status bytes', () => {
  const r = buildMagtekReport({ track2: buildTrack2(VISA), status: [1, 0, 0], encodeType: 1 });
  assert.equal(r.length, MAGTEK_REPORT_LENGTH);
  const parsed = parseMagtekReport(r);
  assert.deepEqual(parsed.tracks[0], { state: 'error', status: 1 });
  assert.equal(parsed.encodeType, 'aamva');
  const res = swipeFromReport(parsed);
  assert.ok(res.ok, 'a bad track 1 alone does not fail the swipe');
  assert.equal(res.card.hasTrack1, false);
  const bad2 = swipeFromReport(parseMagtekReport(buildMagtekReport({ track1: buildTrack1(VISA), status: [0, 1, 0] })));
  assert.ok(!bad2.ok && bad2.error.code === 'HID_TRACK_DECODE_FAILED' && bad2.error.retriable);
  const none = swipeFromReport(parseMagtekReport(buildMagtekReport({})));
  assert.ok(!none.ok && none.error.code === 'HID_NO_TRACK');
});

test('hostile report shapes are refused with stable codes', () => {
  hidCode(() => parseMagtekReport(new Uint8Array(336)), 'HID_REPORT_LENGTH');
  hidCode(() => parseMagtekReport(new Uint8Array(338)), 'HID_REPORT_LENGTH');
  hidCode(() => parseMagtekReport(new Uint8Array(0)), 'HID_REPORT_LENGTH');
  const long = recordedStyleReport();
  long[4] = 111;
  hidCode(() => parseMagtekReport(long), 'HID_TRACK_LENGTH');
  long[4] = 255;
  hidCode(() => parseMagtekReport(long), 'HID_TRACK_LENGTH');
  const nonAscii = recordedStyleReport();
  nonAscii[120] = 0xc3;
  hidCode(() => parseMagtekReport(nonAscii), 'HID_TRACK_FORMAT');
  const nul = recordedStyleReport();
  nul[4] = 60; // length runs into the zero padding
  hidCode(() => parseMagtekReport(nul), 'HID_TRACK_FORMAT');
});

test('visa chip card 4761739001010119, expiry 2812, service 201: chip card, swipe only as fallback', () => {
  const { card, track2 } = parseSwipe({ track1: buildTrack1(VISA), track2: buildTrack2(VISA) });
  assert.equal(card.maskedPan, '476173******0119');
  assert.equal(card.expiry, '2028-12');
  assert.equal(card.serviceCode, '201');
  assert.equal(card.chipCard, true);
  assert.equal(card.cardholderName, 'UAT USA/TEST CARD 04');
  assert.equal(track2?.reveal(), ';4761739001010119=28122011000000000000?');
  assert.equal(swipeAllowed(card.serviceCode, false), false);
  assert.equal(swipeAllowed(card.serviceCode, true), true);
});

test('mastercard 5413330089600010 service 101: stripe card, swipe allowed', () => {
  const { card } = parseSwipe({ track2: buildTrack2(MC, { sentinels: false }) });
  assert.equal(card.chipCard, false);
  assert.equal(card.hasTrack1, false);
  assert.equal(card.cardholderName, undefined);
  assert.equal(swipeAllowed('101', false), true);
  assert.equal(swipeAllowed('x01', true), false);
  assert.deepEqual(interpretServiceCode('201'), {
    code: '201', chipCard: true, interchange: 'international', authorization: 'normal', pinRequired: false, allowedServices: 'any',
  });
  assert.equal(interpretServiceCode('620')?.pinRequired, true);
  assert.equal(interpretServiceCode('12'), null);
});

test('LRC: good accepted, bad refused, absent skipped (both tracks)', () => {
  for (const build of [buildTrack1, buildTrack2]) {
    const track = build === buildTrack1 ? 'track1' : 'track2';
    assert.ok(parseSwipe({ [track]: build(MC, { lrc: true }) }).card);
    assert.ok(parseSwipe({ [track]: build(VISA, { lrc: true }) }).card);
    hidCode(() => parseSwipe({ [track]: build(MC, { badLrc: true }) }), 'HID_TRACK_LRC');
  }
  // Hand-checked: ';' (0xB) ^ '1' (1) ^ '=' (0xD) ^ '?' (0xF) = 0x8 → '8'.
  assert.equal(trackLrc(2, ';1=?'), '8');
  // '%' (5) ^ 'B' (0x22) ^ '?' (0x1F) = 0x38 → 0x20 + 0x38 = 'X'.
  assert.equal(trackLrc(1, '%B?'), 'X');
});

test('Luhn, expiry, format and mismatch errors', () => {
  hidCode(() => parseSwipe({ track2: ';4761739001010118=28122011000?' }), 'HID_PAN_LUHN');
  hidCode(() => parseSwipe({ track1: '%B4761739001010118^A/B^2812201?' }), 'HID_PAN_LUHN');
  hidCode(() => parseSwipe({ track2: ';4761739001010119=28132011000?' }), 'HID_EXPIRY_INVALID');
  hidCode(() => parseSwipe({ track2: ';4761739001010119?' }), 'HID_TRACK_FORMAT');
  hidCode(() => parseSwipe({ track2: ';4761739001010119=28?' }), 'HID_TRACK_FORMAT');
  hidCode(() => parseSwipe({ track1: '%A4761739001010119^A/B^2812201?' }), 'HID_TRACK_FORMAT');
  hidCode(() => parseSwipe({ track1: '%b4761739001010119^A/B^2812201?' }), 'HID_TRACK_FORMAT');
  hidCode(() => parseSwipe({ track2: ';' + '4'.repeat(40) + '?' }), 'HID_TRACK_LENGTH');
  hidCode(() => parseSwipe({ track2: buildTrack2(MC) + '11' }), 'HID_TRACK_FORMAT');
  hidCode(() => parseSwipe({ track1: buildTrack1(MC), track2: buildTrack2(VISA) }), 'HID_TRACK_MISMATCH');
  hidCode(() => parseSwipe({}), 'HID_NO_TRACK');
});

test('JSON.stringify, util.inspect and errors never show the full PAN or track', () => {
  const t2 = buildTrack2(VISA);
  const parsed = parseSwipe({ track1: buildTrack1(VISA), track2: t2 });
  const res = swipeFromReport(parseMagtekReport(buildMagtekReport({ track1: buildTrack1(VISA), track2: t2 })));
  for (const shown of [JSON.stringify(parsed), inspect(parsed, { depth: 10, showHidden: true }), JSON.stringify(res), inspect(res, { depth: 10 }), String(parsed.track2), `${parsed.track2}`]) {
    assert.ok(!shown.includes(VISA.pan), shown);
    assert.ok(!shown.includes('=2812'), shown);
  }
  assert.equal(JSON.stringify({ t: new SensitiveTrack(t2) }), '{"t":"[track data]"}');
  assert.deepEqual(Object.keys(new SensitiveTrack(t2)), []);
  try {
    parseSwipe({ track2: ';4761739001010118=2812201?' });
    assert.fail('expected an error');
  } catch (err) {
    const shown = inspect(err, { depth: 10 }) + JSON.stringify(err) + String(err);
    assert.ok(!shown.includes('4761739001010118'), shown);
  }
});

test('property: random reports give a parse result or a HidError, never another throw', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), (bytes) => {
    try {
      const res = swipeFromReport(parseMagtekReport(bytes));
      if (!res.ok) assert.ok((res.error instanceof HidError && (HID_ERROR_CODES as readonly string[]).includes(res.error.code)) || (res.error instanceof TrackError && (TRACK_ERROR_CODES as readonly string[]).includes(res.error.code)), String(res.error));
    } catch (err) {
      assert.ok(err instanceof HidError && (HID_ERROR_CODES as readonly string[]).includes(err.code), String(err));
    }
  }), { numRuns: 500 });
});

test('property: 337-byte reports with hostile headers and track bytes never crash the pipeline', () => {
  const header = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(8));
  const text = fc.string({ unit: fc.constantFrom(...'%;?=^B0123456789 /ABZ\u00e9\u0000'), maxLength: 110 });
  fc.assert(fc.property(header, text, text, (h, a, b) => {
    const r = new Uint8Array(337);
    r.set(h.map((v, i) => (i < 3 ? (v === 3 ? 0 : v) : v)), 0);
    r.set(Buffer.from(a, 'latin1').subarray(0, 110), 7);
    r.set(Buffer.from(b, 'latin1').subarray(0, 110), 117);
    try {
      const res = swipeFromReport(parseMagtekReport(r));
      if (!res.ok) assert.ok(res.error instanceof HidError || res.error instanceof TrackError);
    } catch (err) {
      assert.ok(err instanceof HidError, String(err));
    }
  }), { numRuns: 1000 });
});

test('property: mutated valid tracks parse or fail with a TrackError only', () => {
  const base = buildTrack2(MC, { lrc: true });
  fc.assert(fc.property(fc.nat(base.length - 1), fc.integer({ min: 0x20, max: 0x7e }), (pos, ch) => {
    const mutated = base.slice(0, pos) + String.fromCharCode(ch) + base.slice(pos + 1);
    try {
      parseSwipe({ track2: mutated });
    } catch (err) {
      assert.ok(err instanceof TrackError, String(err));
      assert.ok(!JSON.stringify(err.details).includes(MC.pan));
    }
  }), { numRuns: 500 });
});
