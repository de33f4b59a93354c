// bench/schema-validation: checking a typical `payment.start` params object with each schema library candidate
// (TypeBox 1.x compiled and interpreted, @sinclair/typebox 0.34 compiled, zod 4, hand JSON Schema + ajv 8) against
// the hand-written checks the API had before (the baseline), in alternating rounds in one process. Ratio = the
// candidate's checks per second / the baseline's (higher is faster). A candidate not installed is skipped, so in the
// repo (where only the chosen library is) this measures it alone; the comparison ran in a scratch directory:
//   mkdir /tmp/schema-bench && cd /tmp/schema-bench && npm init -y && npm i typebox @sinclair/typebox zod ajv
//   mkdir run && echo '{"type":"module"}' > run/package.json
//   cp <repo>/dist/bench/schema-validation.js <repo>/dist/bench/stats.js run/ && node run/schema-validation.js
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, report } from './stats.js';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'HUF', 'JPY', 'CNY', 'CAD', 'AUD'];
const VALID = { lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'order-2026-0001' };
const INVALID = { lane: 'A', type: 'sale', amount: 12.5, currency: 'EUR', reference: 'order-2026-0002' };

/** The JSON Schema every candidate checks (written by hand for ajv; built by the others' builders). */
const JSON_SCHEMA = {
  type: 'object',
  required: ['lane', 'type', 'amount', 'currency', 'reference'],
  additionalProperties: false,
  properties: {
    lane: { type: 'string', minLength: 1, maxLength: 40 },
    type: { enum: ['sale', 'refund', 'preauth'] },
    amount: { type: 'integer', minimum: 1, maximum: 99_999_999 },
    currency: { enum: CURRENCIES },
    reference: { type: 'string', minLength: 1, maxLength: 64 },
  },
};

type Check = (v: unknown) => boolean;

/** The checks payment.start made by hand before the contract (the baseline). */
function handCheck(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const str = (x: unknown, max: number): boolean => typeof x === 'string' && x.length > 0 && x.length <= max;
  if (!str(p.lane, 40) || !str(p.reference, 64)) return false;
  if (p.type !== 'sale' && p.type !== 'refund' && p.type !== 'preauth') return false;
  if (typeof p.amount !== 'number' || !Number.isInteger(p.amount) || p.amount <= 0 || p.amount > 99_999_999) return false;
  if (typeof p.currency !== 'string' || !CURRENCIES.includes(p.currency)) return false;
  return Object.keys(p).every((k) => k in JSON_SCHEMA.properties);
}

/** Imports `name[/sub]` from `dir`'s node_modules by its package.json exports (ESM or CJS), or null when absent. */
async function load(dir: string, name: string, sub = '.'): Promise<Record<string, unknown> | null> {
  const root = join(dir, 'node_modules', name);
  if (!existsSync(join(root, 'package.json'))) return null;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string; exports?: Record<string, unknown> };
  let entry: unknown = pkg.exports?.[sub] ?? (sub === '.' ? (pkg.main ?? 'index.js') : `${sub}.js`);
  while (typeof entry === 'object' && entry !== null) {
    const e = entry as Record<string, unknown>;
    entry = e.import ?? e.default ?? e.require;
  }
  return (await import(pathToFileURL(join(root, String(entry))).href)) as Record<string, unknown>;
}

/** The version of `name` installed in `dir` (for the report: the repo may hold another major, e.g. eslint's ajv). */
function versionOf(dir: string, name: string): string {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

interface Builder {
  Object(p: Record<string, unknown>, o?: object): unknown;
  String(o?: object): unknown;
  Integer(o?: object): unknown;
  Union(t: unknown[]): unknown;
  Literal(v: string): unknown;
}

function typeboxSchema(T: Builder): unknown {
  return T.Object(
    {
      lane: T.String({ minLength: 1, maxLength: 40 }),
      type: T.Union(['sale', 'refund', 'preauth'].map((s) => T.Literal(s))),
      amount: T.Integer({ minimum: 1, maximum: 99_999_999 }),
      currency: T.Union(CURRENCIES.map((c) => T.Literal(c))),
      reference: T.String({ minLength: 1, maxLength: 64 }),
    },
    { additionalProperties: false },
  );
}

/** Every candidate found in `dir`, as a check function, with its name. */
async function candidates(dir: string): Promise<{ name: string; check: Check; jsonSchema: string }[]> {
  const out: { name: string; check: Check; jsonSchema: string }[] = [];
  const tb1 = await load(dir, 'typebox');
  const tb1c = await load(dir, 'typebox', './compile');
  const tb1v = await load(dir, 'typebox', './value');
  if (tb1 && tb1c && tb1v) {
    const schema = typeboxSchema(tb1.Type as Builder);
    const compiled = (tb1c.Compile as (s: unknown) => { Check: Check })(schema);
    out.push({ name: `typebox@${versionOf(dir, 'typebox')} Compile`, check: (v) => compiled.Check(v), jsonSchema: 'the schema object itself' });
    const valueCheck = tb1v.Check as (s: unknown, v: unknown) => boolean;
    out.push({ name: `typebox@${versionOf(dir, 'typebox')} Value.Check`, check: (v) => valueCheck(schema, v), jsonSchema: 'the schema object itself' });
  }
  const tb0 = await load(dir, '@sinclair/typebox');
  const tb0c = await load(dir, '@sinclair/typebox', './compiler');
  if (tb0 && tb0c) {
    const schema = typeboxSchema(tb0.Type as Builder);
    const compiled = (tb0c.TypeCompiler as { Compile(s: unknown): { Check: Check } }).Compile(schema);
    out.push({ name: `@sinclair/typebox@${versionOf(dir, '@sinclair/typebox')} TypeCompiler`, check: (v) => compiled.Check(v), jsonSchema: 'the schema object itself' });
  }
  const zod = await load(dir, 'zod');
  // zod 4's API (z.int, z.toJSONSchema); another major somewhere in node_modules is not a candidate.
  if (zod && versionOf(dir, 'zod').startsWith('4.')) {
    interface Z {
      strictObject(p: Record<string, unknown>): { safeParse(v: unknown): { success: boolean } };
      string(): { min(n: number): { max(n: number): unknown } };
      int(): { min(n: number): { max(n: number): unknown } };
      enum(v: string[]): unknown;
      toJSONSchema(s: unknown): unknown;
    }
    const z = zod.z as Z;
    const schema = z.strictObject({
      lane: z.string().min(1).max(40),
      type: z.enum(['sale', 'refund', 'preauth']),
      amount: z.int().min(1).max(99_999_999),
      currency: z.enum(CURRENCIES),
      reference: z.string().min(1).max(64),
    });
    out.push({ name: `zod@${versionOf(dir, 'zod')} safeParse`, check: (v) => schema.safeParse(v).success, jsonSchema: `z.toJSONSchema: ${JSON.stringify(z.toJSONSchema(schema)).length} chars` });
  }
  const ajvMod = await load(dir, 'ajv');
  if (ajvMod) {
    const Ajv = (ajvMod.default ?? ajvMod.Ajv) as new (o: object) => { compile(s: unknown): Check };
    const check = new Ajv({ allErrors: false }).compile(JSON_SCHEMA);
    out.push({ name: `ajv@${versionOf(dir, 'ajv')}`, check: (v) => check(v) === true, jsonSchema: 'written by hand (no static type from it)' });
  }
  return out;
}

function timeRound(check: Check, n: number): number {
  let ok = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (check(i % 8 === 7 ? INVALID : VALID)) ok++;
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (ok !== n - Math.floor(n / 8)) throw new Error('a candidate judged the bench objects wrongly');
  return n / s;
}

/** Times each candidate against the hand-written baseline in alternating rounds; prints checks/s and ratios. */
export async function benchSchemaValidation(dir = process.cwd(), rounds = 15, perRound = 50_000): Promise<Record<string, number>> {
  const list = await candidates(dir);
  if (list.length === 0) {
    process.stdout.write(`bench/schema-validation: no candidate installed under ${dir}/node_modules: skipped\n`);
    return {};
  }
  for (const c of list) if (!c.check(VALID) || c.check(INVALID)) throw new Error(`${c.name} judges the bench objects wrongly`);
  const base: number[] = [];
  const per = new Map<string, number[]>(list.map((c) => [c.name, []]));
  for (let w = 0; w < 3; w++) for (const c of [{ check: handCheck }, ...list]) timeRound(c.check, perRound);
  for (let r = 0; r < rounds; r++) {
    base.push(timeRound(handCheck, perRound));
    for (const c of list) per.get(c.name)?.push(timeRound(c.check, perRound));
  }
  const ratios: Record<string, number> = {};
  for (const c of list) {
    const ratio = median(per.get(c.name) ?? []) / median(base);
    ratios[c.name] = ratio;
    // Target: at least a tenth of the hand-written checks' speed (a call's params are checked once per call).
    report(`bench/schema-validation ${c.name}`, { checksPerSec: median(per.get(c.name) ?? []), handPerSec: median(base), jsonSchema: c.jsonSchema }, ratio, '>= 0.1', ratio >= 0.1);
  }
  return ratios;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchSchemaValidation();
