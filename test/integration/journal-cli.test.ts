// `posbridge journal` on a real journal: list, show with events, CSV export (masked PANs only), online backup (encrypted).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { processContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { verifyBackup } from '../../src/journal/backup.js';
import { openDatabase } from '../../src/journal/database.js';
import { loadKeyFile } from '../../src/journal/sealed.js';
import { PaymentStore } from '../../src/payments/payment-store.js';

const dir = mkdtempSync(join(tmpdir(), 'posbridge-jcli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  process.env.POSBRIDGE_DATA_DIR = dir;
  process.env.POSBRIDGE_CONFIG_DIR = join(dir, 'config'); // where `journal backup` makes its backup key
  const code = await runCli({ ...processContext(), out: (l) => out.push(l), err: (l) => out.push(`ERR ${l}`) }, argv);
  return { code, out };
}

test('journal list, show, export --csv and backup', async () => {
  const db = openDatabase(join(dir, 'journal.db'));
  const store = new PaymentStore(db, new Uint8Array(loadKeyFile(join(dir, 'pan-hash.key'))));
  const p = store.create({ lane: 'A', type: 'sale', amount: 1234, currency: '978', reference: 'order,"7"' }, Date.UTC(2026, 10, 26, 9)).payment;
  store.move(p.id, 'card-read', Date.UTC(2026, 10, 26, 9, 0, 1), { pan: '4761739001010119' });
  store.move(p.id, 'completed', Date.UTC(2026, 10, 26, 9, 0, 2), { result: 'approved', authCode: 'A1' });
  db.close();

  const list = await cli(['journal', 'list', '--json']);
  assert.equal(list.code, 0);
  const payments = (JSON.parse(list.out[0]) as { payments: { paymentId: string; maskedPan: string; currency: string }[] }).payments;
  assert.deepEqual(payments.map((x) => [x.paymentId, x.maskedPan, x.currency]), [[p.id, '476173******0119', 'EUR']]);

  const text = await cli(['journal', 'list']);
  assert.equal(text.out.length, 1);
  assert.match(text.out[0], / 12\.34 EUR {2}completed /, 'the amount in major units, with the currency');

  const show = await cli(['journal', 'show', p.id, '--json']);
  assert.deepEqual((JSON.parse(show.out[0]) as { events: { state: string }[] }).events.map((e) => e.state), ['created', 'card-read', 'completed']);

  const csv = await cli(['journal', 'export', '--csv', '--from', '2026-11-26', '--to', '2026-11-27']);
  assert.match(csv.out[0], /^paymentId,reference,lane,type,amount,currency,state,result,maskedPan/);
  assert.ok(csv.out[1].includes('"order,""7"""'), 'CSV quoting');
  assert.ok(csv.out[1].includes('476173******0119') && !csv.out.join('\n').includes('4761739001010119'));
  assert.equal((await cli(['journal', 'export', '--from', '2027-01-01'])).out.length, 1, 'header only outside the range');

  for (let i = 0; i < 3; i++) assert.equal((await cli(['journal', 'backup', '--keep', '2'])).code, 0);
  const backups = readdirSync(join(dir, 'backups'));
  assert.equal(backups.length, 2, 'only the newest two kept');
  // `journal backup` is `backup now`: encrypted, with the backup key outside the data directory (test/…/backup.test.ts).
  const { report } = verifyBackup(readFileSync(join(dir, 'backups', backups[1])), readFileSync(join(dir, 'config', 'backup.key')));
  assert.equal(report.counts.payments, 1);
  assert.equal((await cli(['journal', 'frobnicate'])).code, 2);
  assert.ok(existsSync(join(dir, 'journal.db')));
});
