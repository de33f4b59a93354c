#!/usr/bin/env node
// Runs the whole suite with node's test runner over the built tests (dist/test/**/*.test.js).
// On Linux as root (or with user namespaces) the run happens inside a private mount+network namespace, so the
// integration tests start their own pcscd with vpcd readers without touching the machine's PC/SC service.
// Elsewhere the integration tests that need pcscd say why they skip; everything else runs.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insideNamespace, namespaceProblem, runInNamespace, setupInside } from './lib/pcsc-ns.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (!insideNamespace()) {
  const problem = namespaceProblem();
  if (problem === null) process.exit(runInNamespace(fileURLToPath(import.meta.url), args));
  console.error(`[test] no private PC/SC namespace (${problem}): tests that need pcscd will be skipped`);
} else {
  setupInside();
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filter = args.filter((a) => !a.startsWith('--'));
let files = findTests(join(root, 'dist', 'test')).sort();
if (filter.length) files = files.filter((f) => filter.some((x) => relative(root, f).includes(x)));
// One pcscd per namespace: test files run one after another.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
