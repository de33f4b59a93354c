// A batch in three currencies (EUR, USD, JPY) with refunds and reversals, settled with the host simulator over real
// TCP and a real SQLite journal: one 0500 per settlement currency (field 50), the totals agree per currency, a
// currency the host refused is the only one sent again, and the next sale goes to a new batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthRequest } from '../../src/host/messages.js';
import type { RecordedMessage } from '../../src/sim/host/record.js';
import { saleFor, withHost, type HostWorld } from '../helpers/host-fixture.js';

const EUR = '978';
const USD = '840';
const JPY = '392';

/** A field of a recorded message as the simulator decoded it. */
function field(r: RecordedMessage, n: number): string | undefined {
  return r.decoded?.fields.find((f) => f.field === n)?.value;
}

/** Authorises `req`, then completes it at the card (or reverses it, as when the card declines after approval). */
async function run(w: HostWorld, req: AuthRequest, end: 'complete' | 'reverse' = 'complete'): Promise<void> {
  const a = await w.stack.link.authorize(req);
  assert.equal(a.outcome, 'approved', `${req.ref}: ${a.responseCode}`);
  if (end === 'complete') w.stack.link.complete(a.reversalId ?? -1);
  else w.stack.link.reverse(a.reversalId ?? -1, 'card declined after approval');
}

/** The batch of the test: sales, refunds and reversals in three currencies. */
async function fillBatch(w: HostWorld): Promise<void> {
  const sale = (profile: string, amount: number, ref: string, currency: string): AuthRequest => saleFor(profile, amount, ref, { currency });
  const refund = (profile: string, amount: number, ref: string, currency: string): AuthRequest => saleFor(profile, amount, ref, { currency, kind: 'refund' });
  await run(w, sale('visa-issuer-scripts', 1234, 'eur-s1', EUR));
  await run(w, sale('visa-sda-pse', 700, 'eur-s2', EUR), 'reverse');
  await run(w, refund('visa-sda-pse', 300, 'eur-r1', EUR));
  await run(w, sale('visa-issuer-scripts', 2500, 'usd-s1', USD));
  await run(w, refund('visa-issuer-scripts', 400, 'usd-r1', USD));
  await run(w, refund('visa-sda-pse', 150, 'usd-r2', USD), 'reverse');
  await run(w, sale('visa-sda-pse', 1200, 'jpy-s1', JPY));
  await run(w, sale('visa-issuer-scripts', 3000, 'jpy-s2', JPY));
  await w.stack.worker.drain(); // the reversals reach the host before the totals are compared
}

test('three currencies with refunds and reversals: one 0500 per currency (field 50), all agree, the batch closes; the next sale opens a new batch', async () => {
  await withHost(async (w) => {
    await fillBatch(w);
    // A JPY sale the host has not seen yet (offline approval, advice still queued): JPY needs a batch upload.
    w.stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 800, 'jpy-s3', { currency: JPY }), 'Y1');
    const result = await w.stack.settlement.settle();
    assert.ok(result);
    assert.equal(result.closed, true, JSON.stringify(result.currencies.map((c) => [c.totals.currency, c.responseCode])));
    assert.deepEqual(
      result.currencies.map((c) => [c.totals.currency, c.responseCode, c.uploaded, c.agreed]),
      [
        [JPY, '00', 3, true],
        [USD, '00', 0, true],
        [EUR, '00', 0, true],
      ],
    );
    const totals = Object.fromEntries(result.currencies.map((c) => [c.totals.currency, c.totals]));
    assert.deepEqual(
      [EUR, USD, JPY].map((c) => {
        const t = totals[c];
        return [t.salesCount, t.salesAmount, t.salesReversedCount, t.salesReversedAmount, t.refundsCount, t.refundsAmount, t.refundsReversedCount, t.refundsReversedAmount];
      }),
      [
        [2, 1934, 1, 700, 1, 300, 0, 0],
        [1, 2500, 0, 0, 2, 550, 1, 150],
        [3, 5000, 0, 0, 0, 0, 0, 0],
      ],
    );
    // What went on the line: per currency its own 0500 with field 50 and its own totals; the upload only for JPY.
    const recon = w.sim.received().filter((r) => r.mti === '0500' || r.mti === '0320');
    assert.deepEqual(
      recon.map((r) => `${r.mti}:${r.mti === '0500' ? field(r, 50) : field(r, 49)}:${r.answer?.responseCode ?? ''}`),
      // The upload's answer says per item what the host had: the offline sale it had not counted is N1 (docs/host.md).
      [`0500:${JPY}:95`, `0320:${JPY}:00`, `0320:${JPY}:00`, `0320:${JPY}:N1`, `0500:${JPY}:00`, `0500:${USD}:00`, `0500:${EUR}:00`],
    );
    const eur = recon.find((r) => r.mti === '0500' && field(r, 50) === EUR);
    assert.ok(eur);
    assert.deepEqual(
      [74, 75, 76, 77, 86, 87, 88, 89, 97].map((f) => field(eur, f)),
      ['0000000001', '0000000000', '0000000002', '0000000001', '0000000000000300', '0000000000000000', '0000000000001934', '0000000000000700', 'C0000000000000934'],
    );
    const usd = recon.find((r) => r.mti === '0500' && field(r, 50) === USD);
    assert.ok(usd);
    assert.equal(field(usd, 97), 'C0000000000002100', '2500 sold − (550 − 150) refunded');
    assert.equal(w.stack.batches.get(result.batchId)?.status, 'closed');

    // After settlement a sale goes into a new batch, which settles on its own.
    await run(w, saleFor('visa-issuer-scripts', 4200, 'eur-after', { currency: EUR }));
    const next = w.stack.batches.toSettle();
    assert.ok(next && next.id !== result.batchId, 'a new batch');
    assert.deepEqual(
      w.stack.batches.totals(next.id).map((t) => [t.currency, t.salesCount, t.salesAmount]),
      [[EUR, 1, 4200]],
    );
    const again = await w.stack.settlement.settle();
    assert.deepEqual([again?.batchId, again?.closed, again?.currencies.map((c) => c.responseCode)], [next.id, true, ['00']]);
  });
});

test('a currency the host did not agree to is the only one sent again: the agreed ones are not reconciled twice', async () => {
  await withHost(async (w) => {
    await fillBatch(w);
    // The second 0500 (USD) gets 96 (system malfunction): no upload, the batch stays settling.
    const off = w.sim.onMessage((r) => {
      if (r.mti !== '0500') return;
      off();
      w.sim.answerNext('96', 1, ['0500']);
    });
    const first = await w.stack.settlement.settle();
    assert.ok(first);
    assert.equal(first.closed, false);
    assert.deepEqual(
      first.currencies.map((c) => [c.totals.currency, c.responseCode, c.agreed]),
      [
        [JPY, '00', true],
        [USD, '96', false],
        [EUR, '00', true],
      ],
    );
    assert.equal(w.stack.batches.get(first.batchId)?.status, 'settling');
    // A sale meanwhile goes to a new batch, not to the settling one.
    await run(w, saleFor('visa-sda-pse', 900, 'eur-later', { currency: EUR }));
    w.sim.clearReceived();
    const second = await w.stack.settlement.settle();
    assert.ok(second);
    assert.equal(second.batchId, first.batchId, 'the unfinished batch goes first');
    assert.equal(second.closed, true, JSON.stringify(second.currencies));
    assert.deepEqual(
      w.sim.received('0500').map((r) => field(r, 50)),
      [USD],
      'only USD is reconciled again',
    );
    assert.deepEqual(
      second.currencies.map((c) => [c.totals.currency, c.responseCode, c.agreed]),
      [
        [JPY, '00', true],
        [USD, '00', true],
        [EUR, '00', true],
      ],
    );
  });
});
