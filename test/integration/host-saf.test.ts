// Store and forward against the simulator: FIFO order survives closing and reopening the journal, a host "retry"
// code keeps the item at the head, expiry and the attempt limit hand the item to a person (listed, never dropped),
// and the queued payloads in the SQLite files never hold the PAN in clear.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromHex } from '../../src/apdu/hex.js';
import { saleFor, stackFor, startSimulator, tempDir, TestClock, withHost } from '../helpers/host-fixture.js';

const PAN = '4761739001010010';

/** Every file of the journal directory, concatenated (database, WAL, shared memory, key). */
function journalBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
}

describe('store and forward', { timeout: 20_000 }, () => {
  test('FIFO across a restart: the head that failed goes first (as a repeat), then the rest in order', async () => {
    const tmp = tempDir('saf');
    const sim = await startSimulator();
    const clock = new TestClock();
    try {
      let stack = stackFor(sim, tmp.dir, clock);
      const sale = await stack.link.authorize(saleFor('visa-issuer-scripts', 2100, 'saf-sale', { track2: `${PAN}D28122011234567890` }));
      assert.equal(sale.outcome, 'approved');
      stack.link.reverse(sale.reversalId!, 'cancelled'); // item 1
      stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 2200, 'saf-adv-1'), 'Y1'); // item 2
      stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 2300, 'saf-adv-2'), 'Y1'); // item 3
      await sim.setMode('down');
      assert.equal(await stack.worker.step(), 'retry', 'the line is down: the head stays');
      assert.deepEqual(stack.queue.list(['pending']).map((i) => [i.ref, i.attempts]), [
        ['saf-sale', 1],
        ['saf-adv-1', 0],
        ['saf-adv-2', 0],
      ]);
      await stack.close();

      const stored = journalBytes(tmp.dir);
      assert.equal(stored.indexOf(PAN), -1, 'no ASCII PAN in the journal files');
      assert.equal(stored.indexOf(Buffer.from(fromHex(PAN))), -1, 'no BCD PAN in the journal files');

      await sim.setMode('normal');
      sim.clearReceived();
      stack = stackFor(sim, tmp.dir, clock);
      assert.equal(stack.queue.recover(clock.now()), 0, 'nothing was armed or in flight');
      clock.advance(5000);
      await stack.worker.drain();
      assert.deepEqual(sim.received().map((r) => [r.mti, r.amount, r.answer?.responseCode]), [
        ['0421', 2100, '00'],
        ['0220', 2200, '00'],
        ['0220', 2300, '00'],
      ]);
      assert.deepEqual(stack.queue.list().map((i) => i.status), ['done', 'done', 'done']);
      await stack.close();
    } finally {
      await sim.stop();
      tmp.remove();
    }
  });

  test('a retry code (91) keeps the item at the head, the one behind waits; the repeat 0221 then succeeds', async () => {
    await withHost(async ({ sim, stack, clock }) => {
      sim.answerNext('91', 1, ['0220']);
      const first = stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 3100, 'adv-a'), 'Y1');
      stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 3200, 'adv-b'), 'Y1');
      assert.equal(await stack.worker.step(), 'retry');
      const head = stack.queue.get(first)!;
      assert.deepEqual([head.status, head.attempts, head.lastError], ['pending', 1, 'host asked to retry (91)']);
      assert.equal(await stack.worker.step(), 'idle', 'FIFO: the second advice does not overtake the waiting head');
      clock.advance(1000);
      await stack.worker.drain();
      assert.deepEqual(sim.received().map((r) => [r.mti, r.amount, r.answer?.responseCode]), [
        ['0220', 3100, '91'],
        ['0221', 3100, '00'],
        ['0220', 3200, '00'],
      ]);
      assert.equal(sim.totals().debitsNumber, 2, 'the refused first try did not count; the repeat did, once');
    });
  });

  test('expiry: an item past its lifetime goes to manual handling, listed with the last error; the next proceeds', async () => {
    await withHost(
      async ({ sim, stack, clock }) => {
        const id = stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 4100, 'exp-a'), 'Y1');
        await sim.setMode('down');
        assert.equal(await stack.worker.step(), 'retry');
        clock.advance(3000);
        assert.equal(await stack.worker.step(), 'manual');
        const manual = stack.queue.list(['manual']);
        assert.deepEqual(manual.map((i) => [i.id, i.ref, i.lastError]), [[id, 'exp-a', 'expired after 1 attempt(s); last: HOST_UNREACHABLE']]);
        await sim.setMode('normal');
        await new Promise((r) => setTimeout(r, 30));
        stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 4200, 'exp-b'), 'Y1');
        await stack.worker.drain();
        assert.deepEqual(sim.received().map((r) => r.amount), [4200]);
        assert.equal(stack.queue.list(['manual']).length, 1, 'the manual item stays listed');
      },
      { stack: { link: { authTimeoutMs: 1000, queueTtlMs: 2000 } } },
    );
  });

  test('attempt limit: retry codes until maxAttempts → manual, never dropped', async () => {
    await withHost(
      async ({ sim, stack, clock }) => {
        sim.answerNext('96', 10);
        const sale = await stack.link.authorize(saleFor('visa-issuer-scripts', 5000, 'lim'));
        assert.equal(sale.responseCode, '96');
        const adv = stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 5100, 'lim-adv'), 'Y1');
        assert.equal(await stack.worker.step(), 'retry');
        clock.advance(1000);
        assert.equal(await stack.worker.step(), 'manual');
        assert.equal(stack.queue.get(adv)?.lastError, 'gave up after 2 attempts: host asked to retry (96)');
        assert.deepEqual(sim.received().map((r) => r.mti), ['0200', '0220', '0221']);
      },
      { stack: { saf: { maxAttempts: 2 } } },
    );
  });
});
