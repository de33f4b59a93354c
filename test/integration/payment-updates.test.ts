// Every change of a payment after its end reaches the clients (issue 17): one lane on the real stack — in-process
// reader with a virtual card, the EMV kernel, the host link over TCP to the host simulator, the journal in SQLite,
// the API server on a real socket — wired with the daemon's own notifier (notifyPaymentUpdates) and the
// store-and-forward outcome (followReversals), with no reversal poll. Short host timeouts keep it quick.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ClientRegistry } from '../../src/api/clients.js';
import { adminMethods } from '../../src/api/admin-methods.js';
import { paymentMethods, paymentView } from '../../src/api/payment-methods.js';
import { notifyPaymentUpdates } from '../../src/api/payment-updates.js';
import { ApiServer } from '../../src/api/server.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import { PaymentFlow } from '../../src/payments/payment-flow.js';
import { PaymentStore } from '../../src/payments/payment-store.js';
import { followReversals } from '../../src/payments/reversal-outcomes.js';
import { createCard, getProfile } from '../../src/sim/emv/catalog.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import type { CardChannel } from '../../src/apdu/card-channel.js';
import type { CardConnection, ReaderDriver } from '../../src/drivers/pcsc/types.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';
import { withHost, type HostWorld } from '../helpers/host-fixture.js';
import { RpcSession as Session } from '../helpers/rpc-session.js';

const READER = 'Lane A reader';



/** One lane wired like the daemon: flow → payment.completed; store changes → payment.updated; worker → reversals. */
async function lane(w: HostWorld, profile: string, wrap: (d: ReaderDriver, store: PaymentStore) => ReaderDriver = (d) => d) {
  const inProcess = new InProcessReaderDriver([READER]);
  inProcess.insertCard(READER, createCard(profile));
  const store = new PaymentStore(w.stack.db, new Uint8Array(32).fill(1));
  const driver = wrap(inProcess, store);
  let server: ApiServer | null = null;
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
    cardTimeoutMs: 5000,
    onCompleted: (p) => server?.notify('payment.completed', paymentView(p)),
  });
  const lanes = new Map([['A', { flow, reader: READER }]]);
  const clients = new ClientRegistry(w.stack.db);
  const methods = new Map([
    ...paymentMethods({ store, lanes, driver, refundLimitForCashier: 10_000, merchant: { name: 'Shop', address: [], terminalId: 'T1' }, clock: Date.now }),
    ...adminMethods({ store, host: w.stack, driver, readers: new Map([['A', READER]]), diagEnabled: false, clock: Date.now }),
  ]);
  const stopReversals = followReversals({ store, queue: w.stack.queue, worker: w.stack.worker, clock: Date.now });
  server = new ApiServer({ port: 0, allowedOrigins: [], clients, methods, web: null });
  const s = server;
  const stopUpdates = notifyPaymentUpdates(store, (p) => flow.owns(p.id), (m, params) => s.notify(m, params));
  const port = await server.start();
  w.stack.worker.start(50);
  return {
    store,
    port,
    cashier: clients.pair('till', 'cashier', Date.now()).token,
    supervisor: clients.pair('back office', 'supervisor', Date.now()).token,
    async close() {
      stopUpdates();
      stopReversals();
      await s.stop();
    },
  };
}

/**
 * The driver with a card that, once its payment is reversal-pending, answers nothing more until the payment is
 * reversed: the reversal is delivered while the lane still talks to the card (a slow card's second GENERATE AC).
 */
function cardHeldUntilReversed(inner: ReaderDriver, store: PaymentStore): ReaderDriver {
  const gate = async (): Promise<void> => {
    const pending = store.inState('reversal-pending');
    if (pending.length === 0) return;
    await new Promise<void>((resolve) => {
      const off = store.onChange((c) => {
        if (c.payment.state === 'reversed') {
          off();
          resolve();
        }
      });
    });
  };
  const held = (ch: CardChannel): CardChannel => ({
    atr: ch.atr,
    protocol: ch.protocol,
    transmit: async (command, options) => {
      await gate();
      return ch.transmit(command, options);
    },
  });
  return {
    listReaders: () => inner.listReaders(),
    subscribe: (l) => inner.subscribe(l),
    close: () => inner.close(),
    async connect(reader, options): Promise<CardConnection> {
      const c = await inner.connect(reader, options);
      return {
        reader: c.reader,
        protocol: c.protocol,
        atr: c.atr,
        transmit: (command, o) => c.transmit(command, o),
        control: (code, data) => c.control(code, data),
        features: () => c.features(),
        transaction: (fn) => c.transaction((ch) => fn(held(ch))),
        disconnect: (d) => c.disconnect(d),
      };
    },
  };
}

// The stack on real time, answers awaited briefly, reversals retried quickly, the worker forwarding at once.
const FAST = { stack: { now: Date.now, autoForward: true, link: { authTimeoutMs: 400 }, saf: { responseTimeoutMs: 300, initialBackoffMs: 50, maxBackoffMs: 100, maxAttempts: 100 } } };

describe('payment.updated', { timeout: 60_000 }, () => {
  test('a host timeout: payment.completed says reversal-pending (result null); the reversal delivered later → payment.updated reversed, to every client', async () => {
    await withHost(async (w) => {
      const l = await lane(w, 'visa-sda-pse');
      try {
        // Reversals go unanswered until the test lets them through: the payment must end before they are done.
        await w.sim.setMode('timeout', { only: ['0400', '0420', '0421'] });
        const cashier = await Session.open(l.port, l.cashier);
        const other = await Session.open(l.port, l.supervisor);
        // Amount .99: the simulator never answers the authorisation (src/sim/host/rules.ts).
        const started = await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 299, currency: 'EUR', reference: 'silent-1' });
        const id = started.result?.paymentId;
        const completed = await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === id);
        assert.deepEqual([completed.params?.state, completed.params?.result], ['reversal-pending', null]);
        assert.equal(cashier.about('payment.updated', id).length, 0, 'nothing after the end yet');

        await w.sim.setMode('normal');
        const updated = await Promise.all([cashier, other].map((s) => s.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === id)));
        for (const u of updated) {
          assert.deepEqual([u.params?.state, u.params?.result, u.params?.change, u.params?.from, u.params?.detail], ['reversed', 'failed', 'state', 'reversal-pending', 'reversal acknowledged by the host']);
        }
        // In order, each once: the end, then the update.
        assert.deepEqual(cashier.inbox.filter((m) => m.params?.paymentId === id && (m.method === 'payment.completed' || m.method === 'payment.updated')).map((m) => `${String(m.method)}:${String(m.params?.state)}`), [
          'payment.completed:reversal-pending',
          'payment.updated:reversed',
        ]);
        assert.ok(w.sim.received().some((r) => r.mti?.startsWith('04') && r.answer?.responseCode === '00'), 'the host took the reversal');
        assert.deepEqual(l.store.events(String(id)).map((e) => e.state).slice(-2), ['reversal-pending', 'reversed']);
        cashier.ws.close();
        other.ws.close();
      } finally {
        await l.close();
      }
    }, FAST);
  });

  test('the reversal delivered while the card still finishes: payment.completed says reversed (result failed), nothing told twice', async () => {
    await withHost(async (w) => {
      const l = await lane(w, 'visa-sda-pse', cardHeldUntilReversed);
      try {
        const cashier = await Session.open(l.port, l.cashier);
        const id = (await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 399, currency: 'EUR', reference: 'silent-2' })).result?.paymentId;
        const completed = await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === id);
        assert.deepEqual([completed.params?.state, completed.params?.result], ['reversed', 'failed']);
        // The lane is free for the next sale, and nothing about this payment came as an update.
        const next = await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 100, currency: 'EUR', reference: 'after-2' });
        assert.ok(next.result?.paymentId, JSON.stringify(next));
        await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === next.result?.paymentId);
        assert.deepEqual(cashier.about('payment.updated', id), []);
        assert.deepEqual(l.store.events(String(id)).map((e) => e.state).slice(-2), ['reversal-pending', 'reversed']);
        cashier.ws.close();
      } finally {
        await l.close();
      }
    }, FAST);
  });

  test('a supervisor reversal and a capture are told to every client; a reversal the host refuses is told as reversal-manual', async () => {
    await withHost(async (w) => {
      const l = await lane(w, 'mastercard-dda-online-pin');
      try {
        const cashier = await Session.open(l.port, l.cashier);
        const sup = await Session.open(l.port, l.supervisor);
        // A sale, completed, then voided by the supervisor: reversal-pending, then reversed when the host acknowledges.
        const sale = (await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 990, currency: 'EUR', reference: 'void-1' })).result?.paymentId;
        await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === sale);
        const reversed = await sup.call('payment.reverse', { paymentId: sale });
        assert.equal(reversed.result?.state, 'reversal-pending');
        for (const s of [cashier, sup]) {
          await s.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === sale && m.params?.state === 'reversed');
          assert.deepEqual(
            s.about('payment.updated', sale).map((p) => [p.from, p.state, p.result, p.change]),
            [
              ['completed', 'reversal-pending', 'approved', 'state'],
              ['reversal-pending', 'reversed', 'approved', 'state'],
            ],
          );
        }

        // A pre-authorisation captured: the capture is told (its state stays completed).
        const pre = (await cashier.call('payment.start', { lane: 'A', type: 'preauth', amount: 5000, currency: 'EUR', reference: 'hotel-1' })).result?.paymentId;
        await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === pre);
        assert.ok((await cashier.call('payment.capture', { paymentId: pre, amount: 4200 })).result);
        for (const s of [cashier, sup]) {
          const u = await s.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === pre);
          assert.deepEqual([u.params?.state, u.params?.change, u.params?.capturedAmount], ['completed', 'captured', 4200]);
        }

        // A void the host refuses (12): the queue flags it for a person; the payment stays reversal-pending, told so.
        const third = (await cashier.call('payment.start', { lane: 'A', type: 'sale', amount: 1200, currency: 'EUR', reference: 'void-2' })).result?.paymentId;
        await cashier.waitFor((m) => m.method === 'payment.completed' && m.params?.paymentId === third);
        w.sim.answerNext('12', 1, ['0400']);
        assert.equal((await sup.call('payment.reverse', { paymentId: third })).result?.state, 'reversal-pending');
        const manual = await cashier.waitFor((m) => m.method === 'payment.updated' && m.params?.paymentId === third && m.params?.change === 'reversal-manual');
        assert.equal(manual.params?.state, 'reversal-pending');
        assert.match(String(manual.params?.detail), /host refused the reversal with 12/);
        cashier.ws.close();
        sup.ws.close();
      } finally {
        await l.close();
      }
    }, FAST);
  });
});
