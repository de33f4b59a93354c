import { currencyAlpha, formatMinor } from '../../util/currency.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { withHostStack } from '../host-target.js';

/** `posbridge settle`: forwards queued reversals and advices, then settles the pending batch with the host. */
export async function settleCommand(ctx: CliContext, opts: { host?: string; json?: boolean }): Promise<number> {
  return withHostStack(ctx, opts.host, async (stack, target) => {
    await stack.worker.drain();
    const waiting = stack.queue.list(['pending', 'in-flight', 'manual']);
    // Totals are only right once every reversal and advice reached the host: settle after the queue is empty.
    const blocking = waiting.filter((i) => i.status !== 'manual');
    if (blocking.length > 0) {
      ctx.err(`posbridge: ${blocking.length} reversal(s)/advice(s) still wait for the host; settle again once they are delivered (posbridge host queue)`);
      return EXIT.FAILED;
    }
    const result = await stack.settlement.settle();
    const out = {
      host: target,
      batch: result?.batchId ?? null,
      closed: result?.closed ?? false,
      currencies: (result?.currencies ?? []).map((c) => ({ ...c.totals, responseCode: c.responseCode, uploaded: c.uploaded, agreed: c.agreed })),
      queue: waiting.map((i) => ({ id: i.id, kind: i.kind, status: i.status, attempts: i.attempts, lastError: i.lastError })),
    };
    if (opts.json) ctx.out(JSON.stringify(out));
    else if (!result) ctx.out(`Nothing to settle (host: ${target}).`);
    else {
      ctx.out(`Batch ${out.batch} ${out.closed ? 'closed: the host agreed' : 'NOT closed: the host did not agree; it will be tried again'} (host: ${target})`);
      for (const c of out.currencies) {
        // Totals are in the currency's minor units: shown with its ISO 4217 exponent (JPY 0 decimals, EUR 2).
        ctx.out(`  ${currencyAlpha(c.currency)}: ${c.salesCount} sales ${formatMinor(c.salesAmount, c.currency)}, ${c.refundsCount} refunds ${formatMinor(c.refundsAmount, c.currency)}, reversed ${c.salesReversedCount + c.refundsReversedCount} → ${c.responseCode}${c.uploaded ? ` after uploading ${c.uploaded}` : ''}`);
      }
      for (const q of out.queue) ctx.out(`  queued ${q.kind} #${q.id}: ${q.status} (${q.attempts} attempts${q.lastError ? `, ${q.lastError}` : ''})`);
    }
    return !result || result.closed ? EXIT.OK : EXIT.FAILED;
  });
}
