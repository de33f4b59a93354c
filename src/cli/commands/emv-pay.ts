import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { EmvKernel, type AuthorizeContext, type KernelEvent } from '../../emv/kernel.js';
import type { OnlineResponse, TransactionRequest } from '../../emv/types.js';
import { issuerKeysForTransaction } from '../../sim/emv/catalog.js';
import { SimulatedPinEntry, type PinSupplier } from '../../sim/sim-pin-entry.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { pickReader } from './apdu.js';

/** Options of `posbridge emv pay`. */
export interface EmvPayOptions {
  readonly amount: string;
  readonly currency: string;
  readonly type?: string;
  readonly reader?: string;
  readonly pinStdin?: boolean;
  readonly offline?: boolean;
  readonly json?: boolean;
}

/** Minor units from a decimal amount like "12.34" (two decimals at most). */
export function parseAmount(text: string): number {
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(text)) throw new UsageError(`--amount must be a decimal amount like 12.34, got "${text}"`);
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
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

/** The built-in issuer of the virtual cards, standing in for the acquirer host on the test stand. */
async function simulatedIssuer(iccData: Uint8Array, card: AuthorizeContext): Promise<OnlineResponse> {
  const keys = issuerKeysForTransaction(iccData, card.pan, card.panSequenceNumber);
  if (!keys) return { outcome: 'declined', responseCode: '14' };
  return keys.respond(iccData, { approve: true });
}

/**
 * `posbridge emv pay` (test stand): a full EMV transaction on the card in the reader, authorised by the built-in
 * issuer of the virtual cards (or decided offline with --offline). Prints the result, TVR/TSI, the steps and the
 * APDU log with PIN data and card numbers masked.
 */
export async function emvPayCommand(ctx: CliContext, opts: EmvPayOptions): Promise<number> {
  const amount = parseAmount(opts.amount);
  if (!/^\d{3}$/.test(opts.currency)) throw new UsageError(`--currency must be an ISO 4217 numeric code like 978, got "${opts.currency}"`);
  const type = (opts.type ?? 'purchase') as TransactionRequest['type'];
  if (!['purchase', 'refund', 'cash', 'cashback'].includes(type)) throw new UsageError(`--type must be purchase, refund, cash or cashback`);
  const pin = pinSupplier(opts.pinStdin ?? false);
  const driver = await ctx.createReaderDriver();
  try {
    const reader = await pickReader(driver, opts.reader);
    const conn = await driver.connect(reader);
    const events: KernelEvent[] = [];
    try {
      const kernel = new EmvKernel({
        config: ctx.terminalConfig(),
        pin: new SimulatedPinEntry(pin.supplier),
        ...(opts.offline ? {} : { authorize: simulatedIssuer }),
        now: () => new Date(),
        randomBytes: (n) => new Uint8Array(randomBytes(n)),
        onEvent: (e) => {
          events.push(e);
          if (!opts.json && e.type === 'pin-entry') ctx.err(`Enter PIN${e.triesLeft !== undefined ? ` (${e.triesLeft} tries left)` : ''}:`);
        },
      });
      const outcome = await conn.transaction((channel) => kernel.run(channel, { amount, currency: `0${opts.currency}`, type, sequenceCounter: 1 }));
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
