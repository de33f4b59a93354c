// The in-process reader keeps the real PC/SC driver's rules (src/drivers/pcsc/types.ts), so code tested on it
// behaves the same on pcscd: events, CARD_REMOVED on removal, share modes, timeouts, faults, transactions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../src/apdu/hex.js';
import { ReaderError } from '../../src/drivers/pcsc/errors.js';
import type { ReaderEvent } from '../../src/drivers/pcsc/types.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { demoCard, TableCard } from '../../src/sim/table-card.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';

const R0 = 'Reader 0';
const R1 = 'Reader 1';
const T1_ATR = '3B8E800180318066B1840C016E0183009000E1';
const T0_ATR = '3B6500002063CB6600';
const SELECT_PSE = Uint8Array.from(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'));
const PSE_FCI = '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000';

function apdu(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<ReaderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ReaderError, `expected a ReaderError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** Events as "type reader [atr]" strings, in order. */
function recorder(): { events: ReaderEvent[]; push: (e: ReaderEvent) => void; summary: () => string[] } {
  const events: ReaderEvent[] = [];
  return {
    events,
    push: (e) => events.push(e),
    summary: () => events.map((e) => [e.type, 'reader' in e ? e.reader : '', e.type === 'card-inserted' ? toHex(e.atr) : ''].join(' ').trim()),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A card whose every answer takes `ms` and is logged. */
function slowCard(ms: number, log: string[] = []): VirtualCard {
  return {
    atr: apdu(T1_ATR),
    reset: () => undefined,
    process: (c) => {
      log.push(toHex(c));
      return new Promise((r) => setTimeout(() => r(Uint8Array.of(0x90, 0x00)), ms));
    },
  };
}

describe('InProcessReaderDriver: readers and events', { timeout: 5000 }, () => {
  test('listReaders: name, cardPresent, ATR bytes or null', async () => {
    const d = new InProcessReaderDriver([R0, R1]);
    d.insertCard(R1, demoCard());
    const list = await d.listReaders();
    assert.deepEqual(
      list.map((r) => [r.name, r.cardPresent, r.atr && toHex(r.atr)]),
      [
        [R0, false, null],
        [R1, true, toHex(demoCard().atr)],
      ],
    );
  });

  test('a new subscriber first gets the present readers and cards, as from the real driver', async () => {
    const d = new InProcessReaderDriver([R0, R1]);
    d.insertCard(R1, new TableCard(T0_ATR, {}));
    const log = recorder();
    d.subscribe(log.push);
    assert.equal(log.events.length, 0, 'delivered after subscribe returns');
    await tick();
    assert.deepEqual(log.summary(), [`reader-attached ${R0}`, `reader-attached ${R1}`, `card-inserted ${R1} ${T0_ATR}`]);
    for (const e of log.events) assert.ok(e.at instanceof Date);
  });

  test('events right after subscribing come after the initial state, in order', async () => {
    const d = new InProcessReaderDriver([R0]);
    const log = recorder();
    d.subscribe(log.push);
    d.insertCard(R0, new TableCard(T1_ATR, {}));
    await tick();
    assert.deepEqual(log.summary(), [`reader-attached ${R0}`, `card-inserted ${R0} ${T1_ATR}`]);
  });

  test('insert, remove, attach, detach: one event each, in order; swap is removed then inserted', async () => {
    const d = new InProcessReaderDriver([R0]);
    const log = recorder();
    d.subscribe(log.push);
    await tick();
    log.events.length = 0;
    d.insertCard(R0, new TableCard(T1_ATR, {}));
    d.insertCard(R0, new TableCard(T0_ATR, {}));
    d.removeCard(R0);
    d.removeCard(R0); // no card: nothing happens
    d.attachReader(R1);
    d.attachReader(R1); // already there: nothing happens
    d.insertCard(R1, new TableCard(T1_ATR, {}));
    d.detachReader(R1);
    assert.deepEqual(log.summary(), [
      `card-inserted ${R0} ${T1_ATR}`,
      `card-removed ${R0}`,
      `card-inserted ${R0} ${T0_ATR}`,
      `card-removed ${R0}`,
      `reader-attached ${R1}`,
      `card-inserted ${R1} ${T1_ATR}`,
      `card-removed ${R1}`,
      `reader-detached ${R1}`,
    ]);
    assert.deepEqual(
      (await d.listReaders()).map((r) => r.name),
      [R0],
    );
  });

  test('unsubscribe stops delivery, also of the initial state not yet delivered', async () => {
    const d = new InProcessReaderDriver([R0]);
    const early = recorder();
    d.subscribe(early.push)();
    const late = recorder();
    const off = d.subscribe(late.push);
    await tick();
    off();
    d.insertCard(R0, demoCard());
    await tick();
    assert.deepEqual(early.events, []);
    assert.deepEqual(late.summary(), [`reader-attached ${R0}`]);
  });

  test('a listener may unsubscribe from inside its first event', async () => {
    const d = new InProcessReaderDriver([R0, R1]);
    const seen: string[] = [];
    const off = d.subscribe((e) => {
      seen.push(e.type);
      off();
    });
    await tick();
    assert.deepEqual(seen, ['reader-attached']);
  });

  test('unknown readers: READER_NOT_FOUND; after close: NOT_CONNECTED', async () => {
    const d = new InProcessReaderDriver([R0]);
    assert.throws(() => d.insertCard('Nope', demoCard()), (e: unknown) => e instanceof ReaderError && e.code === 'READER_NOT_FOUND');
    await rejectsWith(d.connect('Nope'), 'READER_NOT_FOUND');
    await rejectsWith(d.connect(R0), 'NO_CARD');
    await d.close();
    await rejectsWith(d.listReaders(), 'NOT_CONNECTED');
  });
});

describe('InProcessReaderDriver: connections', { timeout: 5000 }, () => {
  test('transmit answers as the card does; the protocol comes from the ATR', async () => {
    const d = new InProcessReaderDriver([R0, R1]);
    d.insertCard(R0, demoCard());
    d.insertCard(R1, new TableCard(T0_ATR, {}));
    const c = await d.connect(R0);
    assert.equal(c.protocol, 'T=0', 'demo card offers T=0 first (TD1=80)');
    assert.equal(toHex(await c.transmit(SELECT_PSE)), PSE_FCI);
    const t1 = await d.connect(R0, { protocols: ['T=1'] });
    assert.equal(t1.protocol, 'T=1');
    await rejectsWith(d.connect(R1, { protocols: ['T=1'] }), 'PROTOCOL_MISMATCH');
    await c.disconnect();
    await t1.disconnect();
    await rejectsWith(c.transmit(SELECT_PSE), 'NOT_CONNECTED');
  });

  test('transmit after removal: CARD_REMOVED, also once another card is in', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard());
    const c = await d.connect(R0);
    d.removeCard(R0);
    await rejectsWith(c.transmit(SELECT_PSE), 'CARD_REMOVED');
    const other = demoCard();
    d.insertCard(R0, other);
    await rejectsWith(c.transmit(SELECT_PSE), 'CARD_REMOVED');
    assert.deepEqual(other.log, [], 'the new card never saw the stale connection’s command');
  });

  test('removal while a slow card works: the pending transmit rejects CARD_REMOVED at once', async () => {
    const d = new InProcessReaderDriver([R0]);
    const log: string[] = [];
    d.insertCard(R0, slowCard(600, log));
    const c = await d.connect(R0);
    const pending = c.transmit(SELECT_PSE);
    const t0 = Date.now();
    setTimeout(() => d.removeCard(R0), 50);
    await rejectsWith(pending, 'CARD_REMOVED');
    assert.ok(Date.now() - t0 < 400, `took ${Date.now() - t0} ms: failed only when the slow card would have answered`);
  });

  test('removal during a delayMs fault: CARD_REMOVED at once, and the card never gets the command', async () => {
    const d = new InProcessReaderDriver([R0]);
    const card = demoCard();
    d.insertCard(R0, card, { delayMs: 600 });
    const c = await d.connect(R0, { transmitTimeoutMs: 5000 });
    const pending = c.transmit(SELECT_PSE);
    const t0 = Date.now();
    setTimeout(() => d.removeCard(R0), 50);
    await rejectsWith(pending, 'CARD_REMOVED');
    assert.ok(Date.now() - t0 < 400, `took ${Date.now() - t0} ms`);
    assert.deepEqual(card.log, []);
  });

  test('delayMs slows each answer', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard(), { delayMs: 100 });
    const c = await d.connect(R0);
    const t0 = Date.now();
    assert.equal(toHex(await c.transmit(SELECT_PSE)), PSE_FCI);
    assert.ok(Date.now() - t0 >= 90, `answered after ${Date.now() - t0} ms`);
  });

  test('exclusive vs shared: SHARING_VIOLATION both ways, released by disconnect and by removal', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard());
    const shared = await d.connect(R0);
    await rejectsWith(d.connect(R0, { share: 'exclusive' }), 'SHARING_VIOLATION');
    const shared2 = await d.connect(R0, { share: 'shared' });
    await shared.disconnect();
    await shared.disconnect(); // idempotent: must not release the other shared connection's share
    await rejectsWith(d.connect(R0, { share: 'exclusive' }), 'SHARING_VIOLATION');
    await shared2.disconnect();
    const excl = await d.connect(R0, { share: 'exclusive' });
    await rejectsWith(d.connect(R0), 'SHARING_VIOLATION');
    await rejectsWith(d.connect(R0, { share: 'exclusive' }), 'SHARING_VIOLATION');
    assert.equal(toHex(await excl.transmit(SELECT_PSE)), PSE_FCI);
    await excl.disconnect();
    const again = await d.connect(R0, { share: 'exclusive' });
    d.removeCard(R0);
    d.insertCard(R0, demoCard());
    const fresh = await d.connect(R0);
    await again.disconnect(); // the stale connection's disconnect must not touch the new card's shares
    await rejectsWith(d.connect(R0, { share: 'exclusive' }), 'SHARING_VIOLATION');
    await fresh.disconnect();
  });

  test('a mute card: TRANSMIT_TIMEOUT after transmitTimeoutMs (and a per-call timeout wins)', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard(), { muteAfter: 1 });
    const c = await d.connect(R0, { transmitTimeoutMs: 100 });
    assert.equal(toHex(await c.transmit(SELECT_PSE)), PSE_FCI);
    const t0 = Date.now();
    const err = await rejectsWith(c.transmit(SELECT_PSE), 'TRANSMIT_TIMEOUT');
    const took = Date.now() - t0;
    assert.ok(took >= 90 && took < 1000, `timed out after ${took} ms`);
    assert.equal(err.details.timeoutMs, 100);
    assert.equal(err.retriable, true);
    const t1 = Date.now();
    await rejectsWith(c.transmit(SELECT_PSE, { timeoutMs: 30 }), 'TRANSMIT_TIMEOUT');
    assert.ok(Date.now() - t1 < 90);
  });

  test('a mute card pulled: the pending transmit rejects CARD_REMOVED, not TRANSMIT_TIMEOUT', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard(), { muteAfter: 0 });
    const c = await d.connect(R0, { transmitTimeoutMs: 2000 });
    const pending = c.transmit(SELECT_PSE);
    setTimeout(() => d.removeCard(R0), 30);
    await rejectsWith(pending, 'CARD_REMOVED');
  });

  test('an aborted transmit rejects CANCELLED', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard(), { muteAfter: 0 });
    const c = await d.connect(R0);
    const ac = new AbortController();
    const pending = c.transmit(SELECT_PSE, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await rejectsWith(pending, 'CANCELLED');
  });

  test('dropAfter N: N answers, then the (N+1)th APDU fails CARD_REMOVED and card-removed is emitted', async () => {
    const d = new InProcessReaderDriver([R0]);
    const card = demoCard();
    d.insertCard(R0, card, { dropAfter: 2 });
    const log = recorder();
    d.subscribe(log.push);
    await tick();
    log.events.length = 0;
    const c = await d.connect(R0);
    assert.equal(toHex(await c.transmit(SELECT_PSE)), PSE_FCI);
    assert.equal(toHex(await c.transmit(apdu('00B2010C00'))).slice(-4), '9000');
    await rejectsWith(c.transmit(SELECT_PSE), 'CARD_REMOVED');
    assert.deepEqual(log.summary(), [`card-removed ${R0}`]);
    assert.deepEqual((await d.listReaders()).map((r) => r.cardPresent), [false]);
    assert.equal(card.log.length, 2, 'the third command never reached the card');
    await rejectsWith(c.transmit(SELECT_PSE), 'CARD_REMOVED');
  });

  test('garbageAfter N: N right answers, then random bytes instead of the card’s answer', async () => {
    const d = new InProcessReaderDriver([R0]);
    const card = demoCard();
    d.insertCard(R0, card, { garbageAfter: 1 });
    const c = await d.connect(R0);
    assert.equal(toHex(await c.transmit(SELECT_PSE)), PSE_FCI);
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) answers.push(toHex(await c.transmit(SELECT_PSE)));
    for (const a of answers) assert.ok(a.length >= 2 && a.length <= 80, `garbage of ${a.length / 2} bytes`);
    assert.ok(answers.filter((a) => a === PSE_FCI).length === 0, 'garbage equal to the real answer');
    assert.ok(new Set(answers).size > 6, `not random: ${answers.join(' ')}`);
    assert.equal(card.log.length, 1, 'garbage comes from the transport, not the card');
  });

  test('setFaults changes the scenario of the inserted card, keeping the APDU count', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard());
    const c = await d.connect(R0);
    await c.transmit(SELECT_PSE);
    await c.transmit(SELECT_PSE);
    d.setFaults(R0, { dropAfter: 2 });
    await rejectsWith(c.transmit(SELECT_PSE), 'CARD_REMOVED');
  });

  test('transactions on one reader never interleave, across connections and with plain transmits', async () => {
    const d = new InProcessReaderDriver([R0]);
    const card = new TableCard(T1_ATR, {}, '9000');
    d.insertCard(R0, card, { delayMs: 2 });
    const a = await d.connect(R0);
    const b = await d.connect(R0);
    const seq =
      (tag: string, pause: number) =>
      async (ch: { transmit(c: Uint8Array): Promise<Uint8Array> }): Promise<void> => {
        for (let i = 1; i <= 3; i++) {
          await ch.transmit(apdu(`00B2${tag}0${i}00`));
          await new Promise((r) => setTimeout(r, pause));
        }
      };
    await Promise.all([a.transaction(seq('01', 5)), b.transaction(seq('02', 1)), a.transmit(apdu('00B2FF0000')), a.transaction(seq('03', 2))]);
    assert.deepEqual(card.log, [
      '00B2010100',
      '00B2010200',
      '00B2010300',
      '00B2020100',
      '00B2020200',
      '00B2020300',
      '00B2FF0000',
      '00B2030100',
      '00B2030200',
      '00B2030300',
    ]);
  });

  test('a failing transaction releases the reader lock', async () => {
    const d = new InProcessReaderDriver([R0]);
    d.insertCard(R0, demoCard());
    const c = await d.connect(R0);
    await assert.rejects(
      c.transaction(async () => {
        throw new Error('step failed');
      }),
      /step failed/,
    );
    assert.equal(toHex(await c.transmit(SELECT_PSE)), PSE_FCI);
  });

  test('readers have separate locks: a slow card in one does not hold up the other', async () => {
    const d = new InProcessReaderDriver([R0, R1]);
    d.insertCard(R0, slowCard(500));
    d.insertCard(R1, demoCard());
    const slow = await d.connect(R0);
    const fast = await d.connect(R1);
    const pending = slow.transmit(SELECT_PSE);
    const t0 = Date.now();
    assert.equal(toHex(await fast.transmit(SELECT_PSE)), PSE_FCI);
    assert.ok(Date.now() - t0 < 300);
    await pending;
  });
});
