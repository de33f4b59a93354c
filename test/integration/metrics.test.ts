// The Prometheus endpoint of a daemon on the real PC/SC stack (pcscd + vpcd, the host simulator): payments of each
// kind (a tap approved, a chip card declined, swipes approved and declined, one cancelled) are counted by outcome,
// entry mode and scheme; the authorisation histogram counts the authorisations; the scrape holds no card number,
// reference, token or key; /healthz answers, /readyz is 200, then 503 naming the readers once pcscd stops.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type PaymentInfo, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { createCard, getProfile } from '../../src/sim/emv/catalog.js';
import { SIM_STRIPE_CARDS } from '../../src/sim/sim-methods.js';
import { pcscSkip, startStack, type StackFixture } from '../helpers/pcsc.js';

/** GET on the metrics endpoint: status and body. */
function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    })
      .on('error', reject)
      .end();
  });
}

/** The value of one series in a Prometheus text scrape (undefined when absent). */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) return undefined;
  const v = line.slice(series.length + 1);
  return v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

describe('metrics endpoint of a daemon on pcscd + vpcd', { skip: pcscSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-metrics-'));
  let fx: StackFixture;
  let d: RunningDaemon;
  let client: PosbridgeClient;
  let token = '';
  let base = '';
  const references: string[] = [];

  before(async () => {
    fx = await startStack(36740);
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'pcsc', demo: true, metrics: { port: 0 }, lanes: [{ name: 'A', reader: fx.readers[0], contactless: fx.readers[1] }] });
    const [contact, tap] = fx.slots;
    const slot = { insert: (p: string) => contact.insert(createCard(p)), remove: () => contact.remove(), contactless: { insert: (p: string) => tap.insert(createCard(p)), remove: () => tap.remove() } };
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, new Map([['A', slot]]));
    assert.ok(d.metrics, 'the endpoint runs when configured');
    base = d.metrics.url;
    token = d.pair('metrics test', 'cashier');
    client = new PosbridgeClient({ url: d.url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    client.on('payment.progress', (m) => {
      if (m.step === 'pin-entry') void client.call('sim.enterPin', { lane: 'A', pin: '1234' });
    });
  });
  after(async () => {
    client?.close();
    await d?.stop();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A sale on lane A; `present` is called with the payment's id once the lane waits for a card. */
  const sale = async (amount: number, present: (paymentId: string) => Promise<unknown>): Promise<PaymentInfo> => {
    const reference = `metrics-ref-${references.length + 1}-${amount}`;
    references.push(reference);
    const waiting = new Promise<string>((resolve) => {
      const off = client.on('payment.progress', (m) => {
        if (m.step === 'waiting-for-card' && m.paymentId) {
          off();
          resolve(m.paymentId);
        }
      });
    });
    const paying = client.pay({ lane: 'A', type: 'sale', amount, currency: 'EUR', reference });
    await present(await waiting);
    return paying;
  };

  test('/healthz answers and /readyz is ready with readers present', async () => {
    assert.deepEqual(JSON.parse((await get(`${base}/healthz`)).body), { status: 'alive' });
    const ready = await get(`${base}/readyz`);
    assert.equal(ready.status, 200, ready.body);
    assert.equal((JSON.parse(ready.body) as { ready: boolean }).ready, true);
  });

  test('payments are counted by outcome, entry mode and scheme; the histogram counts the authorisations; no card data', async () => {
    const results = [
      await sale(1250, () => client.call('sim.tapCard', { lane: 'A', profile: 'visa-qvsdc-fdda' })),
      await sale(2500, () => client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe' })),
      await sale(3051, () => client.call('sim.swipeCard', { lane: 'A', card: 'mastercard-stripe' })), // .51: insufficient funds
      await sale(400, (id) => client.call('payment.cancel', { paymentId: id })),
      // Last: the chip card stays in the reader, where the next payment would read it.
      await sale(1051, () => client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' })),
    ];
    assert.deepEqual(
      results.map((r) => [r.result, r.entryMode ?? null]),
      [['approved', 'contactless'], ['approved', 'swiped'], ['declined', 'swiped'], ['cancelled', null], ['declined', 'chip']],
    );
    const scrape = await get(`${base}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.type, /^text\/plain/);
    const m = scrape.body;
    const paymentLines = m.split('\n').filter((l) => l.startsWith('posbridge_payments_total{')).join('\n');
    const pay = (outcome: string, entry: string, scheme: string): number | undefined => sample(m, `posbridge_payments_total{outcome="${outcome}",entry_mode="${entry}",scheme="${scheme}",type="sale",lane="A"}`);
    assert.equal(pay('approved', 'contactless', 'visa'), 1, paymentLines);
    assert.equal(pay('declined', 'chip', 'visa'), 1, paymentLines);
    assert.equal(pay('approved', 'swiped', 'mastercard'), 1, paymentLines);
    assert.equal(pay('declined', 'swiped', 'mastercard'), 1, paymentLines);
    assert.equal(pay('cancelled', 'none', 'none'), 1, paymentLines);
    const counted = m.split('\n').filter((l) => l.startsWith('posbridge_payments_total{')).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    assert.equal(counted, 5, 'no other payment series');
    assert.equal(sample(m, 'posbridge_authorisation_duration_seconds_count{lane="A"}'), 4, 'four went to the host; the cancelled one did not');
    assert.equal(sample(m, 'posbridge_authorisation_duration_seconds_bucket{le="+Inf",lane="A"}'), 4);
    assert.equal(sample(m, 'posbridge_host_link_up'), 1);
    for (const kind of ['reversal', 'advice']) {
      assert.equal(sample(m, `posbridge_host_queue_depth{kind="${kind}"}`), 0);
      assert.equal(sample(m, `posbridge_host_queue_oldest_age_seconds{kind="${kind}"}`), 0);
    }
    assert.equal(sample(m, 'posbridge_device_up{lane="A",device="reader"}'), 1);
    assert.equal(sample(m, 'posbridge_device_up{lane="A",device="contactless"}'), 1);
    assert.equal(sample(m, 'posbridge_device_up{lane="A",device="pinpad"}'), 1);
    assert.ok((sample(m, 'posbridge_journal_size_bytes') ?? 0) > 0);
    assert.equal(sample(m, 'posbridge_backup_age_seconds'), Infinity, 'no backup yet: +Inf');
    assert.ok(sample(m, 'process_resident_memory_bytes') !== undefined || sample(m, 'process_cpu_seconds_total') !== undefined, 'process metrics');
    // No card data, reference, token or key anywhere in the scrape.
    const pans = [...getProfile('visa-qvsdc-fdda').applications, ...getProfile('visa-sda-pse').applications].map((a) => a.pan).concat(SIM_STRIPE_CARDS['mastercard-stripe'].pan);
    const keys = ['saf.key', 'pan-hash.key'].map((f) => readFileSync(join(dir, f)).toString('hex'));
    for (const secret of [...pans, ...pans.map((p) => p.slice(-4).padStart(p.length, '*')), ...references, token, ...keys]) assert.ok(!m.includes(secret), `the scrape holds "${secret.slice(0, 8)}…"`);
    assert.doesNotMatch(m, /(?=[0-9A-Fa-f]*[A-Fa-f])[0-9A-Fa-f]{16,}/, 'no long hex string (a key, a cryptogram)');
    assert.doesNotMatch(m, /(?<![.\d])\d{13,19}(?!\d)/, 'no card-number-length digit run (fractions of a float aside)');
  });

  test('the backup age is the newest posbridge-*.backup file\'s in <dataDir>/backups', async () => {
    mkdirSync(join(dir, 'backups'), { recursive: true });
    const hours = (h: number): Date => new Date(Date.now() - h * 3600_000);
    for (const [name, age] of [['posbridge-2026-12-01T00-00-00-000Z.backup', 30], ['posbridge-2026-12-02T00-00-00-000Z.backup', 3], ['journal-old-plain.db', 2], ['notes.txt', 1]] as const) {
      writeFileSync(join(dir, 'backups', name), 'x');
      utimesSync(join(dir, 'backups', name), hours(age), hours(age));
    }
    const m = (await get(`${base}/metrics`)).body;
    assert.equal(sample(m, 'posbridge_backup_files'), 2);
    const age = sample(m, 'posbridge_backup_age_seconds') ?? NaN;
    assert.ok(age >= 3 * 3600 && age < 3 * 3600 + 600, `age ${age}`);
  });

  test('/readyz is 503 naming the readers once pcscd stops', async () => {
    // The driver reports each reader detached, then the service lost; the daemon tells its clients (device.changed)
    // after the metrics' own listener, registered before, heard it.
    const lost = new Promise<void>((resolve) => {
      const off = client.on('device.changed', (m) => {
        if (m.event === 'service-lost') {
          off();
          resolve();
        }
      });
    });
    await fx.stack.stopDaemon();
    await lost;
    const last = await get(`${base}/readyz`);
    assert.equal(last.status, 503, last.body);
    const body = JSON.parse(last.body) as { ready: boolean; checks: { readers: { ok: boolean; detail: string }; journal: { ok: boolean } } };
    assert.equal(body.ready, false);
    assert.equal(body.checks.readers.ok, false);
    assert.ok(body.checks.readers.detail.includes(fx.readers[0]), body.checks.readers.detail);
    assert.equal(body.checks.journal.ok, true);
    assert.equal(sample((await get(`${base}/metrics`)).body, 'posbridge_ready'), 0);
    assert.equal(sample((await get(`${base}/metrics`)).body, 'posbridge_device_up{lane="A",device="reader"}'), 0);
  });
});
