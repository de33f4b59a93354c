// A reader wedged inside a synchronous PC/SC call (SCardDisconnect with reset on a card that never answers again:
// vpcd waits on the card inside pcscd) stalls only its own host process: the watchdog kills it, the other reader and
// the listing go on answering, and the reader works again once the card is replaced.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CommandApdu } from '../../src/apdu/command-apdu.js';
import { toHex } from '../../src/apdu/hex.js';
import { IsolatedPcscDriver } from '../../src/drivers/pcsc/isolated-pcsc-driver.js';
import { demoCard } from '../../src/sim/table-card.js';
import { pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

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
});
