// The layering the ports promise: device drivers import nothing of the EMV kernel (the PIN port's contract lives
// beside the drivers, the kernel translates its results), and stripe track parsing is pure (no I/O, no driver).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const SRC = join(process.cwd(), 'src');

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The module specifiers a file imports or re-exports. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1]);
}

test('src/drivers imports nothing from src/emv (the DES helpers they share are in src/crypto, below both)', () => {
  const found = sources(join(SRC, 'drivers')).flatMap((f) => importsOf(f).filter((s) => /\/emv\//.test(s)).map((s) => `${relative(SRC, f)} → ${s}`));
  assert.deepEqual(found, []);
});

test('src/cards (track parsing) is pure: only its own modules, the error base and the PAN redaction helpers', () => {
  const allowed = /^(\.\/[a-z-]+\.js|\.\.\/errors\.js|\.\.\/log\/redact\.js)$/;
  const found = sources(join(SRC, 'cards')).flatMap((f) => importsOf(f).filter((s) => !allowed.test(s)).map((s) => `${relative(SRC, f)} → ${s}`));
  assert.deepEqual(found, []);
});
