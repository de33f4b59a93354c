#!/usr/bin/env node
// `npm run demo` (after `npm run setup`): the virtual card through the real PC/SC stack when a private pcscd can
// run here (Linux, root or user namespaces, pcscd + vsmartcard-vpcd installed), else through the in-process reader.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { insideNamespace, namespaceProblem, runInNamespace, setupInside } from './lib/pcsc-ns.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let mode = 'pcscd';
if (!insideNamespace()) {
  const problem = namespaceProblem();
  if (problem === null) process.exit(runInNamespace(fileURLToPath(import.meta.url), process.argv.slice(2)));
  console.error(`[demo] ${problem}`);
  mode = 'in-process';
} else {
  setupInside();
}
const { runDemo } = await import(pathToFileURL(join(root, 'dist', 'src', 'demo', 'demo.js')).href);
process.exitCode = await runDemo(mode);
