// The PC/SC driver on the real stack: pcscd + vpcd, with virtual cards over TCP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CommandApdu } from '../../src/apdu/command-apdu.js';
import { toHex } from '../../src/apdu/hex.js';
import { withT0Handling } from '../../src/apdu/t0.js';
import { ReaderError } from '../../src/drivers/pcsc/errors.js';
import { PcscReaderDriver } from '../../src/drivers/pcsc/pcsc-driver.js';
import { IsolatedPcscDriver } from '../../src/drivers/pcsc/isolated-pcsc-driver.js';
import type { ReaderDriver } from '../../src/drivers/pcsc/types.js';
import { demoCard, TableCard } from '../../src/sim/table-card.js';
import { T0Card } from '../../src/sim/t0-card.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';
import type { FaultOptions } from '../../src/sim/faults.js';
import { EventLog, pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

const SELECT_PSE = CommandApdu.select(new TextEncoder().encode('1PAY.SYS.DDF01')).encode();
const T1_ATR = '3B8E800180318066B1840C016E01830090001C';
const T0_ATR = '3B6500002063CB6600';

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

function slowCard(ms: number): VirtualCard {
  return { atr: Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01), reset() {}, process: () => new Promise((r) => setTimeout(() => r(Uint8Array.of(0x90, 0)), ms)) };
}

// The same rules hold for the driver on this event loop (CLI) and for the daemon's, whose binding runs in host processes.
const DRIVERS: ReadonlyArray<readonly [string, () => Promise<ReaderDriver>]> = [
  ['PcscReaderDriver', () => PcscReaderDriver.create({ pollMs: 200, retryMs: 100 })],
  ['IsolatedPcscDriver', async () => new IsolatedPcscDriver({ driver: { pollMs: 200, retryMs: 100 }, restartMs: 100 })],
];

for (const [kind, makeDriver] of DRIVERS) describe(`${kind} on pcscd + vpcd`, { skip: pcscSkip }, () => {
  let fx: StackFixture;
  let driver: ReaderDriver;

  before(async () => {
    fx = await startStack();
    driver = await makeDriver();
  });
  after(async () => {
    await driver?.close();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
  });

  /** Puts `card` in slot i once pcscd has seen the previous card leave (a swap inside pcscd's poll looks like no change). */
  async function insert(i: 0 | 1, card: VirtualCard, faults: FaultOptions = {}): Promise<void> {
    await fx.slots[i].remove();
    await waitForCard(driver, fx.readers[i], false);
    await fx.slots[i].insert(card, faults);
    await waitForCard(driver, fx.readers[i], true);
  }

  test('lists both vpcd slots, then the inserted card with its ATR', async () => {
    const empty = await driver.listReaders();
    assert.deepEqual(empty.map((r) => [r.name, r.cardPresent, r.atr]), [
      [fx.readers[0], false, null],
      [fx.readers[1], false, null],
    ]);
    await insert(0, demoCard());
    const [r0] = await driver.listReaders();
    assert.equal(toHex(r0.atr ?? new Uint8Array(0)), T1_ATR);
    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
  });

  test('exchanges APDUs on T=1, and on T=0 with 61xx handled by the T=0 wrapper', async () => {
    await insert(0, demoCard());
    await insert(1, new T0Card(new TableCard(T0_ATR, { '00A404000E315041592E5359532E444446303100': '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000' })));
    const c1 = await driver.connect(fx.readers[0]);
    const c0 = await driver.connect(fx.readers[1]);
    try {
      assert.equal(c1.protocol, 'T=1');
      assert.equal(c0.protocol, 'T=0');
      const fci = '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000';
      assert.equal(toHex(await c1.transmit(SELECT_PSE)), fci);
      assert.equal(toHex(await c0.transmit(SELECT_PSE)), '611C', 'a T=0 card announces its data with 61xx');
      assert.equal(toHex(await withT0Handling(c0).transmit(SELECT_PSE)), fci);
    } finally {
      await c1.disconnect();
      await c0.disconnect();
      await fx.slots[1].remove();
    }
  });

  test('events: reader-attached for each slot, card-inserted with ATR, card-removed', async () => {
    const log = new EventLog();
    const unsubscribe = driver.subscribe(log.push);
    try {
      await log.waitFor((e) => e.type === 'reader-attached' && e.reader === fx.readers[1]);
      const before = log.events.length;
      await fx.slots[0].remove();
      await log.waitFor((e) => e.type === 'card-removed' && e.reader === fx.readers[0], 5000, 0);
      await fx.slots[0].insert(demoCard());
      const ins = await log.waitFor((e) => e.type === 'card-inserted' && e.reader === fx.readers[0], 5000, before);
      assert.ok(ins.type === 'card-inserted' && toHex(ins.atr) === T1_ATR);
    } finally {
      unsubscribe();
    }
  });

  // Many listeners share one driver (lanes, notifications, PIN entry): a late one learns the present state too.
  test('a listener that joins while another listens is told the readers and the card present first', async () => {
    await waitForCard(driver, fx.readers[0], true);
    const first = new EventLog();
    const offFirst = driver.subscribe(first.push);
    try {
      await first.waitFor((e) => e.type === 'card-inserted' && e.reader === fx.readers[0]);
      const second = new EventLog();
      const offSecond = driver.subscribe(second.push);
      try {
        await second.waitFor((e) => e.type === 'reader-attached' && e.reader === fx.readers[1]);
        const ins = await second.waitFor((e) => e.type === 'card-inserted' && e.reader === fx.readers[0]);
        assert.ok(ins.type === 'card-inserted' && toHex(ins.atr) === T1_ATR);
      } finally {
        offSecond();
      }
    } finally {
      offFirst();
    }
  });

  test('a card pulled mid-APDU fails the pending transmit with CARD_REMOVED, and later ones too', async () => {
    await insert(0, slowCard(3000));
    const conn = await driver.connect(fx.readers[0]);
    const pending = conn.transmit(SELECT_PSE);
    setTimeout(() => void fx.slots[0].remove(), 150);
    const t0 = Date.now();
    await rejectsWith(pending, 'CARD_REMOVED');
    assert.ok(Date.now() - t0 < 2900, 'failed before the slow card would have answered');
    await rejectsWith(conn.transmit(SELECT_PSE), 'CARD_REMOVED');
    await conn.disconnect();
  });

  test('a mute card ends in TRANSMIT_TIMEOUT and the connection refuses reuse', async () => {
    await insert(0, demoCard(), { muteAfter: 0 });
    const conn = await driver.connect(fx.readers[0], { transmitTimeoutMs: 300 });
    await rejectsWith(conn.transmit(SELECT_PSE), 'TRANSMIT_TIMEOUT');
    await rejectsWith(conn.transmit(SELECT_PSE), 'TRANSMIT_TIMEOUT');
    await conn.disconnect();
    await fx.slots[0].remove();
  });

  test('an exclusive holder makes another client fail with SHARING_VIOLATION', async () => {
    await insert(0, demoCard());
    const other = await PcscReaderDriver.create();
    const held = await driver.connect(fx.readers[0], { share: 'exclusive' });
    try {
      await rejectsWith(other.connect(fx.readers[0]), 'SHARING_VIOLATION');
    } finally {
      await held.disconnect();
    }
    const again = await other.connect(fx.readers[0]);
    assert.equal(toHex(await again.transmit(SELECT_PSE)).slice(-4), '9000');
    await again.disconnect();
    await other.close();
  });

  test('transactions on one reader never interleave', async () => {
    const card = new TableCard(T1_ATR, { '00B2010C00': '9000', '00B2020C00': '9000', '00B2030C00': '9000' });
    await insert(0, card);
    const a = await driver.connect(fx.readers[0]);
    const b = await driver.connect(fx.readers[0]);
    const seq = (tag: number) => async (ch: { transmit(c: Uint8Array): Promise<Uint8Array> }) => {
      for (let i = 1; i <= 3; i++) {
        await ch.transmit(CommandApdu.readRecord(1, i).encode());
        await new Promise((r) => setTimeout(r, tag));
      }
    };
    await Promise.all([a.transaction(seq(5)), b.transaction(seq(1)), a.transaction(seq(2))]);
    const runs = [card.log.slice(0, 3), card.log.slice(3, 6), card.log.slice(6, 9)];
    for (const run of runs) assert.deepEqual(run, ['00B2010C00', '00B2020C00', '00B2030C00']);
    await a.disconnect();
    await b.disconnect();
  });

  test('pcscd restarted: service-lost, service-back, readers and card found again, same driver', async () => {
    await waitForCard(driver, fx.readers[0], true);
    const log = new EventLog();
    const unsubscribe = driver.subscribe(log.push);
    try {
      await log.waitFor((e) => e.type === 'card-inserted');
      await fx.slots[0].remove();
      await fx.stack.stopDaemon();
      await log.waitFor((e) => e.type === 'service-lost');
      await rejectsWith(driver.listReaders(), 'PCSC_NO_SERVICE');
      await fx.stack.startDaemon();
      await fx.slots[0].insert(demoCard());
      const back = log.events.length;
      await log.waitFor((e) => e.type === 'service-back', 8000, back - 1);
      await log.waitFor((e) => e.type === 'card-inserted' && e.reader === fx.readers[0], 8000, back - 1);
      await waitForCard(driver, fx.readers[0], true);
      const conn = await driver.connect(fx.readers[0]);
      assert.equal(toHex(await conn.transmit(SELECT_PSE)).slice(-4), '9000');
      await conn.disconnect();
    } finally {
      unsubscribe();
    }
  });

  test('pcscd killed mid-transmit: the pending transmit rejects with a typed error, never hangs', async () => {
    await insert(0, slowCard(4000));
    const conn = await driver.connect(fx.readers[0], { transmitTimeoutMs: 3000 });
    const pending = conn.transmit(SELECT_PSE);
    setTimeout(() => void fx.stack.stopDaemon('SIGKILL'), 150);
    try {
      await pending;
      assert.fail('transmit resolved although pcscd was killed');
    } catch (err) {
      assert.ok(err instanceof ReaderError, String(err));
      assert.ok(['CARD_REMOVED', 'PCSC_NO_SERVICE', 'READER_UNAVAILABLE', 'PCSC_ERROR', 'TRANSMIT_TIMEOUT'].includes(err.code), err.code);
    }
    await conn.disconnect();
    await fx.slots[0].remove();
    await fx.stack.startDaemon();
  });
});

for (const [kind, makeDriver] of DRIVERS) describe(`${kind} without a PC/SC service`, { skip: pcscSkip }, () => {
  test('reports PCSC_NO_SERVICE, then service-back once pcscd starts', async () => {
    const driver = await makeDriver();
    await rejectsWith(driver.listReaders(), 'PCSC_NO_SERVICE');
    const log = new EventLog();
    driver.subscribe(log.push);
    await log.waitFor((e) => e.type === 'service-lost');
    const fx = await startStack(35990);
    try {
      await log.waitFor((e) => e.type === 'service-back');
      await log.waitFor((e) => e.type === 'reader-attached');
      assert.equal((await driver.listReaders()).length, 2);
    } finally {
      await driver.close();
      await fx.stack.stop();
    }
  });
});
