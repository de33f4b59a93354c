#!/usr/bin/env node
// `npm run demo` (after `npm run setup`):
// 1. the PC/SC stack: when a private pcscd can run here (Linux, root or user namespaces, pcscd + vsmartcard-vpcd),
//    the virtual card goes into a vpcd reader of a real pcscd and the CLI shows `readers`, `atr` and a sample APDU
//    exchange through it; elsewhere the same through the in-process reader;
// 2. the daemon on simulated devices (virtual reader and card, PIN pad, host simulator), with a demo token, until
//    Ctrl-C (`posbridge demo`; arguments such as --port N or --json are passed on).
import { spawnSync } from 'node:child_process';
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
const r = spawnSync(process.execPath, [join(root, 'dist', 'bin', 'posbridge.js'), 'demo', ...args], { stdio: 'inherit' });
process.exit(r.status ?? 0);
