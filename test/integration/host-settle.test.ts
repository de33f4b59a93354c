// Completed sales land in the batch; settlement with the simulator agrees, or uploads and agrees after a 95.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { saleFor, withHost } from '../helpers/host-fixture.js';

test('completed sales and refunds are batched; a reversed sale is not; the simulator agrees and the batch closes', async () => {
  await withHost(async ({ sim, stack }) => {
    const a = await stack.link.authorize(saleFor('visa-issuer-scripts', 1234, 's1'));
    const b = await stack.link.authorize(saleFor('visa-sda-pse', 700, 's2'));
    assert.equal(a.outcome, 'approved');
    assert.equal(b.outcome, 'approved');
    stack.link.complete(a.reversalId ?? -1);
    stack.link.reverse(b.reversalId ?? -1, 'card declined after approval');
    await stack.worker.drain();
    const result = await stack.settlement.settle();
    assert.ok(result);
    assert.deepEqual(
      result.currencies.map((c) => [c.totals.currency, c.totals.salesCount, c.totals.salesAmount, c.responseCode, c.uploaded]),
      [['978', 2, 1934, '00', 0]],
    );
    assert.deepEqual([result.currencies[0].totals.salesReversedCount, result.currencies[0].totals.salesReversedAmount], [1, 700]);
    assert.equal(result.closed, true);
    assert.equal(stack.batches.get(result.batchId)?.status, 'closed');
    assert.ok(sim.received('0500').length === 1);
  });
});

test('totals the host does not agree with (95) are uploaded (0320) and settled again', async () => {
  await withHost(async ({ sim, stack }) => {
    const a = await stack.link.authorize(saleFor('visa-issuer-scripts', 1000, 't1'));
    stack.link.complete(a.reversalId ?? -1);
    // A sale the host never saw: the terminal approved offline and its advice has not been forwarded yet.
    stack.link.adviseOfflineApproval(saleFor('visa-sda-pse', 250, 't2'), 'Y1');
    const result = await stack.settlement.settle();
    assert.ok(result);
    assert.deepEqual(result.currencies.map((c) => [c.responseCode, c.uploaded, c.agreed]), [['00', 2, true]]);
    // The host's first answer (95) carried its own totals, without the sale it never saw; the upload's answers say
    // which item it lacked (N1) and which it had (00); the final answer agrees.
    const answers = stack.batches.hostAnswers(result.batchId);
    assert.deepEqual(answers.map((h) => [h.round, h.responseCode, h.totals?.salesCount, h.totals?.salesAmount]), [['final', '00', 2, 1250], ['first', '95', 1, 1000]]);
    assert.deepEqual(stack.batches.itemAnswers(result.batchId).map((i) => [i.responseCode, i.hostAmount]), [['00', null], ['N1', null]]);
    assert.equal(result.closed, true);
    assert.deepEqual(
      sim.received().filter((m) => m.mti !== null && /^0[35]/.test(m.mti)).map((m) => m.mti),
      ['0500', '0320', '0320', '0500'],
    );
  });
});

test('requests carry a durable RRN (37), repeated in their reversal; STANs never repeat across a reopen', async () => {
  await withHost(async ({ sim, stack }) => {
    const a = await stack.link.authorize(saleFor('visa-issuer-scripts', 1000, 'r1'));
    stack.link.reverse(a.reversalId ?? -1, 'cancelled after the request left');
    await stack.worker.drain();
    const [req] = sim.received('0200');
    const [rev] = sim.received('0400');
    assert.ok(req.present.includes(37) && rev.present.includes(37));
    const rrnOf = (m: typeof req): string | undefined => m.decoded?.fields.find((f) => f.field === 37)?.value;
    assert.match(rrnOf(req) ?? '', /^\d{12}$/);
    assert.equal(rrnOf(rev), rrnOf(req));
    assert.notEqual(req.stan, rev.stan);
  });
});
