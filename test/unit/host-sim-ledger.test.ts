// The host simulator's ledger under batch upload and alteration: the answers that let the report name each item
// the host had otherwise (docs/host.md, "Batch upload answers"), and its totals after each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Iso8583Message } from '../../src/host/iso8583/index.js';
import { UPLOAD_CODES } from '../../src/host/settlement.js';
import { SimLedger } from '../../src/sim/host/ledger.js';
import { SIM_CODES } from '../../src/sim/host/rules.js';

test("the simulator's batch upload codes are the terminal's convention (UPLOAD_CODES)", () => {
  assert.deepEqual(
    [SIM_CODES.approved, SIM_CODES.uploadNotCounted, SIM_CODES.uploadAmountDiffers, SIM_CODES.uploadCountedReversed],
    [UPLOAD_CODES.matched, UPLOAD_CODES.hostMissing, UPLOAD_CODES.amountDiffers, UPLOAD_CODES.hostReversed],
  );
});

const sale = (stan: string, amount: number, mti = '0200'): Iso8583Message =>
  Iso8583Message.of(mti, { 3: '000000', 4: String(amount).padStart(12, '0'), 11: stan, 41: 'TERM0001', 49: '978' });

test('an upload says what the ledger had (matched, missing, another amount, reversed) and then counts it as uploaded', () => {
  const l = new SimLedger();
  l.record(sale('000001', 1000), true);
  l.record(sale('000002', 2000), true);
  l.record(sale('000003', 3000), true);
  assert.ok(l.alter('TERM0001', '000002', { amount: 1500 }));
  assert.ok(l.reverse('TERM0001', '000003'));
  assert.deepEqual([l.totals('978').debitsNumber, l.totals('978').debitsAmount, l.totals('978').debitReversalsAmount], [3, 5500, 3000]);
  assert.deepEqual(l.upload(sale('000001', 1000, '0320')), { had: 'matched', hostAmount: 1000 });
  assert.deepEqual(l.upload(sale('000002', 2000, '0320')), { had: 'amount', hostAmount: 1500 });
  assert.deepEqual(l.upload(sale('000003', 3000, '0320')), { had: 'reversed', hostAmount: 3000 });
  assert.deepEqual(l.upload(sale('000004', 400, '0320')).had, 'missing');
  const t = l.totals('978');
  assert.deepEqual([t.debitsNumber, t.debitsAmount, t.debitReversalsNumber, t.debitReversalsAmount], [4, 6400, 0, 0]);
});

test('a dropped transaction is no longer counted; altering one never counted is refused', () => {
  const l = new SimLedger();
  l.record(sale('000010', 700), true);
  assert.ok(l.alter('TERM0001', '000010', { drop: true }));
  assert.deepEqual([l.totals('978').debitsNumber, l.totals('978').debitsAmount], [0, 0]);
  assert.equal(l.alter('TERM0001', '000010', { drop: true }), false);
  assert.equal(l.alter('TERM0001', '999999', { amount: 1 }), false);
  assert.equal(l.upload(sale('000010', 700, '0320')).had, 'missing');
  assert.deepEqual([l.totals('978').debitsNumber, l.totals('978').debitsAmount], [1, 700]);
});
