// Every reversal trigger of HostLink against the simulator on 127.0.0.1, with the store-and-forward worker
// delivering the 0400 (and its 0421 repeat only when the 0400 went unanswered): no answer in time, an unparseable
// answer, the card declining after the host approved, the card removed after approval, a cancellation after the
// request left, the line dropped mid-response, a late answer; and a doubled answer that must change nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Iso8583Message } from '../../src/host/iso8583/index.js';
import { reversalsOf, saleFor, sleep, until, withHost, type HostWorld } from '../helpers/host-fixture.js';
import { runSale } from '../helpers/host-sale.js';

/** Runs the worker until idle and returns the reversals the simulator got for the original STAN. */
async function deliver(w: HostWorld, originalStan: string): Promise<{ mti: string | null; code: string | null }[]> {
  await w.stack.worker.drain();
  return reversalsOf(w.sim, originalStan).map((r) => ({ mti: r.mti, code: r.answer?.responseCode ?? null }));
}

/** The hex with the lowest bit of its first byte flipped (a corrupted ARPC). */
function flipFirstBit(hex: string): string {
  return (Number.parseInt(hex.slice(0, 2), 16) ^ 0x01).toString(16).padStart(2, '0').toUpperCase() + hex.slice(2);
}

/** The one 0200's STAN the simulator received. */
function saleStan(w: HostWorld): string {
  const sales = w.sim.received('0200');
  assert.equal(sales.length, 1, 'exactly one 0200 reached the simulator');
  return sales[0].stan!;
}

describe('reversal triggers', { timeout: 30_000 }, () => {
  test('amount .99 (no answer): timeout → exactly one 0400, answered 0410 00, no repeat', async () => {
    await withHost(
      async (w) => {
        const r = await w.stack.link.authorize(saleFor('visa-issuer-scripts', 1099, 't99'));
        assert.deepEqual([r.outcome, r.error, r.reversalQueued], ['unable', 'HOST_TIMEOUT', true]);
        assert.equal(w.sim.received('0200')[0].answer, null);
        assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }]);
        assert.deepEqual(w.stack.queue.list().map((i) => [i.status, i.reason]), [['done', 'HOST_TIMEOUT']]);
        await w.stack.worker.drain();
        await sleep(50);
        assert.equal(reversalsOf(w.sim, saleStan(w)).length, 1, 'nothing after the 0410');
      },
      { stack: { link: { authTimeoutMs: 150 } } },
    );
  });

  test('mode timeout: the 0400 goes unanswered too, so the 0421 repeat follows; then it stops', async () => {
    await withHost(
      async (w) => {
        await w.sim.setMode('timeout');
        const r = await w.stack.link.authorize(saleFor('visa-issuer-scripts', 1200, 'tmode'));
        assert.equal(r.error, 'HOST_TIMEOUT');
        const stan = saleStan(w);
        assert.equal(await w.stack.worker.step(), 'retry');
        assert.deepEqual(reversalsOf(w.sim, stan).map((x) => x.mti), ['0400']);
        await w.sim.setMode('normal');
        assert.equal(await w.stack.worker.step(), 'idle', 'the head waits for its backoff');
        w.clock.advance(1000);
        assert.deepEqual(await deliver(w, stan), [
          { mti: '0400', code: null },
          { mti: '0421', code: '00' },
        ]);
        const [item] = w.stack.queue.list();
        assert.deepEqual([item.status, item.attempts], ['done', 2]);
        assert.equal(w.sim.totals().debitsNumber, 0, 'a request that was never processed is not in the totals');
      },
      { stack: { link: { authTimeoutMs: 150 }, saf: { responseTimeoutMs: 150 } } },
    );
  });

  test('mode garbage: an unparseable answer → HOST_RESPONSE_INVALID → one 0400', async () => {
    await withHost(async (w) => {
      await w.sim.setMode('garbage');
      const r = await w.stack.link.authorize(saleFor('visa-issuer-scripts', 1300, 'garbage'));
      assert.deepEqual([r.outcome, r.error, r.reversalQueued], ['unable', 'HOST_RESPONSE_INVALID', true]);
      assert.equal(w.sim.received('0200')[0].delivery, 'garbage');
      await w.sim.setMode('normal');
      assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }]);
      const t = w.sim.totals();
      assert.deepEqual([t.debitsNumber, t.debitReversalsNumber, t.debitReversalsAmount], [1, 1, 1300], 'the approval the terminal never read is reversed');
    });
  });

  test('the card declines after the host approved (ARPC corrupted on the way) → reverse() → one 0400', async () => {
    await withHost(async (w) => {
      const run = await runSale({
        profile: 'visa-issuer-scripts',
        amount: 1400,
        ref: 'card-declined',
        link: w.stack.link,
        afterHost: (auth) => ({ ...auth, issuerAuthenticationData: flipFirstBit(auth.issuerAuthenticationData ?? '') }),
      });
      assert.equal(run.auth?.outcome, 'approved');
      assert.equal(run.outcome?.result, 'declined');
      assert.equal(run.outcome?.decidedBy, 'card-after-host');
      assert.ok(Number.parseInt(run.outcome!.tvr.slice(8, 10), 16) & 0x40, 'TVR: issuer authentication failed');
      assert.equal(run.outcome?.reversalRequired, true);
      assert.equal(run.reversal, 'card declined after host approval');
      assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }]);
    });
  });

  test('the card is removed after approval → reversal → one 0400', async () => {
    await withHost(async (w) => {
      const run = await runSale({ profile: 'visa-issuer-scripts', amount: 1500, ref: 'removed', link: w.stack.link, afterHost: (_auth, reader) => reader.remove() });
      assert.equal(run.error?.code, 'EMV_CARD_REMOVED');
      assert.equal(run.error?.details.hostApproved, true);
      assert.equal(run.reversal, 'card removed after approval');
      assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }]);
    });
  });

  test('cancelled after the request left (answer arrives later, approved) → reversal → one 0400', async () => {
    await withHost(async (w) => {
      await w.sim.setMode('late', { delayMs: 100 });
      const cancel = new AbortController();
      const off = w.sim.onMessage((r) => {
        if (r.mti === '0200') cancel.abort();
      });
      const run = await runSale({ profile: 'visa-issuer-scripts', amount: 1600, ref: 'cancelled', link: w.stack.link, signal: cancel.signal });
      off();
      assert.equal(run.auth?.outcome, 'approved');
      assert.equal(run.error?.code, 'EMV_CANCELLED');
      assert.equal(run.reversal, 'cancelled after the request left');
      await w.sim.setMode('normal');
      assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }]);
    });
  });

  test('the line drops mid-response → HOST_DISCONNECTED at once (not after the timeout) → one 0400 on a new connection', async () => {
    await withHost(
      async (w) => {
        await w.sim.setMode('drop-mid-response');
        const t0 = Date.now();
        const r = await w.stack.link.authorize(saleFor('visa-issuer-scripts', 1700, 'dropped'));
        assert.deepEqual([r.outcome, r.error, r.reversalQueued], ['unable', 'HOST_DISCONNECTED', true]);
        assert.ok(Date.now() - t0 < 2000, 'failed when the line dropped, not at the 5 s timeout');
        assert.equal(w.sim.received('0200')[0].delivery, 'dropped-mid-response');
        await w.sim.setMode('normal');
        await sleep(30); // past the reconnect backoff
        assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }]);
        const conns = w.sim.received().map((m) => m.connection);
        assert.notEqual(conns[0], conns.at(-1), 'the reversal went on a new connection');
      },
      { stack: { link: { authTimeoutMs: 5000 } } },
    );
  });

  test('a late answer (after the timeout) is dropped as unmatched; the reversal goes out once', async () => {
    await withHost(
      async (w) => {
        const unmatched: Iso8583Message[] = [];
        w.stack.matcher.onUnmatched((m) => unmatched.push(m));
        await w.sim.setMode('late', { delayMs: 300, only: ['0200'] });
        const r = await w.stack.link.authorize(saleFor('visa-issuer-scripts', 1800, 'late'));
        assert.deepEqual([r.outcome, r.error], ['unable', 'HOST_TIMEOUT']);
        assert.deepEqual(await deliver(w, saleStan(w)), [{ mti: '0400', code: '00' }], 'only 0200s are late: the 0400 is answered at once');
        await until(() => unmatched.length > 0, 3000, 'the late 0210');
        await sleep(20);
        assert.deepEqual(unmatched.map((m) => [m.mti, m.text(39)]), [['0210', '00']]);
        assert.equal(reversalsOf(w.sim, saleStan(w)).length, 1);
        assert.deepEqual(w.stack.queue.list().map((i) => i.status), ['done']);
      },
      { stack: { link: { authTimeoutMs: 100 } } },
    );
  });

  test('a doubled answer: the duplicate is dropped, one approval, nothing reversed', async () => {
    await withHost(async (w) => {
      const unmatched: Iso8583Message[] = [];
      w.stack.matcher.onUnmatched((m) => unmatched.push(m));
      await w.sim.setMode('twice');
      const r = await w.stack.link.authorize(saleFor('visa-issuer-scripts', 1900, 'twice'));
      assert.equal(r.outcome, 'approved');
      w.stack.link.complete(r.reversalId!);
      await until(() => unmatched.length > 0, 2000, 'the second copy');
      await sleep(20);
      assert.equal(unmatched.length, 1, 'the second copy matched nothing');
      assert.equal(w.sim.received('0200')[0].delivery, 'twice');
      await w.stack.worker.drain();
      assert.equal(reversalsOf(w.sim, saleStan(w)).length, 0);
      assert.deepEqual(w.stack.queue.list().map((i) => i.status), ['disarmed']);
      assert.deepEqual([w.sim.totals().debitsNumber, w.sim.totals().debitsAmount], [1, 1900]);
    });
  });
});
