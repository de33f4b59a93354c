// The real `posbridge` binary (dist/bin/posbridge.js) against a private pcscd with vpcd readers: what a
// technician runs. Exit codes (docs/cli.md): 0 ok, 1 refused or failed, 2 bad usage, 3 no reader or no PC/SC service.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toHex } from '../../src/apdu/hex.js';
import { PcscReaderDriver } from '../../src/drivers/pcsc/pcsc-driver.js';
import { demoCard, TableCard } from '../../src/sim/table-card.js';
import { T0Card } from '../../src/sim/t0-card.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';
import { pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'dist', 'bin', 'posbridge.js');
const PORT = 36010;
const PAN = '4761739001010119';
const MASKED = '476173******0119';
const T0_ATR = '3B6500002063CB6600';
const SELECT_PSE = '00A404000E315041592E5359532E444446303100';
const PSE_FCI = '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E';
const DIR_RECORD = '701B61194F07A0000000031010500B5649534120435245444954870101';
const PAN_RECORD_MASKED = `70265A08${MASKED}5F24032712315F200E5445535420434152442F564953415F28020840`;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A running `posbridge` process: its stdout lines so far, and its end. */
interface CliProcess {
  readonly lines: string[];
  readonly kill: (signal: NodeJS.Signals) => void;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>;
}

function start(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): CliProcess {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    lines.splice(0, lines.length, ...stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''));
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
  return { lines, kill: (s) => child.kill(s), done };
}

async function until(pred: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('posbridge binary on pcscd + vpcd', { skip: pcscSkip, timeout: 60_000 }, () => {
  let fx: StackFixture;
  let driver: PcscReaderDriver;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'posbridge-cli-'));
    env = { ...process.env, POSBRIDGE_DATA_DIR: dataDir, POSBRIDGE_LOG_LEVEL: 'silent' };
    fx = await startStack(PORT);
    driver = await PcscReaderDriver.create({ pollMs: 200, retryMs: 100 });
  });
  after(async () => {
    await driver?.close();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the binary to its end. */
  async function posbridge(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
    return start(args, env).done;
  }

  /** Empties slot i and waits until pcscd has seen it. */
  async function eject(i: 0 | 1): Promise<void> {
    await fx.slots[i].remove();
    await waitForCard(driver, fx.readers[i], false);
  }

  /** Puts `card` in slot i once pcscd has seen the previous card leave (a swap inside pcscd's poll looks like no change). */
  async function insert(i: 0 | 1, card: VirtualCard): Promise<void> {
    await eject(i);
    await fx.slots[i].insert(card);
    await waitForCard(driver, fx.readers[i], true);
  }

  test('readers --json: both slots, no card; then the inserted card with its ATR', async () => {
    const empty = await posbridge('readers', '--json');
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stderr, '');
    assert.deepEqual(JSON.parse(empty.stdout), {
      readers: [
        { name: fx.readers[0], slot: 'unknown', cardPresent: false, atr: null },
        { name: fx.readers[1], slot: 'unknown', cardPresent: false, atr: null },
      ],
    });
    const card = demoCard();
    await insert(0, card);
    const one = await posbridge('readers', '--json');
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, `${JSON.stringify({ readers: [{ name: fx.readers[0], slot: 'unknown', cardPresent: true, atr: toHex(card.atr) }, { name: fx.readers[1], slot: 'unknown', cardPresent: false, atr: null }] })}\n`);
  });

  test('apdu on a T=0 card through pcscd: SELECT PSE (case 4) answered 61xx, then 6Cxx on READ RECORD, full data', async () => {
    await eject(0);
    const inner = new TableCard(T0_ATR, { [SELECT_PSE]: `${PSE_FCI}9000`, '00B2010C00': `${DIR_RECORD}9000`, '00B2010C1D': `${DIR_RECORD}9000` });
    await insert(1, new T0Card(inner));
    const run = await posbridge('apdu', '--json', SELECT_PSE, '00B2010C00');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(JSON.parse(run.stdout), {
      reader: fx.readers[1],
      exchanges: [
        { command: SELECT_PSE, response: PSE_FCI, sw: '9000', meaning: 'success' },
        { command: '00B2010C00', response: DIR_RECORD, sw: '9000', meaning: 'success' },
      ],
    });
    assert.deepEqual(inner.log, [SELECT_PSE, '00B2010C00', '00B2010C1D']);
    const named = await posbridge('apdu', '--reader', fx.readers[1], SELECT_PSE);
    assert.equal(named.code, 0, named.stderr);
    assert.equal(named.stdout, `Reader: ${fx.readers[1]}\n> ${SELECT_PSE}\n< ${PSE_FCI} 9000  (success)\n`);
  });

  test('apdu with a card in each slot: exit 2 without --reader; with it, the PAN record masked', async () => {
    await insert(0, demoCard());
    const ambiguous = await posbridge('apdu', SELECT_PSE);
    assert.equal(ambiguous.code, 2);
    assert.equal(ambiguous.stdout, '');
    assert.equal(ambiguous.stderr, `posbridge: USAGE: several readers hold a card ("${fx.readers[0]}", "${fx.readers[1]}"): choose one with --reader\n`);
    const run = await posbridge('apdu', '--reader', fx.readers[0], '--json', '00B2020C00');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { reader: fx.readers[0], exchanges: [{ command: '00B2020C00', response: PAN_RECORD_MASKED, sw: '9000', meaning: 'success' }] });
    assert.ok(!run.stdout.includes(PAN) && !run.stderr.includes(PAN));
    const refused = await posbridge('apdu', '--reader', fx.readers[0], '00A4040007A000000004101000');
    assert.equal(refused.code, 1, 'the demo card has no Mastercard application: 6D00');
    const unknown = await posbridge('apdu', '--reader', 'No Such Reader', SELECT_PSE);
    assert.equal(unknown.code, 3);
  });

  test('watch --json --count 4 --timeout 10: the two slots, then the card inserted and removed, one JSON per line', async () => {
    await eject(0);
    await eject(1);
    const watch = start(['watch', '--json', '--count', '4', '--timeout', '10'], env);
    await until(() => watch.lines.length >= 2, 'the two reader-attached lines');
    await fx.slots[0].insert(demoCard());
    await until(() => watch.lines.length >= 3, 'the card-inserted line');
    await fx.slots[0].remove();
    const end = await watch.done;
    assert.equal(end.code, 0, end.stderr);
    assert.equal(end.stderr, '');
    const lines = watch.lines.map((l) => JSON.parse(l) as Record<string, string>);
    for (const l of lines) assert.match(l.at, ISO_TIME);
    assert.deepEqual(
      lines.map(({ at: _at, ...rest }) => rest),
      [
        { event: 'reader-attached', reader: fx.readers[0] },
        { event: 'reader-attached', reader: fx.readers[1] },
        { event: 'card-inserted', reader: fx.readers[0], atr: toHex(demoCard().atr) },
        { event: 'card-removed', reader: fx.readers[0] },
      ],
    );
    assert.ok(end.ms < 9000, `ended by --count, not --timeout (${end.ms} ms)`);
  });

  test('watch: --timeout ends it with exit 0; Ctrl-C ends it at once even with a long --timeout', async () => {
    const timed = start(['watch', '--json', '--timeout', '1'], env);
    const interrupted = start(['watch', '--timeout', '60'], env);
    await until(() => interrupted.lines.length >= 2, 'the watch to print the readers');
    const t0 = Date.now();
    interrupted.kill('SIGINT');
    const int = await interrupted.done;
    assert.equal(int.code, 0, int.stderr);
    assert.ok(Date.now() - t0 < 3000, `exited ${Date.now() - t0} ms after SIGINT`);
    const end = await timed.done;
    assert.equal(end.code, 0, end.stderr);
    assert.ok(end.ms >= 1000 && end.ms < 5000, `${end.ms} ms`);
    assert.deepEqual(
      end.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Record<string, string>).event),
      ['reader-attached', 'reader-attached'],
    );
  });

  test('doctor --json with a card: exit 0, service, readers and the card reported', async () => {
    const card = demoCard();
    await insert(0, card);
    const run = await posbridge('doctor', '--json');
    const { checks } = JSON.parse(run.stdout) as { checks: Array<{ name: string; status: string; detail: string; fix?: string }> };
    assert.equal(run.code, 0, JSON.stringify(checks.filter((c) => c.status === 'fail')));
    const byName = new Map(checks.map((c) => [c.name, c]));
    assert.deepEqual(byName.get('PC/SC binding'), { name: 'PC/SC binding', status: 'ok', detail: 'loaded' });
    assert.deepEqual(byName.get('PC/SC service'), { name: 'PC/SC service', status: 'ok', detail: 'reachable' });
    assert.deepEqual(byName.get('readers'), { name: 'readers', status: 'ok', detail: '2 found' });
    assert.equal(byName.get(`reader "${fx.readers[0]}"`)?.detail.startsWith(`card ATR ${toHex(card.atr)}`), true);
    assert.equal(byName.get(`reader "${fx.readers[0]}" features`)?.status, 'ok');
    assert.deepEqual(byName.get(`reader "${fx.readers[1]}"`), { name: `reader "${fx.readers[1]}"`, status: 'ok', detail: 'no card inserted' });
    assert.deepEqual(byName.get('data directory'), { name: 'data directory', status: 'ok', detail: dataDir });
  });

  test('pcscd stopped: apdu, readers and doctor exit 3 and say so; back to 0 once it runs again', async () => {
    await fx.stack.stopDaemon();
    try {
      const [apdu, readers, doctor] = await Promise.all([posbridge('apdu', SELECT_PSE), posbridge('readers', '--json'), posbridge('doctor', '--json')]);
      assert.equal(apdu.code, 3, apdu.stderr);
      assert.equal(apdu.stdout, '');
      assert.match(apdu.stderr, /^posbridge: PCSC_NO_SERVICE: /);
      assert.equal(readers.code, 3, readers.stderr);
      assert.match(readers.stderr, /^posbridge: PCSC_NO_SERVICE: /);
      assert.equal(doctor.code, 3, doctor.stderr);
      const service = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; status: string; detail: string; fix?: string }> }).checks.find(
        (c) => c.name === 'PC/SC service',
      );
      assert.equal(service?.status, 'fail');
      assert.match(service?.detail ?? '', /PCSC_NO_SERVICE/);
      assert.match(service?.fix ?? '', /pcscd/);
    } finally {
      await fx.stack.startDaemon();
    }
    const back = await posbridge('readers', '--json');
    assert.equal(back.code, 0, back.stderr);
    assert.equal((JSON.parse(back.stdout) as { readers: unknown[] }).readers.length, 2);
  });
});
