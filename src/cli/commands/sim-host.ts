import { rules } from '../../sim/host/rules.js';
import { runHostSimulator } from '../../sim/host/run.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** `posbridge sim host`: the simulated acquirer on 127.0.0.1 until Ctrl-C. */
export async function simHostCommand(ctx: CliContext, opts: { port?: string; json?: boolean }, signal?: AbortSignal): Promise<number> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${opts.port}"`);
  const handle = await runHostSimulator({ port, ...(ctx.logger ? { logger: ctx.logger } : {}) });
  if (opts.json) ctx.out(JSON.stringify({ host: `127.0.0.1:${handle.port}`, rules: rules().rules }));
  else {
    ctx.out(`Host simulator listening on 127.0.0.1:${handle.port} (ISO 8583:1987, binary bitmap, BCD, TPDU). Ctrl-C stops it.`);
    for (const r of rules().rules) ctx.out(`  ${r.request}: ${r.when} → ${r.answer}`);
  }
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await handle.stop();
  return EXIT.OK;
}
