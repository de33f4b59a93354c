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

// The first SIGINT/SIGTERM/SIGHUP asks the running command to stop (the daemon parks its lanes and closes its parts);
// the same signal arriving again within half a second is the same request delivered twice (the terminal's process
// group and a forwarding parent such as npm); a later one ends the process at once. A stop that takes more than
// 4.5 s ends the process too: the journal makes that as safe as a crash, and systemd's stop never hangs.
const controller = new AbortController();
let firstSignalAt = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  const now = Date.now();
  if (firstSignalAt === 0) {
    firstSignalAt = now;
    controller.abort();
    setTimeout(() => {
      process.stderr.write(`posbridge: still stopping 4.5 s after ${signal}: exiting now (the journal recovers any payment in flight at the next start)\n`);
      process.exit(1);
    }, 4500).unref();
  } else if (now - firstSignalAt > 500) {
    process.stderr.write(`posbridge: second ${signal}: exiting now\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
};
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

const logger = createLogger({ consoleLevel: process.env.POSBRIDGE_LOG_LEVEL ?? 'silent', dataDir: process.env.POSBRIDGE_LOG_FILE === '1' ? defaultDataDir() : undefined });
const code = await runCli(processContext(logger), process.argv.slice(2), controller.signal);
process.exitCode = code;
// The command is over: anything still holding the event loop (a half-started part) must not keep the process alive.
setTimeout(() => process.exit(code), 1000).unref();
