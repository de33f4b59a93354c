import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The version in the package's package.json (this module is dist/src/cli/version.js: the package root is three up). */
export function packageVersion(): string {
  const file = fileURLToPath(new URL('../../../package.json', import.meta.url));
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`${file} has no "version"`);
  return pkg.version;
}
