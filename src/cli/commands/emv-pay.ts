import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { EmvKernel, type AuthorizeContext, type EmvOutcome, type KernelEvent } from '../../emv/kernel.js';
import type { OnlineResponse, TransactionRequest } from '../../emv/types.js';
import { Authorization, kernelAnswer, type PaymentSubject } from '../../payments/authorization.js';
import type { HostStack } from '../../host/stack.js';
import { SimulatedPinEntry, type PinSupplier } from '../../sim/pinpad/sim-pin-entry.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { withHostStack } from '../host-target.js';
import { pickReader } from './apdu.js';
import { parseAmount } from '../amount.js';
import type { ContactlessStandOptions } from './emv-pay-contactless.js';

/** Options of `posbridge emv pay` (with --contactless, those of the contactless stand too). */
export interface EmvPayOptions extends Omit<ContactlessStandOptions, 'amount' | 'currency' | 'type' | 'reader' | 'json' | 'testKeys'> {
  readonly contactless?: boolean;
  readonly amount: string;
  readonly currency: string;
  readonly type?: string;
  readonly reader?: string;
  readonly pinStdin?: boolean;
  readonly offline?: boolean;
  readonly host?: string;
  readonly json?: boolean;
  /** Trust the simulators' test CA keys too (virtual cards on the test stand). */
  readonly testKeys?: boolean;
}

/** A PIN supplier reading one line from stdin per prompt (`--pin-stdin`); null (bypass) without it. */
function pinSupplier(fromStdin: boolean): { supplier: PinSupplier; close(): void } {
  if (!fromStdin) return { supplier: async () => null, close: () => undefined };
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines: string[] = [];
  const waiting: Array<(l: string | null) => void> = [];
  let ended = false;
  rl.on('line', (l) => (waiting.length ? waiting.shift()?.(l.trim()) : lines.push(l.trim())));
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    supplier: async () => (lines.length ? (lines.shift() ?? null) : ended ? null : new Promise<string | null>((r) => waiting.push(r))),
    close: () => rl.close(),
  };
}

/** The host side of one test-stand payment: the shared authorisation, then the queue forwarded. */
class StandAuthorization {
  readonly auth: Authorization;
  /** The card data from the records (memory only), for the advice of an offline approval. */
  card: AuthorizeContext | null = null;

  constructor(
    private readonly stack: HostStack,
    subject: PaymentSubject,
    private readonly warn: (line: string) => void,
  ) {
    this.auth = new Authorization(stack.link, subject);
  }

  readonly authorize = async (iccData: Uint8Array, card: AuthorizeContext): Promise<OnlineResponse> => kernelAnswer(await this.auth.send({ entry: 'chip', card, iccData }));

  /** After the card's verdict: complete, reverse, or advise an offline approval; then forward the queue. */
  async settle(outcome: EmvOutcome | null, error: unknown): Promise<void> {
    this.auth.end(outcome, error === null ? null : { code: codeOf(error) }, this.card);
    // The payment is decided and journaled: a host that cannot take the queue now gets it on the next run.
    await this.stack.worker.drain().catch((err: unknown) => this.warn(`the host queue could not be forwarded now (${err instanceof Error ? err.message : String(err)}); it will be on the next run`));
  }
}

/**
 * `posbridge emv pay` (test stand): a full EMV transaction on the card in the reader, authorised by the acquirer at
 * `--host` or by the host simulator started here (or decided offline with --offline), with reversals and advices
 * through the journal. Prints the result, TVR/TSI, the steps and the APDU log with PIN data and card numbers masked.
 */
export async function emvPayCommand(ctx: CliContext, opts: EmvPayOptions): Promise<number> {
  const standOnly = ([['un', opts.un], ['date', opts.date], ['ttq', opts.ttq], ['country', opts.country], ['record', opts.record], ['outcome-only', opts.outcomeOnly]] as const).find(([, v]) => v !== undefined);
  if (!opts.contactless && standOnly) throw new UsageError(`--${standOnly[0]} goes with --contactless only`);
  if (opts.contactless && (opts.host !== undefined || opts.offline || opts.pinStdin)) throw new UsageError('--contactless never goes online and takes no PIN: drop --host, --offline and --pin-stdin');
  if (opts.contactless) return (await import('./emv-pay-contactless.js')).emvPayContactlessCommand(ctx, opts);
  if (opts.offline) return pay(ctx, opts, null);
  return withHostStack(ctx, opts.host, (stack) => pay(ctx, opts, stack));
}

async function pay(ctx: CliContext, opts: EmvPayOptions, stack: HostStack | null): Promise<number> {
  const amount = parseAmount(opts.amount);
  if (!/^\d{3}$/.test(opts.currency)) throw new UsageError(`--currency must be an ISO 4217 numeric code like 978, got "${opts.currency}"`);
  const asked = opts.type ?? 'purchase';
  if (!['purchase', 'refund', 'cash', 'cashback', 'preauth'].includes(asked)) throw new UsageError(`--type must be purchase, refund, cash, cashback or preauth`);
  // A pre-authorisation is a purchase at the card and a 0100 at the host.
  const type = (asked === 'preauth' ? 'purchase' : asked) as TransactionRequest['type'];
  const subject: PaymentSubject = { type: asked === 'preauth' ? 'preauth' : type === 'refund' ? 'refund' : 'sale', ref: `cli-${Date.now()}`, amount, currency: opts.currency };
  const pin = pinSupplier(opts.pinStdin ?? false);
  const sale = stack ? new StandAuthorization(stack, subject, ctx.err) : null;
  const driver = await ctx.createReaderDriver();
  try {
    const reader = await pickReader(driver, opts.reader);
    const conn = await driver.connect(reader);
    const events: KernelEvent[] = [];
    try {
      const kernel = new EmvKernel({
        config: await ctx.terminalConfig(opts.testKeys ?? false),
        pin: new SimulatedPinEntry(pin.supplier),
        ...(sale ? { authorize: sale.authorize, onCardData: (c: AuthorizeContext) => (sale.card = c) } : {}),
        now: () => new Date(),
        randomBytes: (n) => new Uint8Array(randomBytes(n)),
        onEvent: (e) => {
          events.push(e);
          if (!opts.json && e.type === 'pin-entry') ctx.err(`Enter PIN${e.triesLeft !== undefined ? ` (${e.triesLeft} tries left)` : ''}:`);
        },
      });
      let outcome: EmvOutcome;
      try {
        outcome = await conn.transaction((channel) => kernel.run(channel, { amount, currency: `0${opts.currency}`, type, sequenceCounter: 1 }));
      } catch (err) {
        await sale?.settle(null, err);
        throw err;
      }
      await sale?.settle(outcome, null);
      const out = {
        result: outcome.result,
        cryptogram: outcome.cryptogram,
        tvr: outcome.tvr,
        tsi: outcome.tsi,
        responseCode: outcome.responseCode,
        decidedBy: outcome.decidedBy,
        aid: outcome.aid,
        label: outcome.label,
        pan: outcome.maskedPan,
        cvm: outcome.cvm,
        oda: outcome.oda,
        odaResult: outcome.odaResult,
        steps: outcome.steps,
        apdus: outcome.apduLog,
      };
      if (opts.json) ctx.out(JSON.stringify(out));
      else {
        ctx.out(`${out.result.toUpperCase()} (${out.cryptogram}, ${out.decidedBy}, response ${out.responseCode})`);
        ctx.out(`  ${out.label ?? out.aid}  ${out.pan}  CVM ${out.cvm}  ODA ${out.oda}: ${out.odaResult}`);
        ctx.out(`  TVR ${out.tvr}  TSI ${out.tsi}`);
        ctx.out(`  steps: ${out.steps.join(' → ')}`);
        for (const a of out.apdus) ctx.out(`  [${a.step}] > ${a.command}  < ${a.response} ${a.sw}`);
      }
      return outcome.result === 'approved' ? EXIT.OK : EXIT.FAILED;
    } finally {
      await conn.disconnect();
    }
  } finally {
    pin.close();
    await driver.close();
  }
}

/** A failure's stable code, or FAILED for an error without one. */
function codeOf(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'FAILED';
}
