// One lane's payments end to end: in-process reader with a virtual card, the EMV kernel, the real host link over TCP
// to the host simulator, the journal in SQLite. Every state is checked in the journal.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import { PaymentFlow, settleReversals } from '../../src/payments/payment-flow.js';
import { PaymentStore } from '../../src/payments/payment-store.js';
import { PaymentError } from '../../src/payments/errors.js';
import { createCard, getProfile } from '../../src/sim/emv/catalog.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';
import type { FaultOptions } from '../../src/sim/faults.js';
import { withHost, type HostWorld } from '../helpers/host-fixture.js';

const READER = 'Lane A reader';

function lane(w: HostWorld, profile = 'visa-sda-pse', faults: FaultOptions = {}, insert = true) {
  const driver = new InProcessReaderDriver([READER]);
  if (insert) driver.insertCard(READER, createCard(profile), faults);
  const store = new PaymentStore(w.stack.db, new Uint8Array(32).fill(1));
  const completed: string[] = [];
  const flow = new PaymentFlow({
    lane: 'A',
    reader: READER,
    store,
    driver,
    link: w.stack.link,
    config: defaultTerminalConfig(simCaKeys()),
    pin: new SimulatedPinEntry(async () => getProfile(profile).pin),
    clock: Date.now,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    cardTimeoutMs: 2000,
    onCompleted: (p) => completed.push(`${p.state}:${p.result ?? ''}`),
  });
  return { driver, store, flow, completed };
}

describe('PaymentFlow', () => {
  test('an approved sale goes created → card-read → authorizing → authorized → completed, once per reference', async () => {
    await withHost(async (w) => {
      const { store, flow, completed } = lane(w);
      const { payment } = flow.start({ type: 'sale', amount: 1234, currency: '978', reference: 'ref-1' });
      assert.equal(flow.start({ type: 'sale', amount: 1234, currency: '978', reference: 'ref-1' }).created, false);
      assert.throws(() => flow.start({ type: 'sale', amount: 100, currency: '978', reference: 'ref-2' }), (e: unknown) => e instanceof PaymentError && e.code === 'PAYMENT_LANE_BUSY');
      await flow.idle();
      const p = store.get(payment.id);
      assert.deepEqual([p.state, p.result, p.maskedPan, p.responseCode], ['completed', 'approved', '476173******0119', '00']);
      assert.deepEqual(store.events(payment.id).map((e) => e.state), ['created', 'card-read', 'authorizing', 'authorized', 'completed']);
      assert.deepEqual(completed, ['completed:approved']);
      assert.equal(w.sim.received('0200').length, 1, 'one authorisation for the reference');
      assert.equal(w.stack.batches.totals(w.stack.batches.open(Date.now()).id)[0]?.salesAmount, 1234);
    });
  });

  test('the host declines (.51): declined, no reversal', async () => {
    await withHost(async (w) => {
      const { store, flow } = lane(w);
      const { payment } = flow.start({ type: 'sale', amount: 151, currency: '978', reference: 'dec-1' });
      await flow.idle();
      assert.deepEqual([store.get(payment.id).state, store.get(payment.id).responseCode], ['declined', '51']);
      await w.stack.worker.drain();
      assert.equal(w.sim.received('0400').length, 0);
    });
  });

  test('the host stays silent (.99): reversal-pending, the reversal goes out once, then reversed', async () => {
    await withHost(
      async (w) => {
        const { store, flow } = lane(w);
        const { payment } = flow.start({ type: 'sale', amount: 299, currency: '978', reference: 'silent-1' });
        await flow.idle();
        assert.equal(store.get(payment.id).state, 'reversal-pending');
        await w.stack.worker.drain();
        assert.equal(w.sim.received('0400').length, 1);
        assert.deepEqual(settleReversals(store, w.stack.queue, [store.get(payment.id)], Date.now()), [payment.id]);
        assert.equal(store.get(payment.id).state, 'reversed');
      },
      { stack: { link: { authTimeoutMs: 300 } } },
    );
  });

  test('the card pulled after the host approved: the approval is reversed', async () => {
    await withHost(async (w) => {
      // visa-sda-pse answers ~20 exchanges before the second GENERATE AC; drop it near the end.
      const { store, flow } = lane(w, 'visa-sda-pse', { dropAfter: 24 });
      const { payment } = flow.start({ type: 'sale', amount: 1234, currency: '978', reference: 'pulled-1' });
      await flow.idle();
      const p = store.get(payment.id);
      assert.equal(p.state, 'reversal-pending', `${p.state}: ${p.reason ?? ''}`);
      await w.stack.worker.drain();
      assert.equal(w.sim.received('0400').length, 1);
    });
  });

  test('cancelled while waiting for the card: cancelled, nothing sent', async () => {
    await withHost(async (w) => {
      const { store, flow } = lane(w, 'visa-sda-pse', {}, false);
      const { payment } = flow.start({ type: 'sale', amount: 500, currency: '978', reference: 'cancel-1' });
      await new Promise((r) => setTimeout(r, 100));
      flow.cancel(payment.id);
      await flow.idle();
      assert.equal(store.get(payment.id).state, 'cancelled');
      assert.equal(w.sim.received().length, 0);
    });
  });
});
