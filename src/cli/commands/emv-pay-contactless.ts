// `posbridge emv pay --contactless` (test stand for recorded cards): Entry Point and the kernel on the card in the
// reader with transaction data fixed on the command line — the unpredictable number and the date included — and the
// kernel's outcome printed without going online. The fixed unpredictable number exists only here: the daemon's taps
// (src/payments/tap-payment.ts) pass their own random source, and no module below src/cli/ can import this one.
import { writeFile } from 'node:fs/promises';
import { RecordingChannel } from '../../apdu/card-transcript.js';
import { fromHex } from '../../apdu/hex.js';
import { defaultContactlessConfig } from '../../emv/contactless/defaults.js';
import { runContactless } from '../../emv/contactless/entry-point.js';
import type { ContactlessOutcome, ContactlessRequest } from '../../emv/contactless/types.js';
import { parseAmount } from '../amount.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { pickReader } from './apdu.js';

/** Options of `posbridge emv pay --contactless`. */
export interface ContactlessStandOptions {
  readonly amount: string;
  readonly currency: string;
  /** Unpredictable number 9F37, 4 bytes hex. */
  readonly un?: string;
  /** Transaction date YYYY-MM-DD (9A; certificates' expiry is judged on it). */
  readonly date?: string;
  /** TTQ 9F66 for every combination, 4 bytes hex (default: each combination's). */
  readonly ttq?: string;
  /** Terminal country code 9F1A, ISO 3166 numeric (default: the terminal's). */
  readonly country?: string;
  /** Transaction type 9C: 00, 01, 09, 20 or purchase, cash, cashback, refund. */
  readonly type?: string;
  readonly reader?: string;
  readonly testKeys?: boolean;
  /** Write the session (every command and response, in clear) to this file as a replayable transcript. */
  readonly record?: string;
  readonly outcomeOnly?: boolean;
  readonly json?: boolean;
}

/** The stand's result, as printed with --outcome-only --json. */
export interface StandOutcome {
  readonly kernel: number | null;
  readonly outcome: string;
  readonly oda: { readonly method: 'fDDA' | 'CDA' | 'none'; readonly result: 'passed' | 'failed' | 'not-performed' };
  readonly cryptogram: 'ARQC' | 'TC' | 'AAC' | null;
  readonly cvm: string;
  readonly maskedPan: string | null;
  readonly aid: string | null;
}

const TYPES: Readonly<Record<string, ContactlessRequest['type']>> = { '00': 'purchase', '01': 'cash', '09': 'cashback', '20': 'refund', purchase: 'purchase', cash: 'cash', cashback: 'cashback', refund: 'refund' };

/** Outcomes that are a card decision (exit 0): the card asked for the host, or approved or declined offline. */
const DECIDED = new Set(['online-request', 'approved', 'declined']);

/** The transaction date as a Date at noon UTC; UsageError unless a real YYYY-MM-DD. */
export function standDate(text: string): Date {
  const d = new Date(`${text}T12:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) throw new UsageError(`--date must be a date YYYY-MM-DD, got "${text}"`);
  return d;
}

/** A source of "random" bytes that always gives the fixed unpredictable number (the kernel asks for 4 bytes). */
function fixedUnpredictableNumber(un: Uint8Array): (n: number) => Uint8Array {
  return (n) => {
    if (n !== un.length) throw new RangeError(`the fixed unpredictable number has ${un.length} bytes, ${n} were asked for`);
    return un.slice();
  };
}

/** What the stand prints of an outcome. */
export function standOutcome(o: ContactlessOutcome): StandOutcome {
  const r = o.oda.result;
  return {
    kernel: o.kernel,
    outcome: o.kernelOutcome,
    oda: { method: o.oda.method, result: r === 'ok' ? 'passed' : r.startsWith('failed') ? 'failed' : 'not-performed' },
    cryptogram: o.cryptogram,
    cvm: o.cvm,
    maskedPan: o.maskedPan,
    aid: o.aid,
  };
}

/** Checks the options and builds the request; UsageError naming the option. */
function request(opts: ContactlessStandOptions): { req: ContactlessRequest; un: Uint8Array; date: Date } {
  if (!/^\d{3}$/.test(opts.currency)) throw new UsageError(`--currency must be an ISO 4217 numeric code like 978, got "${opts.currency}"`);
  if (opts.un === undefined || !/^[0-9A-Fa-f]{8}$/.test(opts.un)) throw new UsageError(`--un must be the unpredictable number, 4 bytes hex like 1A2B3C4D, got "${opts.un ?? ''}"`);
  if (opts.date === undefined) throw new UsageError('--date YYYY-MM-DD is needed with --contactless');
  if (opts.ttq !== undefined && !/^[0-9A-Fa-f]{8}$/.test(opts.ttq)) throw new UsageError(`--ttq must be 4 bytes hex like 36004000, got "${opts.ttq}"`);
  if (opts.country !== undefined && !/^\d{3}$/.test(opts.country)) throw new UsageError(`--country must be an ISO 3166 numeric code like 276, got "${opts.country}"`);
  const type = TYPES[opts.type ?? '00'];
  if (!type) throw new UsageError(`--type must be 00, 01, 09 or 20 (purchase, cash, cashback, refund), got "${opts.type}"`);
  return { req: { amount: parseAmount(opts.amount), currency: `0${opts.currency}`, type, sequenceCounter: 1 }, un: fromHex(opts.un), date: standDate(opts.date) };
}

/** Runs Entry Point and the kernel once with the fixed data; exit 0 when the card made a decision, 1 otherwise. */
export async function emvPayContactlessCommand(ctx: CliContext, opts: ContactlessStandOptions): Promise<number> {
  const { req, un, date } = request(opts);
  const base = await ctx.terminalConfig(opts.testKeys ?? false);
  const terminal = opts.country === undefined ? base : { ...base, countryCode: opts.country };
  const defaults = defaultContactlessConfig();
  const ttq = opts.ttq?.toUpperCase();
  const contactless = ttq === undefined ? defaults : { ...defaults, combinations: defaults.combinations.map((c) => ({ ...c, ttq })) };
  const driver = await ctx.createReaderDriver();
  try {
    const conn = await driver.connect(await pickReader(driver, opts.reader));
    try {
      const { outcome, recorded } = await conn.transaction(async (channel) => {
        const recorder = opts.record === undefined ? null : new RecordingChannel(channel);
        const o = await runContactless(recorder ?? channel, req, {
          terminal,
          contactless,
          // No host: an online request stays the kernel's outcome. A PIN source that gives none keeps the TTQ's
          // "online PIN supported" as given (without one Entry Point clears it).
          onlinePin: async () => null,
          now: () => date,
          randomBytes: fixedUnpredictableNumber(un),
        });
        return { outcome: o, recorded: recorder?.transcript() ?? null };
      });
      if (recorded && opts.record !== undefined) await writeFile(opts.record, JSON.stringify(recorded, null, 1) + '\n', { mode: 0o600 });
      print(ctx, opts, outcome);
      return DECIDED.has(outcome.kernelOutcome) ? EXIT.OK : EXIT.FAILED;
    } finally {
      await conn.disconnect();
    }
  } finally {
    await driver.close();
  }
}

/** Prints the outcome: the stand's object (--outcome-only), or with the reason, TTQ and masked APDU log. */
function print(ctx: CliContext, opts: ContactlessStandOptions, o: ContactlessOutcome): void {
  const s = standOutcome(o);
  const full = { ...s, odaResult: o.oda.result, reason: o.reason, ttq: o.ttq, apdus: o.apduLog };
  if (opts.json) return ctx.out(JSON.stringify(opts.outcomeOnly ? s : full));
  ctx.out(`${s.outcome.toUpperCase()} (kernel ${s.kernel ?? '-'}, ${s.cryptogram ?? 'no cryptogram'}, CVM ${s.cvm}, ODA ${s.oda.method}: ${s.oda.result})`);
  ctx.out(`  ${s.aid ?? '-'}  ${s.maskedPan ?? '-'}`);
  if (opts.outcomeOnly) return;
  if (o.reason) ctx.out(`  reason: ${o.reason}`);
  if (s.oda.result === 'failed') ctx.out(`  ODA ${o.oda.result}`);
  ctx.out(`  TTQ ${o.ttq ?? '-'}`);
  for (const a of o.apduLog) ctx.out(`  [${a.step}] > ${a.command}  < ${a.response} ${a.sw}`);
}
