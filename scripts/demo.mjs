#!/usr/bin/env node
// `npm run demo` (after `npm run setup`):
// 1. the PC/SC stack: when a private pcscd can run here (Linux, root or user namespaces, pcscd + vsmartcard-vpcd),
//    a virtual EMV card goes into a vpcd reader of a real pcscd and the CLI shows `readers`, `atr`, a sample APDU
//    exchange and `emv read --test-keys` (the card is signed under the simulators' test CA) through it; elsewhere the
//    same through the in-process reader;
// 2. the daemon on simulated devices (virtual card in a vpcd reader of a private pcscd when root, else the in-process
//    reader; PIN pad and host simulator), with a demo token, until Ctrl-C (`posbridge demo`; --port N or --json are
//    passed on).
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { insideNamespace, namespaceProblem, runInNamespace, setupInside } from './lib/pcsc-ns.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (insideNamespace()) {
  setupInside();
  const { runDemo } = await import(pathToFileURL(join(root, 'dist', 'src', 'demo', 'demo.js')).href);
  process.exit(await runDemo('pcscd'));
}

if (!args.includes('--json')) {
  const problem = namespaceProblem();
  if (problem === null) runInNamespace(fileURLToPath(import.meta.url), []);
  else {
    console.error(`[demo] ${problem}: the PC/SC part runs on the in-process reader`);
    const { runDemo } = await import(pathToFileURL(join(root, 'dist', 'src', 'demo', 'demo.js')).href);
    await runDemo('in-process');
  }
  console.log('');
}
// The daemon: on the real PC/SC stack when we may make a private mount namespace (root): its own /run/pcscd and
// pcscd with a vpcd reader, but the machine's network, so the API port is reachable from this machine's browser
// (without the private network's quick ACKs an APDU takes ~48 ms: a sale takes a second or two). Else in-process.
const bin = join(root, 'dist', 'bin', 'posbridge.js');
const pcscd = process.getuid?.() === 0 && namespaceProblem() === null;
const [cmd, argv, env] = pcscd
  ? ['unshare', ['-m', '--', 'sh', '-c', 'mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd && exec "$0" "$@"', process.execPath, bin, 'demo', '--pcsc', ...args], { ...process.env, POSBRIDGE_PCSC_NS: '1' }]
  : [process.execPath, [bin, 'demo', ...args], process.env];
// The daemon runs in a process group of its own, so each signal reaches it once, through us: SIGINT/SIGTERM/SIGHUP
// stop it (pcscd and the data directory with it), a second one ends it at once. We leave when it has left.
// On Windows a detached child gets a console of its own and a forwarded signal is a hard kill: there the child
// stays in our console and gets Ctrl-C from it directly.
const ownGroup = process.platform !== 'win32';
const child = spawn(cmd, argv, { stdio: 'inherit', env, detached: ownGroup });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (ownGroup && child.exitCode === null && child.signalCode === null) child.kill(sig);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1)));
