#!/usr/bin/env node
// The `posbridge` command: diagnostics of readers, cards and devices (see docs/cli.md).
// PC/SC waits and transmits run on libuv's worker pool (4 threads by default): a few pending card exchanges
// must not starve the rest. It must be set before the pool starts: the static imports below do not use the pool,
// and the native binding is loaded later, on demand.
process.env.UV_THREADPOOL_SIZE ??= '16';
import { processContext } from '../src/cli/context.js';
import { runCli } from '../src/cli/program.js';
import { defaultDataDir } from '../src/config/paths.js';
import { createLogger } from '../src/log/logger.js';

// A closed pipe (`posbridge readers | head -1`) ends the output, not the process with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

const logger = createLogger({ consoleLevel: process.env.POSBRIDGE_LOG_LEVEL ?? 'silent', dataDir: process.env.POSBRIDGE_LOG_FILE === '1' ? defaultDataDir() : undefined });
const code = await runCli(processContext(logger), process.argv.slice(2), controller.signal);
process.exitCode = code;
