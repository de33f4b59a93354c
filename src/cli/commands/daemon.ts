import { readFileSync } from 'node:fs';
import { parseConfig } from '../../daemon/config.js';
import { startDaemon } from '../../daemon/daemon.js';
import { checkDataDir } from '../../daemon/preflight.js';
import { refuseSimulators } from '../../daemon/demo-only.js';
import { createLogger } from '../../log/logger.js';
import { stderrIsJournal } from '../../log/journald.js';
import { daemonLoggerOptions, parseLogSection } from '../../daemon/log-config.js';
import { defaultDataDir } from '../../config/paths.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Resolves when `signal` aborts (SIGINT/SIGTERM). */
export function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `posbridge daemon [--config FILE]`: runs the daemon until SIGINT/SIGTERM (finishing or parking payments). */
export async function daemonCommand(ctx: CliContext, opts: { config?: string }, signal?: AbortSignal): Promise<number> {
  if (!opts.config) throw new UsageError('give --config FILE: lanes, readers and host (an example: docs/config.example.json)');
  let raw: unknown;
  {
    try {
      raw = JSON.parse(readFileSync(opts.config, 'utf8')) as unknown;
    } catch (err) {
      throw new UsageError(`cannot read the config ${opts.config}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const config = parseConfig(raw);
  refuseSimulators(config); // before anything is created in the data directory
  const dataDir = config.dataDir ?? defaultDataDir();
  checkDataDir(dataDir); // before the log file goes there: an unusable directory is one clear line
  // Run by systemd: the journal keeps the records (no file unless the config's `log.file` asks for one).
  const logger = createLogger(daemonLoggerOptions(config.log ?? parseLogSection(undefined), dataDir, stderrIsJournal()));
  const d = await startDaemon({ ...config, dataDir }, logger);
  ctx.out(`posbridge daemon on ${d.url} (data: ${d.dataDir}). Ctrl-C stops it.`);
  if (d.metrics) ctx.out(`metrics: ${d.metrics.url}/metrics, /healthz, /readyz`);
  await waitForStop(signal);
  await d.stop();
  return EXIT.OK;
}
