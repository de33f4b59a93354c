// Settlement batches in a real SQLite journal, reconciled with a scripted host over the loopback channel.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLoopbackPair } from '../../src/host/channel.js';
import { DEFAULT_SPEC, encodeTpdu, Iso8583Message, pack, unpack } from '../../src/host/iso8583/index.js';
import { RequestMatcher, responseMti } from '../../src/host/matcher.js';
import { buildAuthRequest, type TerminalIdentity } from '../../src/host/messages.js';
import { Settlement } from '../../src/host/settlement.js';
import { Batches } from '../../src/journal/batches.js';
import { openDatabase } from '../../src/journal/database.js';
import { Sealer } from '../../src/journal/sealed.js';

const dir = mkdtempSync(join(tmpdir(), 'posbridge-settle-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ID: TerminalIdentity = { terminalId: 'POSB0001', merchantId: 'MERCHANT0000001', header: encodeTpdu(1, 0) };
const NOW = new Date(Date.UTC(2026, 10, 26, 12, 0, 0));

function sale(ref: string, amount: number, currency = '978'): Uint8Array {
  const req = buildAuthRequest({ kind: 'sale', ref, amount, currency, pan: '4761739001010119', expiry: '2812', posEntryMode: '051' }, ID, '000001', NOW);
  return pack(DEFAULT_SPEC, req);
}

test('totals per currency; 95 leads to batch upload and a second 0500; the batch closes only when agreed', async () => {
  const db = openDatabase(join(dir, 'j.db'));
  const batches = new Batches(db, Sealer.fromKey(new Uint8Array(32).fill(7)));
  batches.record({ ref: 'a', kind: 'sale', amount: 1234, currency: '978', stan: '000001', authCode: 'A1', request: sale('a', 1234) }, 1);
  batches.record({ ref: 'b', kind: 'sale', amount: 500, currency: '978', stan: '000002', authCode: 'A2', request: sale('b', 500) }, 2);
  batches.record({ ref: 'c', kind: 'refund', amount: 200, currency: '978', stan: '000003', authCode: 'A3', request: sale('c', 200) }, 3);
  batches.record({ ref: 'd', kind: 'sale', amount: 999, currency: '840', stan: '000004', authCode: 'A4', request: sale('d', 999, '840') }, 4);
  batches.record({ ref: 'b', kind: 'sale', amount: 500, currency: '978', stan: '000002', authCode: 'A2', request: sale('b', 500) }, 5); // recorded twice: counted once
  batches.markReversed('b', 'sale');

  const [term, host] = createLoopbackPair();
  const seen: Iso8583Message[] = [];
  let eurTries = 0;
  host.onMessage((bytes) => {
    const m = unpack(DEFAULT_SPEC, bytes);
    seen.push(m);
    let code = '00';
    if (m.mti === '0500' && m.text(50) === '978' && eurTries++ === 0) code = '95';
    void host.send(pack(DEFAULT_SPEC, m.withMti(responseMti(m.mti)).with(39, code)));
  });
  const s = new Settlement(new RequestMatcher(term, { pack: (m) => pack(DEFAULT_SPEC, m), unpack: (b) => unpack(DEFAULT_SPEC, b) }), batches, db, DEFAULT_SPEC, ID, { responseTimeoutMs: 500, uploadOnMismatch: true }, () => NOW);
  const result = await s.settle();
  assert.ok(result);
  assert.equal(result.closed, true);
  const eur = result.currencies.find((c) => c.totals.currency === '978');
  assert.deepEqual(eur?.totals, {
    currency: '978',
    salesCount: 2,
    salesAmount: 1734,
    refundsCount: 1,
    refundsAmount: 200,
    salesReversedCount: 1,
    salesReversedAmount: 500,
    refundsReversedCount: 0,
    refundsReversedAmount: 0,
  });
  assert.equal(eur?.uploaded, 2, 'the unreversed EUR sale and refund were uploaded');
  assert.deepEqual(seen.map((m) => `${m.mti}:${m.text(3)}:${m.text(m.mti === '0500' ? 50 : 49) ?? ''}`), [
    '0500:920000:840',
    '0500:920000:978',
    '0320:000000:978',
    '0320:000000:978',
    '0500:960000:978',
  ]);
  const first = seen.find((m) => m.mti === '0500' && m.text(50) === '978');
  assert.equal(first?.text(49), undefined, 'a reconciliation carries the settlement currency (50), not a transaction currency (49)');
  assert.deepEqual(
    [76, 77, 88, 89, 74, 86, 97].map((f) => first?.text(f)),
    ['0000000002', '0000000001', '0000000000001734', '0000000000000500', '0000000001', '0000000000000200', 'C0000000000001034'],
  );
  assert.equal(batches.get(result.batchId)?.status, 'closed');
  assert.equal(batches.open(10).id !== result.batchId, true, 'a new batch opens for the next sales');
  db.close();
});

test('a batch the host does not agree to stays settling and is retried next time', async () => {
  const db = openDatabase(join(dir, 'k.db'));
  const batches = new Batches(db, Sealer.fromKey(new Uint8Array(32)));
  batches.record({ ref: 'x', kind: 'sale', amount: 100, currency: '978', stan: '000001', authCode: null, request: sale('x', 100) }, 1);
  const [term, host] = createLoopbackPair();
  let code = '95';
  host.onMessage((bytes) => {
    const m = unpack(DEFAULT_SPEC, bytes);
    void host.send(pack(DEFAULT_SPEC, m.withMti(responseMti(m.mti)).with(39, code)));
  });
  const s = new Settlement(new RequestMatcher(term, { pack: (m) => pack(DEFAULT_SPEC, m), unpack: (b) => unpack(DEFAULT_SPEC, b) }), batches, db, DEFAULT_SPEC, ID, { responseTimeoutMs: 500, uploadOnMismatch: false }, () => NOW);
  const r1 = await s.settle();
  assert.equal(r1?.closed, false);
  assert.equal(batches.get(r1?.batchId ?? 0)?.status, 'settling');
  batches.record({ ref: 'y', kind: 'sale', amount: 1, currency: '978', stan: '000002', authCode: null, request: sale('y', 1) }, 2);
  code = '00';
  const r2 = await s.settle();
  assert.equal(r2?.batchId, r1?.batchId, 'the unfinished batch goes first');
  assert.equal(r2?.closed, true);
  assert.equal(r2?.currencies[0].totals.salesAmount, 100, 'the new sale went to a new batch');
  db.close();
});
