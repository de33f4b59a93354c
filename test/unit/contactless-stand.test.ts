// The recorded-card stand (`posbridge emv pay --contactless`) and the replay card: a tap of the virtual
// visa-qvsdc-fdda card with a fixed unpredictable number and date is recorded, then replayed through the same stand
// in-process; the replay gives the recording's PAN, ODA result and cryptogram. What differs from the recording
// (another UN) is not answered, unless the transcript lets that command match by prefix — then fDDA fails, as the
// card's signature covers the UN.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseTranscript, type CardTranscript } from '../../src/apdu/card-transcript.js';
import { ApduError } from '../../src/apdu/errors.js';
import { processContext, type CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { getProfile } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { ReplayCard } from '../../src/sim/replay-card.js';
import { loadTranscript } from '../../src/sim/replay-transcript.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';

const dir = mkdtempSync(join(tmpdir(), 'posbridge-stand-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STAND = ['emv', 'pay', '--contactless', '--amount', '12.34', '--currency', '978', '--un', '1A2B3C4D', '--date', '2026-03-15', '--test-keys', '--outcome-only', '--json'];

/** Runs the CLI with `card` in the only reader. */
async function stand(card: VirtualCard, argv: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    createReaderDriver: async () => {
      const d = new InProcessReaderDriver(['Reader 0']);
      d.insertCard('Reader 0', card);
      return d;
    },
    atrList: () => [],
    terminalConfig: processContext().terminalConfig,
  };
  return { code: await runCli(ctx, argv), out, err };
}

/** The virtual card whose own random numbers are fixed too (its session is then the same every time). */
const virtualCard = (): EmvCard => new EmvCard(getProfile('visa-qvsdc-fdda'), { random: (n) => new Uint8Array(n).fill(0x5a) });

describe('posbridge emv pay --contactless (recorded-card stand)', () => {
  const file = join(dir, 'visa-qvsdc-fdda.json');
  let recorded: Record<string, unknown>;
  let transcript: CardTranscript;

  test('records a tap of visa-qvsdc-fdda: online request, fDDA passed, ARQC, exit 0', async () => {
    const r = await stand(virtualCard(), [...STAND, '--record', file]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.out.length, 1);
    recorded = JSON.parse(r.out[0]) as Record<string, unknown>;
    const a = getProfile('visa-qvsdc-fdda').applications[0];
    assert.deepEqual(recorded, {
      kernel: 3,
      outcome: 'online-request',
      oda: { method: 'fDDA', result: 'passed' },
      cryptogram: 'ARQC',
      cvm: recorded.cvm,
      maskedPan: `${a.pan.slice(0, 6)}******${a.pan.slice(-4)}`,
      aid: a.aid,
    });
    transcript = await loadTranscript(file);
    // The PDOL data in the GPO carry the fixed UN and date (9F37 1A2B3C4D, 9A 260315).
    const gpo = transcript.exchanges.find((e) => e.command.startsWith('80A8'));
    assert.ok(gpo?.command.includes('1A2B3C4D') && gpo.command.includes('260315'), gpo?.command);
  });

  test('the replay card answers the stand as the card did: same PAN, ODA result and cryptogram', async () => {
    const card = new ReplayCard(transcript);
    const r = await stand(card, STAND);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(JSON.parse(r.out[0]), recorded);
    assert.deepEqual(card.unmatched, []);
    // Again on the same card: a second session starts the transcript over.
    const again = await stand(card, STAND);
    assert.deepEqual(JSON.parse(again.out[0]), recorded);
    assert.deepEqual(card.unmatched, []);
  });

  test('another UN is not in the transcript: the GPO is unanswered, no card decision, exit 1', async () => {
    const card = new ReplayCard(transcript);
    const argv = STAND.map((a) => (a === '1A2B3C4D' ? '00000001' : a));
    const r = await stand(card, argv);
    assert.equal(r.code, 1);
    const o = JSON.parse(r.out[0]) as { outcome: string; cryptogram: string | null };
    assert.notEqual(o.outcome, 'online-request');
    assert.equal(o.cryptogram, null);
    assert.equal(card.unmatched.length, 1);
    assert.match(card.unmatched[0], /^80A8/);
  });

  test('a GPO matched by prefix answers another UN with the recorded signature: fDDA fails', async () => {
    const loose: CardTranscript = { ...transcript, exchanges: transcript.exchanges.map((e) => (e.command.startsWith('80A8') ? { ...e, matchPrefix: 4 } : e)) };
    const card = new ReplayCard(loose);
    const r = await stand(card, STAND.map((a) => (a === '1A2B3C4D' ? '00000001' : a)));
    const o = JSON.parse(r.out[0]) as { oda: { method: string; result: string }; cryptogram: string | null };
    assert.deepEqual(card.unmatched, []);
    assert.deepEqual(o.oda, { method: 'fDDA', result: 'failed' });
  });

  test('the date judges certificate expiry: in 2036 the certificates have expired and fDDA fails', async () => {
    const r = await stand(virtualCard(), STAND.map((a) => (a === '2026-03-15' ? '2036-01-01' : a)));
    const o = JSON.parse(r.out[0]) as { outcome: string; oda: { method: string; result: string } };
    assert.deepEqual(o.oda, { method: 'fDDA', result: 'failed' });
    // The same card on 2023-05-17 (the certificates are valid then) passes.
    const earlier = await stand(virtualCard(), STAND.map((a) => (a === '2026-03-15' ? '2023-05-17' : a)));
    assert.deepEqual((JSON.parse(earlier.out[0]) as typeof o).oda, { method: 'fDDA', result: 'passed' });
  });

  test('--ttq is the TTQ sent: without "ODA for online" (36004000) no fDDA is asked for', async () => {
    const r = await stand(virtualCard(), [...STAND.filter((a) => a !== '--outcome-only'), '--ttq', '36004000']);
    const o = JSON.parse(r.out[0]) as { oda: { method: string; result: string }; ttq: string; outcome: string };
    assert.equal(o.ttq, '36004000');
    assert.equal(o.outcome, 'online-request');
    assert.deepEqual(o.oda, { method: 'none', result: 'not-performed' });
  });

  test('options are checked: missing --un, a bad --date, a bad --type are usage errors (exit 2)', async () => {
    const without = STAND.filter((a, i) => a !== '--un' && STAND[i - 1] !== '--un');
    assert.equal((await stand(virtualCard(), without)).code, 2);
    assert.equal((await stand(virtualCard(), STAND.map((a) => (a === '2026-03-15' ? '2026-02-30' : a)))).code, 2);
    assert.equal((await stand(virtualCard(), [...STAND, '--type', '42'])).code, 2);
    assert.equal((await stand(virtualCard(), [...STAND, '--host', '127.0.0.1:1'])).code, 2);
    const contact = await stand(virtualCard(), ['emv', 'pay', '--amount', '12.34', '--currency', '978', '--un', '1A2B3C4D', '--offline']);
    assert.equal(contact.code, 2);
    assert.match(contact.err.join('\n'), /--un goes with --contactless/);
  });
});

describe('transcripts', () => {
  test('a bad transcript is TRANSCRIPT_INVALID naming the key', () => {
    const bad = (v: unknown, key: RegExp): void => {
      assert.throws(
        () => parseTranscript(v, 't.json'),
        (e: unknown) => e instanceof ApduError && e.code === 'TRANSCRIPT_INVALID' && key.test(e.message),
      );
    };
    bad([], /t\.json/);
    bad({ atr: 'zz', exchanges: [] }, /atr/);
    bad({ atr: '3B00', exchanges: [] }, /exchanges/);
    bad({ atr: '3B00', exchanges: [{ command: '00A4', response: '9000' }] }, /exchanges\[0\]\.command/);
    bad({ atr: '3B00', exchanges: [{ command: '00A40400', response: '9000', matchPrefix: 9 }] }, /matchPrefix/);
  });

  test('hex is normalised; a command not in the transcript gets 6F00 and is listed', () => {
    const t = parseTranscript({ atr: '3b 00', exchanges: [{ command: '00a4 0400', response: '9000' }] });
    const card = new ReplayCard(t);
    assert.deepEqual([...card.process(Uint8Array.of(0, 0xa4, 4, 0))], [0x90, 0x00]);
    assert.deepEqual([...card.process(Uint8Array.of(0, 0xb2, 1, 0x0c))], [0x6f, 0x00]);
    assert.deepEqual(card.unmatched, ['00B2010C']);
  });

  test('loadTranscript refuses a file that is not JSON', async () => {
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{"atr": ');
    await assert.rejects(loadTranscript(f), (e: unknown) => e instanceof ApduError && e.code === 'TRANSCRIPT_INVALID');
    assert.ok(readFileSync(f, 'utf8').length > 0);
  });
});
