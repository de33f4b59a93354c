#!/usr/bin/env node
// `npm run bench`: every benchmark under bench/, each printing its ratio against a baseline measured in the same
// run. The PC/SC benchmarks run inside the private namespace (see scripts/lib/pcsc-ns.mjs) when it can be made.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { insideNamespace, namespaceProblem, runInNamespace, setupInside } from './lib/pcsc-ns.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!insideNamespace()) {
  const problem = namespaceProblem();
  if (problem === null) process.exit(runInNamespace(fileURLToPath(import.meta.url), process.argv.slice(2)));
  console.error(`[bench] no private PC/SC namespace (${problem}): PC/SC benchmarks will say they were skipped`);
} else {
  setupInside();
}
const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'dist', 'bench'))
  .filter((f) => f.endsWith('.js') && f !== 'stats.js')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
for (const f of benches) {
  const mod = await import(pathToFileURL(join(root, 'dist', 'bench', f)).href);
  for (const [name, fn] of Object.entries(mod)) if (name.startsWith('bench') && typeof fn === 'function') await fn();
}
