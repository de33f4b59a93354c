// The StripeReader over the simulated HID binding: swipes, bad swipes, unplug and close rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HidError } from '../../src/drivers/hid/errors.js';
import { openHidStripeReader } from '../../src/drivers/hid/hid-stripe-reader.js';
import { openSimulatedStripeReader, SimulatedHidBinding } from '../../src/sim/stripe/simulated-stripe-reader.js';
import { TEST_CARDS } from '../../src/sim/stripe/test-cards.js';

test('swipes arrive in order, masked; bad swipes are results, not errors', async () => {
  const { reader, binding } = await openSimulatedStripeReader();
  const it = reader.swipes();
  binding.swipe(TEST_CARDS.visaChip);
  binding.swipe(TEST_CARDS.mastercardStripe, { badLrc: true, lrc: true });
  binding.sendReport(new Uint8Array(10));
  const first = await it.next();
  assert.ok(!first.done && first.value.ok);
  assert.equal(first.value.card.maskedPan, '476173******0119');
  assert.equal(first.value.card.chipCard, true);
  const second = await it.next();
  assert.ok(!second.done && !second.value.ok && second.value.error.code === 'HID_TRACK_LRC');
  const third = await it.next();
  assert.ok(!third.done && !third.value.ok && third.value.error.code === 'HID_REPORT_LENGTH');
  await reader.close();
});

test('a waiting next() gets the swipe; discardPending drops stale swipes', async () => {
  const { reader, binding } = await openSimulatedStripeReader();
  binding.swipe(TEST_CARDS.visaChip);
  reader.discardPending();
  const it = reader.swipes();
  const pending = it.next();
  binding.swipe(TEST_CARDS.mastercardStripe, { tracks: [2] });
  const r = await pending;
  assert.ok(!r.done && r.value.ok && r.value.card.panLast4 === '0010' && !r.value.card.hasTrack1);
  await reader.close();
});

test('unplug rejects the waiting next() with HID_DEVICE_UNPLUGGED, then iteration ends', async () => {
  const { reader, binding } = await openSimulatedStripeReader();
  const it = reader.swipes();
  const pending = it.next();
  binding.unplug();
  await assert.rejects(pending, (e: unknown) => e instanceof HidError && e.code === 'HID_DEVICE_UNPLUGGED' && e.retriable);
  assert.equal(reader.closed, true);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  await reader.close(); // idempotent after unplug
  await assert.rejects(openHidStripeReader(binding), (e: unknown) => e instanceof HidError && e.code === 'HID_DEVICE_NOT_FOUND');
  binding.plug();
  const again = await openHidStripeReader(binding);
  await again.close();
});

test('unplug with nobody waiting is reported on the next next()', async () => {
  const { reader, binding } = await openSimulatedStripeReader();
  binding.unplug();
  const it = reader.swipes();
  await assert.rejects(it.next(), (e: unknown) => e instanceof HidError && e.code === 'HID_DEVICE_UNPLUGGED');
  assert.equal((await it.next()).done, true);
});

test('close is idempotent, ends a waiting next(), and later swipes are ignored', async () => {
  const { reader, binding } = await openSimulatedStripeReader();
  const it = reader.swipes();
  const pending = it.next();
  await reader.close();
  await reader.close();
  assert.deepEqual(await pending, { value: undefined, done: true });
  binding.swipe(TEST_CARDS.visaChip);
  assert.equal((await it.next()).done, true);
});

test('for await over swipes() stops at close', async () => {
  const { reader, binding } = await openSimulatedStripeReader();
  const seen: string[] = [];
  const loop = (async () => {
    for await (const s of reader.swipes()) {
      seen.push(s.ok ? s.card.panLast4 : s.error.code);
      if (seen.length === 2) await reader.close();
    }
  })();
  binding.swipe(TEST_CARDS.visaChip, { sentinels: false });
  binding.swipe(TEST_CARDS.visaChip, { decodeErrors: [2] });
  await loop;
  assert.deepEqual(seen, ['0119', 'HID_TRACK_DECODE_FAILED']);
});

test('open failures are typed', async () => {
  const binding = new SimulatedHidBinding();
  await assert.rejects(openHidStripeReader(binding, { target: { path: 'nope' } }), (e: unknown) => e instanceof HidError && e.code === 'HID_DEVICE_NOT_FOUND');
  const broken = { devices: () => binding.devices(), open: () => { throw new Error('busy'); } };
  await assert.rejects(openHidStripeReader(broken), (e: unknown) => e instanceof HidError && e.code === 'HID_OPEN_FAILED');
});
