import { defaultDataDir } from '../config/paths.js';
import { createHostStack, type HostStack } from '../host/stack.js';
import type { CliContext } from './context.js';
import { UsageError } from './exit-codes.js';

/** HOST:PORT from `--host`; UsageError when malformed. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^([^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--host must be HOST:PORT, got "${text}"`);
  return { host: m[1], port };
}

/**
 * Runs `fn` with the real host link (journal in the data directory) connected to `--host`, or — without it — to the
 * host simulator started in this process on a free port, then closes everything.
 */
export async function withHostStack<T>(ctx: CliContext, host: string | undefined, fn: (stack: HostStack, target: string) => Promise<T>): Promise<T> {
  // The simulator is loaded only when no host is given (a test stand), never otherwise.
  const sim = host ? null : await (await import('../sim/host/run.js')).runHostSimulator({ ...(ctx.logger ? { logger: ctx.logger } : {}) });
  const target = host ? parseHostPort(host) : { host: '127.0.0.1', port: sim?.port ?? 0 };
  const stack = createHostStack({ host: target.host, port: target.port, dataDir: process.env.POSBRIDGE_DATA_DIR ?? defaultDataDir(), ...(ctx.logger ? { logger: ctx.logger } : {}) });
  try {
    stack.queue.recover(Date.now());
    return await fn(stack, host ? `${target.host}:${target.port}` : `the simulator on 127.0.0.1:${target.port}`);
  } finally {
    await stack.close();
    await sim?.stop();
  }
}
