// Swipe rules (service code, chip first, fallback, expiry) and the magstripe part of the 0200, down to packed bytes.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { toHex } from '../../src/apdu/hex.js';
import { TrackError } from '../../src/cards/errors.js';
import { SensitiveTrack } from '../../src/cards/sensitive-track.js';
import { buildTrack1, buildTrack2, TEST_CARDS } from '../../src/sim/stripe/test-cards.js';
import { parseSwipe } from '../../src/cards/tracks.js';
import { DEFAULT_SPEC, pack, unpack } from '../../src/host/iso8583/index.js';
import { buildAuthRequest } from '../../src/host/messages.js';
import { decideSwipe, magstripeAuthFields, stripeCardExpired, swipeFacts, type SwipeAccepted, type SwipeFacts } from '../../src/payments/stripe-rules.js';

const TODAY = { year: 2026, month: 6 };
const facts = (serviceCode: string, over: Partial<SwipeFacts> = {}): SwipeFacts => ({
  serviceCode,
  expiry: '2812',
  chipFailedThisPayment: false,
  chipReaderPresent: true,
  today: TODAY,
  ...over,
});

/** 'accept 90' / 'accept 80' / the refusal code. */
function outcome(f: SwipeFacts): string {
  const d = decideSwipe(f);
  return d.kind === 'accept' ? `accept ${d.panEntryMode}` : d.code;
}

test('service codes: chip cards (2xx/6xx) must be inserted first; fallback only after a chip failure', () => {
  const table: [string, boolean, boolean, string][] = [
    // service code, chip failed this payment, chip reader present, expected
    ['101', false, true, 'accept 90'],
    ['120', false, true, 'accept 90'],
    ['101', true, true, 'accept 90'], // a stripe-only card is never "fallback"
    ['201', false, true, 'STRIPE_CHIP_FIRST'],
    ['201', true, true, 'accept 80'],
    ['221', false, true, 'STRIPE_CHIP_FIRST'],
    ['221', true, true, 'accept 80'],
    ['601', false, true, 'STRIPE_CHIP_FIRST'],
    ['601', true, true, 'accept 80'],
    ['201', false, false, 'accept 90'], // no chip reader: a plain swipe
    ['501', false, true, 'accept 90'],
    ['702', false, true, 'accept 90'],
    ['901', false, true, 'accept 90'],
    ['103', false, true, 'STRIPE_SERVICE_NOT_ALLOWED'], // ATM only
    ['104', true, true, 'STRIPE_SERVICE_NOT_ALLOWED'], // cash only
    ['203', true, true, 'STRIPE_SERVICE_NOT_ALLOWED'],
    ['301', false, true, 'STRIPE_SERVICE_CODE_INVALID'], // digit 1 reserved
    ['12', false, true, 'STRIPE_SERVICE_CODE_INVALID'],
    ['1x1', false, true, 'STRIPE_SERVICE_CODE_INVALID'],
  ];
  for (const [code, failed, reader, expected] of table) {
    assert.equal(outcome(facts(code, { chipFailedThisPayment: failed, chipReaderPresent: reader })), expected, `${code} failed=${failed} reader=${reader}`);
  }
});

test('chip first tells the cashier to insert the card; accepts carry entry mode and PIN requirement', () => {
  const refused = decideSwipe(facts('201'));
  assert.deepEqual(refused, { kind: 'refuse', code: 'STRIPE_CHIP_FIRST', message: 'Chip card: insert the card', insertCard: true });
  assert.deepEqual(decideSwipe(facts('201', { chipFailedThisPayment: true })), { kind: 'accept', entry: 'fallback', panEntryMode: '80', pinRequired: false, receiptEntryMode: 'FALLBACK' });
  assert.deepEqual(decideSwipe(facts('120')), { kind: 'accept', entry: 'magstripe', panEntryMode: '90', pinRequired: true, receiptEntryMode: 'SWIPED' });
});

test('expiry: valid through the end of its month; expired or malformed cards are refused', () => {
  assert.equal(stripeCardExpired('2606', TODAY), false);
  assert.equal(stripeCardExpired('2605', TODAY), true);
  assert.equal(stripeCardExpired('2512', TODAY), true);
  assert.equal(stripeCardExpired('2701', TODAY), false);
  assert.equal(outcome(facts('101', { expiry: '2605' })), 'STRIPE_CARD_EXPIRED');
  assert.equal(outcome(facts('101', { expiry: '2606' })), 'accept 90');
  assert.equal(outcome(facts('201', { expiry: '2512', chipFailedThisPayment: true })), 'STRIPE_CARD_EXPIRED');
  assert.equal(outcome(facts('101', { expiry: '2613' })), 'STRIPE_EXPIRY_INVALID');
  assert.equal(outcome(facts('101', { expiry: '26' })), 'STRIPE_EXPIRY_INVALID');
  assert.equal(decideSwipe(facts('101', { expiry: '2605' })).kind, 'refuse');
});

test('swipeFacts reads the parsed (masked) swipe: YYYY-MM back to YYMM', () => {
  const { card } = parseSwipe({ track1: buildTrack1(TEST_CARDS.visaChip), track2: buildTrack2(TEST_CARDS.visaChip) });
  const f = swipeFacts(card, { chipFailedThisPayment: false, chipReaderPresent: true, today: TODAY });
  assert.equal(f.expiry, '2812');
  assert.equal(f.serviceCode, '201');
  assert.equal(outcome(f), 'STRIPE_CHIP_FIRST');
});

const accepted = (f: SwipeFacts): SwipeAccepted => {
  const d = decideSwipe(f);
  assert.equal(d.kind, 'accept');
  return d as SwipeAccepted;
};

test('magstripe fields: track 2 equivalent data without sentinels or LRC, D separator, field 22 90x/80x, no field 55', () => {
  const mc = TEST_CARDS.mastercardStripe;
  const { track2 } = parseSwipe({ track2: buildTrack2(mc, { lrc: true }) });
  assert.ok(track2);
  const fields = magstripeAuthFields(accepted(facts('101')), track2);
  assert.deepEqual({ ...fields }, { pan: mc.pan, expiry: '2712', track2: '5413330089600010D271210100000000000', posEntryMode: '901' });
  assert.equal('iccData' in fields, false);
  const fallback = magstripeAuthFields(accepted(facts('201', { chipFailedThisPayment: true })), track2, false);
  assert.equal(fallback.posEntryMode, '802');
  // Sentinel-less track text (some readers strip them) gives the same data.
  assert.equal(magstripeAuthFields(accepted(facts('101')), new SensitiveTrack(buildTrack2(mc, { sentinels: false }))).track2, fields.track2);
});

test('a track that is not track 2 is refused without quoting it', () => {
  const bad = new SensitiveTrack(';4761739001010119^2812201?');
  assert.throws(
    () => magstripeAuthFields(accepted(facts('101')), bad),
    (e: unknown) => e instanceof TrackError && e.code === 'HID_TRACK_FORMAT' && !inspect(e, { depth: 5 }).includes('4761739001010119'),
  );
});

test('the 0200 of a swiped sale packs field 22 and field 35 (BCD, D separator, F pad) and no field 55', () => {
  const { track2 } = parseSwipe({ track2: buildTrack2(TEST_CARDS.mastercardStripe, { lrc: true }) });
  assert.ok(track2);
  const part = magstripeAuthFields(accepted(facts('101')), track2);
  const id = { terminalId: 'TERM0001', merchantId: 'MERCHANT0000001', header: Uint8Array.from([0x60, 0x00, 0x03, 0x00, 0x00]) };
  const msg = buildAuthRequest({ kind: 'sale', ref: 'p1', amount: 1234, currency: '978', ...part }, id, '000123', new Date(Date.UTC(2026, 5, 1, 12, 0, 0)));
  const hex = toHex(pack(DEFAULT_SPEC, msg));
  // Field 35: LL = 35 digits (BCD 0x35), then 35 nibbles right-padded with F.
  assert.ok(hex.includes('35' + '5413330089600010D271210100000000000F'), hex);
  const back = unpack(DEFAULT_SPEC, pack(DEFAULT_SPEC, msg));
  assert.equal(back.text(22), '901');
  assert.equal(back.text(35), '5413330089600010D271210100000000000');
  assert.equal(back.has(55), false);
  assert.equal(back.mti, '0200');
});
