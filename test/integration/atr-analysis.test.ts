// Differential test: our parseAtr against pcsc-tools' ATR_analysis (perl) on real ATRs from smartcard_list.txt.
//
// Each concrete ATR line of the list (hex bytes only, no regex metacharacters) in a deterministic sample is
// run through both parsers and the parts both report are compared: convention, interface bytes (names, order,
// values), offered protocols, historical bytes, TCK status, and the error outcome (truncated / too long / bad TS).
// A few mutations of sampled ATRs (one byte cut, one byte added, TS corrupted) exercise the error paths, which
// the list itself hardly contains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAtr, MAX_ATR_LENGTH } from '../../src/apdu/atr.js';
import { ApduError } from '../../src/apdu/errors.js';
import { fromHex } from '../../src/apdu/hex.js';

const ATR_ANALYSIS = '/usr/bin/ATR_analysis';
const SMARTCARD_LIST = '/usr/share/pcsc/smartcard_list.txt';
/** Every STEP-th concrete ATR of the list (about 3800 there): ~1300 ATRs, a few seconds with 4 perl processes. */
const STEP = 3;
/** How many sampled ATRs also get the cut / extended / bad-TS mutations. */
const MUTATED = 40;
const POOL = Math.max(1, Math.min(4, availableParallelism()));

const run = promisify(execFile);

/** What a parser says about one ATR, in a shape both sides can fill. */
interface View {
  /** 'ok', an ApduError code (ATR_TRUNCATED, ATR_TRAILING, ATR_INVALID), or a description of anything unexpected. */
  readonly outcome: string;
  readonly convention?: 'direct' | 'inverse';
  /** "TA1=11" style, in order of appearance. */
  readonly interfaceBytes?: readonly string[];
  readonly protocols?: readonly string[];
  readonly historicalBytes?: string;
  readonly tckValid?: boolean | null;
}

function skipReason(): string | null {
  if (!existsSync(ATR_ANALYSIS)) return `${ATR_ANALYSIS} is not installed (apt-get install pcsc-tools)`;
  if (!existsSync(SMARTCARD_LIST)) return `${SMARTCARD_LIST} is absent (apt-get install pcsc-tools)`;
  return null;
}

/** Concrete ATR lines of smartcard_list.txt ("3B 02 14 50"), uppercase, without duplicates, in file order. */
function concreteAtrs(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!/^[0-9A-Fa-f]{2}( [0-9A-Fa-f]{2})*$/.test(line)) continue;
    seen.add(line.toUpperCase());
  }
  return [...seen];
}

function ours(hex: string): View {
  let atr;
  try {
    atr = parseAtr(fromHex(hex));
  } catch (err: unknown) {
    if (err instanceof ApduError) return { outcome: err.code };
    return { outcome: `unexpected throw: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    outcome: 'ok',
    convention: atr.convention,
    interfaceBytes: Object.entries(atr.interfaceBytes).map(([k, v]) => `${k}=${v}`),
    protocols: atr.protocols,
    historicalBytes: atr.historicalBytes,
    tckValid: atr.tckValid,
  };
}

/** Reads ATR_analysis's text (colours stripped) into a View. */
function theirs(stdout: string): View {
  // eslint-disable-next-line no-control-regex
  const lines = stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const ts = lines.map((l) => /^\+ TS = [0-9A-F]{2} --> (.*)$/.exec(l)).find((m) => m !== null);
  if (!ts) return { outcome: 'no TS line in ATR_analysis output' };
  // ATR_analysis goes on for a TS other than 3B/3F ("UNDEFINED", a memory card); ISO 7816-3 §8.1 allows only these two.
  if (ts[1].trim() === 'UNDEFINED') return { outcome: 'ATR_INVALID' };
  const convention = ts[1].trim() === 'Direct Convention' ? 'direct' : 'inverse';
  const t0 = lines.map((l) => /^\+ T0 = [0-9A-F]{2}, Y\(1\): ([01]{4}), K: (\d+)/.exec(l)).find((m) => m !== null);
  // Only TS was given: ATR_analysis stops silently.
  if (!t0) return { outcome: 'ATR_TRUNCATED' };
  const k = Number(t0[2]);
  const interfaceBytes: string[] = [];
  const protocols: string[] = [];
  /** Y(i) of each group as printed, and the letters printed for the group. */
  const indicators: number[] = [parseInt(t0[1], 2)];
  const printed: string[] = [''];
  let historical: string | null = null;
  let tckValid: boolean | null = null;
  let error: View['outcome'] | null = null;
  for (const line of lines) {
    const ib = /^ {2}T([ABCD])\((\d+)\) = ([0-9A-F]{2}) -->/.exec(line);
    if (ib) {
      interfaceBytes.push(`T${ib[1]}${ib[2]}=${ib[3]}`);
      printed[printed.length - 1] += ib[1];
      if (ib[1] === 'D') {
        const td = /Y\(i\+1\) = ([01]{4}), Protocol T = (\d+)/.exec(line);
        if (!td) return { outcome: `unreadable TD line: ${line}` };
        const t = `T=${td[2]}`;
        if (td[2] !== '15' && !protocols.includes(t)) protocols.push(t);
        indicators.push(parseInt(td[1], 2));
        printed.push('');
      }
      continue;
    }
    const hb = /^\+ Historical bytes: ?(.*)$/.exec(line);
    if (hb) historical = hb[1].replace(/\s+/g, '');
    if (/ERROR! ATR is truncated/.test(line)) error = 'ATR_TRUNCATED';
    if (/ERROR! ATR is too long/.test(line)) error = 'ATR_TRAILING';
    const tck = /^\+ TCK = [0-9A-F]{2} (.*)$/.exec(line);
    if (tck) {
      if (tck[1].startsWith('(correct checksum)')) tckValid = true;
      else if (tck[1].startsWith('WRONG CHECKSUM')) tckValid = false;
      else return { outcome: `unreadable TCK line: ${line}` };
    }
  }
  if (error) return { outcome: error };
  if (historical === null) {
    // ATR_analysis exits without a word as soon as the bytes run out, even when nothing more is needed.
    // Its own output says whether that was too early: the last group printed fewer bytes than Y(i) announces,
    // or historical bytes were announced (K > 0).
    const y = indicators[indicators.length - 1];
    const wanted = ['A', 'B', 'C', 'D'].filter((_, bit) => (y & (1 << bit)) !== 0).join('');
    if (printed[printed.length - 1] !== wanted || k > 0) return { outcome: 'ATR_TRUNCATED' };
    historical = '';
  }
  return {
    outcome: 'ok',
    convention,
    interfaceBytes,
    // No TD1: T=0 only (ISO 7816-3 §8.2.3), as our parser reports it.
    protocols: protocols.length === 0 && !interfaceBytes.some((b) => b.startsWith('TD1=')) ? ['T=0'] : protocols,
    historicalBytes: historical,
    tckValid,
  };
}

/** Runs fn over items with at most `limit` running at once; results keep the input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Our own mutations of sampled ATRs, to exercise the error paths of both parsers. */
function mutations(atr: string): string[] {
  const bytes = atr.split(' ');
  const out: string[] = [];
  if (bytes.length > 1) out.push(bytes.slice(0, -1).join(' '));
  // Extra bytes: one (read as a TCK by both when exactly K+1 bytes remain) and two (too long either way).
  if (bytes.length < MAX_ATR_LENGTH) out.push([...bytes, '00'].join(' '));
  if (bytes.length < MAX_ATR_LENGTH - 1) out.push([...bytes, '00', '00'].join(' '));
  out.push(['3C', ...bytes.slice(1)].join(' '));
  return out;
}

const reason = skipReason();

test('parseAtr agrees with pcsc-tools ATR_analysis on real ATRs', { skip: reason ?? false, timeout: 180_000 }, async (t) => {
  const started = Date.now();
  const all = concreteAtrs(readFileSync(SMARTCARD_LIST, 'utf8'));
  const sample = all.filter((_, i) => i % STEP === 0);
  // ISO 7816-3 §8.2.1 allows at most 32 bytes after TS; ATR_analysis has no such limit, so longer ATRs (none in
  // the list today) are not compared with it: our parser refuses them with ATR_TRAILING by design.
  const tooLong = sample.filter((a) => a.split(' ').length > MAX_ATR_LENGTH);
  const mutated = sample.slice(0, MUTATED).flatMap(mutations);
  const compared = [...sample.filter((a) => !tooLong.includes(a)), ...mutated];

  // An empty, fresh card list in a private XDG_CACHE_HOME: ATR_analysis then neither scans the 14000-line list
  // with one regex per line (the card names are not compared) nor tries to download a newer one.
  const cache = mkdtempSync(join(tmpdir(), 'posbridge-atr-analysis-'));
  writeFileSync(join(cache, 'smartcard_list.txt'), '');
  const env = { ...process.env, XDG_CACHE_HOME: cache, LC_ALL: 'C' };
  let outputs: string[];
  try {
    outputs = await pool(compared, POOL, async (atr) => {
      const { stdout } = await run(ATR_ANALYSIS, atr.split(' '), { env, maxBuffer: 1 << 20 });
      return stdout;
    });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }

  const mismatches: string[] = [];
  compared.forEach((atr, i) => {
    const a = ours(atr);
    const b = theirs(outputs[i]);
    try {
      assert.deepEqual(a, b);
    } catch {
      mismatches.push(`${atr}\n    parseAtr:     ${JSON.stringify(a)}\n    ATR_analysis: ${JSON.stringify(b)}`);
    }
  });
  for (const atr of tooLong) {
    if (ours(atr).outcome !== 'ATR_TRAILING') mismatches.push(`${atr}\n    longer than ${MAX_ATR_LENGTH} bytes yet accepted`);
  }

  const outcomes = new Map<string, number>();
  for (const atr of compared) {
    const o = ours(atr).outcome;
    outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
  }
  t.diagnostic(
    `compared ${compared.length} ATRs (${sample.length - tooLong.length} of the list's ${all.length}, 1 in ${STEP}, ` +
      `+ ${mutated.length} mutations; ${tooLong.length} over ${MAX_ATR_LENGTH} bytes checked separately) ` +
      `with ${POOL} ATR_analysis processes in ${Date.now() - started} ms; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
  );
  assert.equal(
    mismatches.length,
    0,
    `${mismatches.length} of ${compared.length} ATRs differ; the first ${Math.min(10, mismatches.length)}:\n  ${mismatches.slice(0, 10).join('\n  ')}`,
  );
});
