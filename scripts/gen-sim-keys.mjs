#!/usr/bin/env node
// Makes the virtual EMV card's TEST keys for the checkout, test/fixtures/sim-test-keys.json (checked in, never in
// the published package: an installed posbridge makes its own on first use, see src/sim/emv/sim-keys.ts). Needs a
// build (npx tsc -p tsconfig.json). Existing keys are kept (the file stays stable across runs); keys no profile needs
// are dropped; `--force` makes all anew. These keys are for the simulator and tests ONLY: never use them elsewhere.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test', 'fixtures', 'sim-test-keys.json');
const dist = (p) => import(pathToFileURL(join(root, 'dist', 'src', 'sim', 'emv', p)).href);
const { generateSimKeys } = await dist('sim-key-gen.js');
const { loadProfiles } = await dist('catalog.js');

const previous = !process.argv.includes('--force') && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
const next = generateSimKeys(loadProfiles(), previous);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(next, null, 2) + '\n');
console.log(`wrote ${out}: ${Object.keys(next.ca).length} CA, ${Object.keys(next.issuers).length} issuer, ${Object.keys(next.iccs).length} ICC key pair(s)`);
