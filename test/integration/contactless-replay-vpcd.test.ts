// The recorded-card stand on the real PC/SC stack: `posbridge emv pay --contactless --record` taps the virtual
// visa-qvsdc-fdda card in a vpcd slot of pcscd, then the replay card of that transcript takes its place and the same
// stand gets the same PAN, ODA result and cryptogram — as a card recorded on a real reader would be replayed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { processContext, type CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { PcscReaderDriver } from '../../src/drivers/pcsc/pcsc-driver.js';
import type { ReaderDriver } from '../../src/drivers/pcsc/types.js';
import { getProfile } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import { ReplayCard } from '../../src/sim/replay-card.js';
import { loadTranscript } from '../../src/sim/replay-transcript.js';
import { pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

const PORT = 36540;

describe('recorded-card stand on pcscd + vpcd', { skip: pcscSkip, timeout: 60_000 }, () => {
  let fx: StackFixture;
  let driver: PcscReaderDriver;
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-replay-'));

  before(async () => {
    fx = await startStack(PORT);
    driver = await PcscReaderDriver.create({ pollMs: 200, retryMs: 100 });
  });
  after(async () => {
    await driver?.close();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the stand on slot 0's reader; the driver is lent to the command (its close is not passed on). */
  async function stand(extra: readonly string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const lent: ReaderDriver = { listReaders: () => driver.listReaders(), subscribe: (l) => driver.subscribe(l), connect: (r, o) => driver.connect(r, o), close: async () => undefined };
    const ctx: CliContext = { out: (l) => out.push(l), err: (l) => out.push(`stderr: ${l}`), createReaderDriver: async () => lent, atrList: () => [], terminalConfig: processContext().terminalConfig };
    const argv = ['emv', 'pay', '--contactless', '--reader', fx.readers[0], '--amount', '12.34', '--currency', '978', '--un', '1A2B3C4D', '--date', '2026-03-15', '--test-keys', '--outcome-only', '--json', ...extra];
    return { code: await runCli(ctx, argv), out };
  }

  test('record the virtual card through pcscd, replay the transcript in its place: the same outcome', async () => {
    const file = join(dir, 'visa.json');
    await fx.slots[0].insert(new EmvCard(getProfile('visa-qvsdc-fdda'), { random: (n) => new Uint8Array(n).fill(0x5a) }));
    await waitForCard(driver, fx.readers[0], true);
    const recorded = await stand(['--record', file]);
    assert.equal(recorded.code, 0, recorded.out.join('\n'));
    const first = JSON.parse(recorded.out[0]) as { outcome: string; oda: unknown; cryptogram: string; maskedPan: string };
    assert.equal(first.outcome, 'online-request');
    assert.deepEqual(first.oda, { method: 'fDDA', result: 'passed' });
    assert.equal(first.cryptogram, 'ARQC');

    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
    const replay = new ReplayCard(await loadTranscript(file));
    await fx.slots[0].insert(replay);
    await waitForCard(driver, fx.readers[0], true);
    const replayed = await stand([]);
    assert.equal(replayed.code, 0, replayed.out.join('\n'));
    assert.deepEqual(JSON.parse(replayed.out[0]), first);
    assert.deepEqual(replay.unmatched, []);
  });
});
