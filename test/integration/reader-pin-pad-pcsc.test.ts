// Reader PIN pad detection on the real stack (pcscd + vpcd): vpcd is a class-1 reader, so it answers
// CM_IOCTL_GET_FEATURE_REQUEST with no PIN feature (or an error), detection says "no PIN pad" and the lane keeps the
// software pad; a ReaderPinPad pointed at it reports 'unavailable' without sending the card anything; the deny-list
// excludes a reader by name before its features are read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PcscReaderDriver } from '../../src/drivers/pcsc/pcsc-driver.js';
import { detectReaderPinPad } from '../../src/drivers/pinpad/reader-pin-pad-detect.js';
import { openReaderThroughDriver, ReaderPinPad } from '../../src/drivers/pinpad/reader-pin-pad.js';
import { demoCard } from '../../src/sim/table-card.js';
import { pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

describe('reader PIN pad on pcscd + vpcd', { skip: pcscSkip }, () => {
  let fx: StackFixture;
  let driver: PcscReaderDriver;

  before(async () => {
    fx = await startStack(35983);
    driver = await PcscReaderDriver.create({ pollMs: 200, retryMs: 100 });
    await fx.slots[0].insert(demoCard());
    await waitForCard(driver, fx.readers[0], true);
  });
  after(async () => {
    await driver?.close();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
  });

  test('vpcd announces no PIN pad: detection says no-pin-feature', async () => {
    const c = await driver.connect(fx.readers[0]);
    try {
      const d = await detectReaderPinPad(c, fx.readers[0], []);
      assert.equal(d.usable, false);
      assert.ok(!d.usable && d.reason === 'no-pin-feature');
      assert.ok(!d.features.includes('VERIFY_PIN_DIRECT'));
    } finally {
      await c.disconnect();
    }
  });

  test('a ReaderPinPad on vpcd: unavailable, and the card gets no APDU', async () => {
    const before = fx.slots[0].apduCount;
    const pad = new ReaderPinPad({ open: openReaderThroughDriver(driver, fx.readers[0]) });
    const channel = { atr: new Uint8Array(0), protocol: 'T=1' as const, transmit: () => assert.fail('the pad sends no APDU itself') };
    assert.deepEqual(await pad.verifyOfflinePlaintext(channel, { amount: 100, currency: '0978' }), { kind: 'unavailable' });
    assert.equal(fx.slots[0].apduCount, before);
  });

  test('deny-list: the vpcd reader named by a substring or a glob is denied without being asked', async () => {
    const c = await driver.connect(fx.readers[0]);
    try {
      const name = fx.readers[0];
      const asked: string[] = [];
      const spy = { features: () => (asked.push(name), c.features()) };
      assert.deepEqual(await detectReaderPinPad(spy, name, [name.slice(0, 7).toLowerCase()]), { usable: false, reason: 'denied', features: [] });
      assert.deepEqual(await detectReaderPinPad(spy, name, [`${name.slice(0, 3)}*`]), { usable: false, reason: 'denied', features: [] });
      assert.deepEqual(asked, []);
      const other = await detectReaderPinPad(spy, name, ['Some Other Reader']);
      assert.equal(other.usable, false);
      assert.deepEqual(asked, [name], 'a reader not on the list is asked');
    } finally {
      await c.disconnect();
    }
  });
});
