#!/usr/bin/env node
// `npm run openrpc`: writes docs/openrpc.json, the API's OpenRPC document, from the built contract
// (dist/src/api/contract/openrpc.js: build first). `--check` writes nothing and exits 1 when the copy is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'openrpc.json');
const { openRpcDocument } = await import(pathToFileURL(join(root, 'dist', 'src', 'api', 'contract', 'openrpc.js')).href);
const text = `${JSON.stringify(openRpcDocument(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(target, 'utf8');
  } catch (err) {
    console.error(`docs/openrpc.json cannot be read (${err.code ?? err.message}): run npm run openrpc`);
    process.exit(1);
  }
  if (old !== text) {
    console.error('docs/openrpc.json differs from the contract: run npm run openrpc');
    process.exit(1);
  }
  console.log('docs/openrpc.json is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
