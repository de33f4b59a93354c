// The architecture rule (docs/architecture.md, "Layers"), checked on the source: the static imports of every src/**/*.ts
// file (`import … from`, `export … from`, type-only ones included; a dynamic `import()` is not a dependency at load)
// form no cycle, no file imports a higher layer or a peer layer, and only the demo's modules import the simulators.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const SRC = join(process.cwd(), 'src');

/**
 * The layers from the bottom up. A file may import files of its own layer and of the groups before its own; never a
 * later group, nor another layer of its group. `errors` is src/errors.ts, `index` is src/index.ts (the package entry).
 * src/sim/ stands apart: it may import anything, and only SIM_IMPORTERS import it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors'],
  ['util', 'log', 'config'],
  ['apdu', 'cards'],
  ['crypto'],
  ['drivers'],
  ['emv'],
  ['journal'],
  ['host'],
  ['payments'],
  ['receipts'],
  ['reports'],
  ['invoices'],
  ['api'],
  ['nexo'],
  ['daemon', 'client'],
  ['cli', 'index'],
  ['demo'],
];

/** The only files outside src/sim/ that may import it statically (tests may too; they are not under src/). */
const SIM_IMPORTERS: readonly RegExp[] = [
  /^demo\//,
  /^daemon\/demo-parts\.ts$/, // reached only by the daemon's dynamic import in demo mode
  /^cli\/commands\/(demo|emv-pay|sim-[a-z-]+)\.ts$/, // loaded on demand by `posbridge demo`, `emv pay` and `sim …`
];

/** Imports that break the rule today, each with its reason; the last test fails when one is no longer needed. */
const KNOWN_EXCEPTIONS: ReadonlyMap<string, string> = new Map<string, string>([]);

/** Every .ts file under `dir`, as paths relative to src/ with forward slashes. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [relative(SRC, path).split(sep).join('/')] : [];
  });
}

/** The src-relative files `file` imports statically (relative specifiers only; packages and node: are outside). */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(SRC, file), 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.') || !spec.text.endsWith('.js')) continue; // .json: data
    out.push(posix.normalize(posix.join(dirname(file).split(sep).join('/'), spec.text)).replace(/\.js$/, '.ts'));
  }
  return out;
}

/** The layer a src-relative file belongs to: its first directory, or its name for a file at the root of src/. */
function layerOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file.replace(/\.ts$/, '') : file.slice(0, slash);
}

/** The group index of a layer; -1 for src/sim/, which has none. */
function rankOf(layer: string): number {
  if (layer === 'sim') return -1;
  const rank = LAYERS.findIndex((group) => group.includes(layer));
  if (rank < 0) throw new Error(`src/${layer} is in no layer: add it to LAYERS here and in docs/architecture.md`);
  return rank;
}

/** What is wrong with the import `from -> to`, or null when the rule allows it. */
function violation(from: string, to: string): string | null {
  const [a, b] = [layerOf(from), layerOf(to)];
  if (a === b) return null;
  if (b === 'sim') return a === 'sim' || SIM_IMPORTERS.some((r) => r.test(from)) ? null : 'imports the simulators (src/sim/) statically';
  if (a === 'sim') return null;
  const [ra, rb] = [rankOf(a), rankOf(b)];
  if (rb > ra) return `imports a higher layer (${a} is below ${b})`;
  if (rb === ra) return `imports a peer layer (${a} and ${b} must not depend on each other)`;
  return null;
}

/** One cycle through each knot of mutually importing files in `graph`, each a path that ends where it starts. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const files = sourceFiles(SRC).sort();
const graph = new Map(files.map((f) => [f, staticImports(f)] as const));
const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to, key: `${from} -> ${to}` })));

describe('architecture', () => {
  test('the parser sees the imports (else the checks below prove nothing)', () => {
    assert.ok(files.length > 100, `${files.length} source files`);
    assert.ok(edges.some((e) => e.key === 'emv/card-io.ts -> apdu/card-channel.ts'), 'a known import is found');
    assert.ok(!edges.some((e) => e.from === 'cli/host-target.ts' && e.to === 'sim/host/run.ts'), 'a dynamic import() is not counted');
    for (const { to, key } of edges) assert.ok(graph.has(to), `${key}: no such file`);
  });

  test('no import cycle between files', () => {
    const kept = new Map([...graph].map(([from, tos]) => [from, tos.filter((to) => !KNOWN_EXCEPTIONS.has(`${from} -> ${to}`))] as const));
    assert.deepEqual(findCycles(kept).map((c) => c.join(' -> ')), []);
  });

  test('no file imports a higher layer, a peer layer, or the simulators outside the demo', () => {
    const bad = edges.flatMap(({ from, to, key }) => {
      const why = KNOWN_EXCEPTIONS.has(key) ? null : violation(from, to);
      return why ? [`src/${key}: ${why}`] : [];
    });
    assert.deepEqual(bad, []);
  });

  test('every known exception is still needed', () => {
    const keys = new Set(edges.map((e) => e.key));
    const stale = [...KNOWN_EXCEPTIONS.keys()].filter((k) => !keys.has(k));
    assert.deepEqual(stale, [], 'remove these from KNOWN_EXCEPTIONS: the import is gone');
  });
});
