// A reader wedged inside a synchronous PC/SC call (SCardDisconnect with reset on a card that never answers again:
// vpcd waits on the card inside pcscd) stalls only its own host process: the watchdog kills it, the other reader and
// the listing go on answering, and the reader works again once the card is replaced.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CommandApdu } from '../../src/apdu/command-apdu.js';
import { toHex } from '../../src/apdu/hex.js';
import { IsolatedPcscDriver } from '../../src/drivers/pcsc/isolated-pcsc-driver.js';
import { demoCard } from '../../src/sim/table-card.js';
import { readdirSync, readFileSync } from 'node:fs';
import { EventLog, pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

/** This process's PC/SC host processes, oldest first (by pid). */
function hostPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        return Number(stat[1]) === process.pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('pcsc-host-process');
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number)
    .sort((a, b) => a - b);
}

const SELECT_PSE = CommandApdu.select(new TextEncoder().encode('1PAY.SYS.DDF01')).encode();

describe('IsolatedPcscDriver with a wedged reader', { skip: pcscSkip }, () => {
  let fx: StackFixture;
  let driver: IsolatedPcscDriver;

  before(async () => {
    fx = await startStack(36440);
    driver = new IsolatedPcscDriver({ wedgedAfterMs: 1500, driver: { pollMs: 200, retryMs: 100 } });
  });
  after(async () => {
    await driver?.close();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
  });

  test('a disconnect that never returns: the host is killed, the other reader and the listing answer meanwhile', async () => {
    await fx.slots[0].insert(demoCard(), { freezeOnPowerOff: true });
    await fx.slots[1].insert(demoCard());
    await waitForCard(driver, fx.readers[0], true);
    await waitForCard(driver, fx.readers[1], true);
    const stuck = await driver.connect(fx.readers[0]);
    const other = await driver.connect(fx.readers[1]); // its host is up before the wedge: what follows takes ms
    assert.equal(toHex(await stuck.transmit(SELECT_PSE)).slice(-4), '9000');

    // The reset makes vpcd ask the frozen card for its ATR inside pcscd: SCardDisconnect blocks its host.
    let settled = false;
    const disconnecting = stuck.disconnect('reset').finally(() => (settled = true));
    assert.equal(toHex(await other.transmit(SELECT_PSE)).slice(-4), '9000', 'the other reader answers');
    assert.equal((await driver.listReaders()).length, 2, 'the listing answers');
    assert.equal(settled, false, 'the disconnect is still blocked in its host');
    await other.disconnect();
    await disconnecting; // released by the watchdog's kill, not by the card

    // The card replaced: the reader works again through a fresh host.
    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
    await fx.slots[0].insert(demoCard());
    await waitForCard(driver, fx.readers[0], true);
    const again = await driver.connect(fx.readers[0]);
    assert.equal(toHex(await again.transmit(SELECT_PSE)).slice(-4), '9000');
    await again.disconnect();
  });

  test('the monitor host killed: service-lost then service-back, no card reported removed, connections go on', async () => {
    const earlier = new Set(hostPids()); // the first test's driver has hosts of its own
    const fresh = new IsolatedPcscDriver({ restartMs: 100, driver: { pollMs: 200, retryMs: 100 } });
    const log = new EventLog();
    const unsubscribe = fresh.subscribe(log.push);
    try {
      await fx.slots[1].remove();
      await waitForCard(fresh, fx.readers[1], false);
      await fx.slots[1].insert(demoCard());
      await waitForCard(fresh, fx.readers[1], true);
      await log.waitFor((e) => e.type === 'card-inserted' && e.reader === fx.readers[1]);
      // The monitor host starts with the first subscriber, before any reader's: the oldest of this driver's hosts.
      const monitorPid = hostPids().filter((p) => !earlier.has(p))[0];
      const conn = await fresh.connect(fx.readers[1]);
      const before = log.events.length;
      process.kill(monitorPid, 'SIGKILL');
      await log.waitFor((e) => e.type === 'service-lost', 8000, before);
      await log.waitFor((e) => e.type === 'service-back', 8000, before);
      const meanwhile = log.events.slice(before).filter((e) => e.type === 'card-removed' || e.type === 'card-inserted');
      assert.deepEqual(meanwhile, [], 'the cards did not move, and none was reported moving');
      assert.equal(toHex(await conn.transmit(SELECT_PSE)).slice(-4), '9000', 'the reader host served on');
      await conn.disconnect();
    } finally {
      unsubscribe();
      await fresh.close();
    }
  });
});
