// A stripe reader that outlives unplugs: absent at start, plugged in, unplugged and back — swipes flow whenever a
// device is attached, each state change is reported once, and close() ends the iteration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openHidStripeReader } from '../../src/drivers/hid/hid-stripe-reader.js';
import { ReopeningStripeReader } from '../../src/drivers/hid/reopening-stripe-reader.js';
import { SimulatedHidBinding } from '../../src/sim/stripe/simulated-stripe-reader.js';
import { TEST_CARDS } from '../../src/sim/stripe/test-cards.js';
import type { SwipeResult } from '../../src/drivers/hid/types.js';

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'timed out');
};

test('absent, plugged, unplugged, back: swipes whenever attached; changes reported once each; close ends it', async () => {
  const binding = new SimulatedHidBinding();
  binding.unplug();
  const changes: string[] = [];
  const reader = new ReopeningStripeReader(() => openHidStripeReader(binding), 20, (s) => changes.push(s.attached ? 'attached' : s.code ?? '?'));
  const got: SwipeResult[] = [];
  const done = (async () => {
    for await (const r of reader.swipes()) got.push(r);
  })();
  await until(() => changes.length === 1);
  await new Promise((r) => setTimeout(r, 100)); // several retries while absent: reported once
  assert.deepEqual(changes, ['HID_DEVICE_NOT_FOUND']);
  assert.equal(reader.closed, true);
  assert.equal(reader.lastError, 'HID_DEVICE_NOT_FOUND');
  binding.plug();
  await until(() => !reader.closed);
  binding.swipe(TEST_CARDS.mastercardStripe);
  await until(() => got.length === 1);
  binding.unplug();
  await until(() => changes.includes('HID_DEVICE_UNPLUGGED'));
  assert.equal(reader.closed, true);
  binding.plug();
  await until(() => !reader.closed);
  binding.swipe(TEST_CARDS.visaChip);
  await until(() => got.length === 2);
  assert.deepEqual(got.map((r) => (r.ok ? r.card.serviceCode : 'bad')), ['101', '201']);
  // (a retry between the unplug and the plug may add HID_DEVICE_NOT_FOUND after UNPLUGGED; never a repeat)
  assert.deepEqual(changes.slice(0, 3), ['HID_DEVICE_NOT_FOUND', 'attached', 'HID_DEVICE_UNPLUGGED']);
  assert.equal(changes.at(-1), 'attached');
  assert.ok(changes.every((c, i) => i === 0 || c !== changes[i - 1]), changes.join(' '));
  await reader.close();
  await done; // the iteration ends at close
  assert.equal(reader.closed, true);
});
