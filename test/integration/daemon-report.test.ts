// The day and shift report on a demo daemon (virtual readers, the host simulator, two lanes each with an emulated
// ESC/POS printer): payments of several kinds, two currencies, two cashiers on two lanes, then report.get's totals
// equal the payments made (reversed and declined ones in their own lines); a cashier sees only its own shift; the
// host simulator's count of one payment is altered, the settlement disagrees, uploads and closes, and the report
// names that payment; report.print and shift.close print; the settlement closes a shift left open; the CLI's
// `posbridge report --json|--csv` reads the same journal while the daemon runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeApiError, PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';
import { REPORT_CSV_COLUMNS } from '../../src/reports/report-csv.js';

const run = promisify(execFile);

describe('day and shift report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-report-'));
  const printerA = new EscPosEmulator();
  const printerB = new EscPosEmulator();
  let d: RunningDaemon;
  const clients: PosbridgeClient[] = [];
  let ann: PosbridgeClient;
  let bob: PosbridgeClient;
  let sup: PosbridgeClient;
  const start = Date.now() - 1;

  const open = async (name: string, role: 'cashier' | 'supervisor'): Promise<PosbridgeClient> => {
    const c = new PosbridgeClient({ url: d.url, token: d.pair(name, role), WebSocket: WebSocket as unknown as WebSocketFactory });
    await c.connect();
    c.on('payment.progress', (m) => {
      if (m.step === 'pin-entry') void c.call('sim.enterPin', { lane: m.lane, pin: pins.get(m.lane) ?? '1234' });
    });
    clients.push(c);
    return c;
  };
  /** The test PIN of the card in each lane. */
  const pins = new Map<string, string>();
  const pay = async (c: PosbridgeClient, lane: string, type: 'sale' | 'refund' | 'preauth', amount: number, currency: 'EUR' | 'USD', reference: string, card: 'visa' | 'mastercard' = 'visa') => {
    pins.set(lane, card === 'visa' ? '1234' : '2468');
    await c.call('sim.insertCard', { lane, profile: card === 'visa' ? 'visa-sda-pse' : 'mastercard-cda-enciphered-pin' });
    const p = await c.pay({ lane, type, amount, currency, reference });
    await c.call('sim.removeCard', { lane });
    return p;
  };
  const printed = (p: EscPosEmulator, from: number): string[] => p.events.slice(from).flatMap((e) => (e.kind === 'line' ? [e.text] : []));
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'no error';
    } catch (err) {
      return err instanceof PosbridgeApiError ? err.code : String(err);
    }
  };

  before(async () => {
    const [pa, pb] = [await printerA.listen(), await printerB.listen()];
    const config = parseConfig({
      port: 0,
      dataDir: dir,
      readers: 'virtual',
      demo: true,
      printers: { front: { url: `tcp://127.0.0.1:${pa}` }, back: { url: `tcp://127.0.0.1:${pb}` } },
      lanes: [
        { name: 'A', reader: 'Virtual A', printer: 'front' },
        { name: 'B', reader: 'Virtual B', printer: 'back' },
      ],
    });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, undefined, printerA);
    ann = await open('ann', 'cashier');
    bob = await open('bob', 'cashier');
    sup = await open('office', 'supervisor');
  });
  after(async () => {
    for (const c of clients) c.close();
    await d.stop();
    await printerA.close();
    await printerB.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('shifts open once per lane and cashier', async () => {
    assert.equal((await ann.call('shift.open', { lane: 'A' })).cashier, 'ann');
    assert.equal(await code(ann.call('shift.open', { lane: 'A' })), 'BUSY');
    assert.equal((await bob.call('shift.open', { lane: 'B' })).lane, 'B');
    assert.equal(await code(bob.call('shift.close', { lane: 'A' })), 'NOT_FOUND');
  });

  test('payments of several kinds, currencies, cashiers and lanes: every total is the sum of the payments', async () => {
    assert.equal((await pay(ann, 'A', 'sale', 1000, 'EUR', 'r-a1')).result, 'approved');
    assert.equal((await pay(ann, 'A', 'sale', 1205, 'EUR', 'r-a2')).result, 'declined'); // the simulator's .05 rule
    assert.equal((await pay(ann, 'A', 'refund', 300, 'EUR', 'r-a3')).result, 'approved');
    assert.equal((await pay(ann, 'A', 'sale', 2500, 'USD', 'r-a4', 'mastercard')).result, 'approved');
    const voided = await pay(bob, 'B', 'sale', 700, 'EUR', 'r-b1');
    const reversed = new Promise<void>((resolve) => {
      const off = sup.on('payment.updated', (u) => {
        if (u.paymentId === voided.paymentId && u.state === 'reversed') {
          off();
          resolve();
        }
      });
    });
    await sup.call('payment.reverse', { paymentId: voided.paymentId });
    await reversed;
    const pre = await pay(bob, 'B', 'preauth', 5000, 'EUR', 'r-b2');
    assert.deepEqual(await bob.call('payment.capture', { paymentId: pre.paymentId, amount: 4000 }), { paymentId: pre.paymentId, captured: 4000 });
    assert.equal((await pay(bob, 'B', 'sale', 1500, 'USD', 'r-b3')).result, 'approved');

    const r = await sup.call('report.get', { from: new Date(start).toISOString(), to: new Date(Date.now() + 1).toISOString(), groupBy: ['cashier'] });
    assert.equal(r.payments, 7);
    const eur = r.totals.find((g) => g.currency === 'EUR');
    const usd = r.totals.find((g) => g.currency === 'USD');
    assert.ok(eur && usd, JSON.stringify(r.totals));
    const pairs = (g: typeof eur) => Object.fromEntries(Object.entries(g.lines).map(([k, l]) => [k, [l.count, l.amount]]));
    assert.deepEqual(pairs(eur), { sales: [1, 1000], refunds: [1, 300], preauths: [1, 5000], captures: [1, 4000], reversals: [1, 700], declines: [1, 1205], cancellations: [0, 0], inProgress: [0, 0] });
    assert.deepEqual([eur.net.amount, eur.net.decimal, eur.exponent], [4700, '47.00', 2]);
    assert.deepEqual(pairs(usd).sales, [2, 4000]);
    const annEur = r.groups.find((g) => g.key.cashier === 'ann' && g.currency === 'EUR');
    const bobEur = r.groups.find((g) => g.key.cashier === 'bob' && g.currency === 'EUR');
    assert.deepEqual([annEur?.lines.sales.amount, annEur?.lines.refunds.amount, annEur?.lines.declines.count], [1000, 300, 1]);
    assert.deepEqual([bobEur?.lines.reversals.amount, bobEur?.lines.captures.amount, bobEur?.lines.sales.count], [700, 4000, 0]);
    // The batch is not settled yet: no settlement line.
    assert.deepEqual(r.settlement, []);
    // The scheme is the card's, named from the application the payment ran.
    const bySchemes = await sup.call('report.get', { from: new Date(start).toISOString(), to: new Date(Date.now() + 1).toISOString(), groupBy: ['scheme'] });
    const schemeSales = Object.fromEntries(bySchemes.groups.map((g) => [`${g.key.scheme ?? 'none'} ${g.currency}`, g.lines.sales.amount]));
    assert.deepEqual(schemeSales, { 'visa EUR': 1000, 'visa USD': 1500, 'mastercard USD': 2500 });
  });

  test('a cashier sees its own shift only, never another cashier nor the batches', async () => {
    const mine = await ann.call('report.get', {});
    assert.equal(mine.cashier, 'ann');
    assert.equal(mine.payments, 4);
    assert.deepEqual(mine.settlement, []);
    assert.equal(await code(ann.call('report.get', { cashier: 'bob' })), 'FORBIDDEN');
    assert.equal(await code(sup.call('report.get', {})), 'INVALID_PARAMS');
  });

  test("closing a shift prints its totals on the lane's printer and returns them", async () => {
    const before = printerB.events.length;
    const closed = await bob.call('shift.close', { lane: 'B' });
    assert.deepEqual([closed.shift.closedBy, closed.print?.state], ['cashier', 'printed']);
    assert.equal(closed.totals.find((g) => g.currency === 'USD')?.lines.sales.amount, 1500);
    const lines = printed(printerB, before);
    assert.ok(lines.some((l) => l.includes('SHIFT REPORT')), lines.join('\n'));
    assert.ok(lines.some((l) => /Captures \(1\)\s+40\.00/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('15.00 USD')), lines.join('\n'));
  });

  test('a host total altered in the simulator: the settlement disagrees, uploads, closes, and the report names the payment; the open shift is closed by it', async () => {
    const altered = await sup.call('sim.alterHost', { reference: 'r-a1', amount: 900 });
    assert.equal(altered.reference, 'r-a1');
    assert.match(altered.stan, /^\d{6}$/);
    const beforeA = printerA.events.length;
    const settled = await sup.call('settlement.close', {});
    assert.equal(settled.closed, true, JSON.stringify(settled));
    assert.deepEqual(
      settled.currencies.map((c) => [c.currency, c.responseCode, c.agreed]),
      [
        ['840', '00', true],
        ['978', '00', true],
      ],
    );
    assert.ok(settled.currencies.find((c) => c.currency === '978')!.uploaded > 0, 'EUR was uploaded after the 95');
    assert.deepEqual(
      settled.shiftsClosed.map((s) => [s.shift.cashier, s.shift.lane, s.shift.closedBy]),
      [['ann', 'A', 'settlement']],
    );
    const shiftLines = printed(printerA, beforeA);
    assert.ok(shiftLines.some((l) => l.includes('CLOSED BY SETTLEMENT')), shiftLines.join('\n'));

    const r = await sup.call('report.get', { from: new Date(start).toISOString(), to: new Date(Date.now() + 1).toISOString() });
    const eur = r.settlement.find((s) => s.currency === 'EUR');
    const usd = r.settlement.find((s) => s.currency === 'USD');
    assert.ok(eur && usd, JSON.stringify(r.settlement));
    assert.deepEqual([usd.differs, usd.agreed, usd.difference, usd.items], [false, true, 0, []]);
    assert.deepEqual([eur.differs, eur.agreed, eur.responseCode, eur.finalResponseCode], [true, true, '95', '00']);
    assert.equal(eur.ours.net, 1000 - 300 + 4000);
    assert.equal(eur.host?.net, 900 - 300 + 4000);
    assert.equal(eur.difference, 100);
    assert.deepEqual(
      eur.items.map((i) => [i.reference, i.issue, i.amount, i.hostAmount, i.difference]),
      [['r-a1', 'amount-differs', 1000, 900, 100]],
    );
    assert.equal(eur.unattributed, 0);
  });

  test("report.print prints the day's report on the lane's printer through the queue", async () => {
    const before = printerA.events.length;
    const out = await sup.call('report.print', { lane: 'A', from: new Date(start).toISOString(), to: new Date(Date.now() + 1).toISOString() });
    assert.equal(out.state, 'printed');
    const lines = printed(printerA, before);
    assert.ok(lines.some((l) => l.includes('DAY REPORT')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('47.00 EUR')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('r-a1') && l.includes('9.00')), lines.join('\n'));
    // The rules around its tables are the printer's box-drawing characters, not stray letters.
    assert.ok(lines.some((l) => /^─{20,}$/.test(l.trim())), lines.join('\n'));
    // A cashier app (or a tester) reads the same through sim.printed, from the index it saw last.
    const seen = await ann.call('sim.printed', { lane: 'A', since: before });
    assert.deepEqual(seen.items.filter((i) => i.kind === 'line').map((i) => i.text), lines);
    assert.equal(seen.items.at(-1)?.kind, 'cut');
    assert.equal(seen.next, printerA.events.length);
    assert.deepEqual((await ann.call('sim.printed', { lane: 'A', since: seen.next })).items, []);
    assert.equal(await code(ann.call('sim.printed', { lane: 'Z' })), 'NOT_FOUND');
    assert.equal(await code(ann.call('report.print', { lane: 'A', from: new Date(start).toISOString(), to: new Date().toISOString() })), 'FORBIDDEN');
  });

  test('out of paper: the report waits in the durable queue and prints once paper is loaded, before a receipt queued after it', async () => {
    await sup.call('sim.setPrinter', { lane: 'A', status: 'paper-end' });
    const before = printerA.events.length;
    const queued = await sup.call('report.print', { lane: 'A', from: new Date(start).toISOString(), to: new Date(Date.now() + 1).toISOString() });
    assert.deepEqual([queued.state, queued.waitingFor], ['queued', 'PRINTER_NOT_READY']);
    const a4 = await sup.call('payment.status', { reference: 'r-a4' });
    const receipt = await sup.printReceipt(a4.paymentId);
    assert.equal(receipt.state, 'queued');
    const done = new Promise<void>((resolve) => {
      const off = sup.on('receipt.printed', (m) => {
        if (m.jobId === receipt.jobId) {
          off();
          resolve();
        }
      });
    });
    await sup.call('sim.setPrinter', { lane: 'A', status: 'ready' });
    await done;
    const lines = printed(printerA, before);
    const report = lines.findIndex((l) => l.includes('DAY REPORT'));
    const slip = lines.findIndex((l) => l.includes('25.00 USD'));
    assert.ok(report >= 0 && slip > report, lines.join('\n'));
    assert.equal(lines.filter((l) => l.includes('DAY REPORT')).length, 1, 'printed once');
  });

  test('posbridge report --json and --csv read the same journal while the daemon runs', async () => {
    const bin = join(process.cwd(), 'dist', 'bin', 'posbridge.js');
    const args = ['report', '--from', new Date(start).toISOString(), '--to', new Date(Date.now() + 1).toISOString(), '--data-dir', dir];
    const json = JSON.parse((await run(process.execPath, [bin, ...args, '--json'])).stdout) as { totals: { currency: string; net: { amount: number } }[]; settlement: { currency: string; items: { reference: string }[] }[] };
    assert.equal(json.totals.find((g) => g.currency === 'EUR')?.net.amount, 4700);
    assert.deepEqual(json.settlement.find((s) => s.currency === 'EUR')?.items.map((i) => i.reference), ['r-a1']);
    const csv = (await run(process.execPath, [bin, ...args, '--csv', '--lane', 'A'])).stdout;
    const records = csv.split('\r\n');
    assert.equal(records.pop(), '', 'every record ends in CRLF');
    assert.equal(records[0], REPORT_CSV_COLUMNS.join(','));
    assert.equal(records.length, 1 + 4);
    const col = (name: (typeof REPORT_CSV_COLUMNS)[number]) => REPORT_CSV_COLUMNS.indexOf(name);
    const a1 = records.find((r) => r.startsWith('r-a1,'))?.split(',');
    assert.ok(a1);
    assert.deepEqual([a1[col('line')], a1[col('amount')], a1[col('currency')], a1[col('amountDecimal')], a1[col('cashier')], a1[col('scheme')], a1[col('settled')]], ['sales', '1000', 'EUR', '10.00', 'ann', 'visa', 'true']);
    assert.equal(records.find((r) => r.startsWith('r-a4,'))?.split(',')[col('scheme')], 'mastercard');
    const a2 = records.find((r) => r.startsWith('r-a2,'))?.split(',');
    assert.equal(a2?.[col('line')], 'declines');
  });
});
