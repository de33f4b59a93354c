// The crash tests' daemon entry: `node dist/test/helpers/failpoint-daemon.js --failpoint payment:STATE daemon
// --config FILE` arms the failpoint in code, then runs the CLI as bin/posbridge does. It lives in the test tree (not
// in the published package): the production entry has no way to arm a failpoint, whatever its environment says.
process.env.UV_THREADPOOL_SIZE ??= '16';
import { processContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { createLogger } from '../../src/log/logger.js';
import { armFailpoint } from '../../src/util/failpoint.js';

const args = process.argv.slice(2);
const at = args.indexOf('--failpoint');
if (at < 0 || !args[at + 1]) throw new Error('usage: failpoint-daemon.js --failpoint NAME <posbridge arguments>');
armFailpoint(args[at + 1]);
args.splice(at, 2);

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());
process.exitCode = await runCli(processContext(createLogger({ consoleLevel: 'silent' })), args, controller.signal);
