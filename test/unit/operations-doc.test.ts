// docs/operations.md is the metrics contract: every metric the daemon registers is in its table, and the Grafana
// dashboard (valid JSON, with the shop and till variables) and the alert rules name only metrics that exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const doc = readFileSync(join(process.cwd(), 'docs', 'operations.md'), 'utf8');
const source = readFileSync(join(process.cwd(), 'src', 'daemon', 'metrics.ts'), 'utf8');
const registered = new Set([...source.matchAll(/'(posbridge_[a-z_]+)'/g)].map((m) => m[1]));
const HISTOGRAM_SUFFIXES = /_(bucket|count|sum)$/;

/** The posbridge_* names an expression text uses, histogram series mapped to their metric. */
function used(text: string): Set<string> {
  return new Set([...text.matchAll(/\bposbridge_[a-z_]+/g)].map((m) => (registered.has(m[0]) ? m[0] : m[0].replace(HISTOGRAM_SUFFIXES, ''))));
}

function block(heading: string, lang: string): string {
  const m = new RegExp(`## ${heading}[\\s\\S]*?\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(doc);
  assert.ok(m, `a ${lang} block under "${heading}"`);
  return m[1];
}

test('every registered metric is documented with its type in the table', () => {
  assert.ok(registered.size >= 10, `found ${registered.size} metrics in metrics.ts`);
  for (const name of registered) assert.match(doc, new RegExp(`\\| \`${name}\` \\| (counter|gauge|histogram) \\|`), name);
});

test('the Grafana dashboard is valid JSON with shop and instance variables, and its queries name only real metrics', () => {
  const dash = JSON.parse(block('Grafana dashboard', 'json')) as { templating: { list: { name: string }[] }; panels: { targets: { expr: string }[] }[] };
  assert.deepEqual(dash.templating.list.map((v) => v.name), ['datasource', 'shop', 'instance']);
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const name of used(exprs)) assert.ok(registered.has(name), `the dashboard uses ${name}, which the daemon does not serve`);
  assert.ok(used(exprs).has('posbridge_payments_total') && used(exprs).has('posbridge_authorisation_duration_seconds'));
});

test('the alert rules name only real metrics and cover the issue\'s cases', () => {
  const rules = block('Prometheus alert rules', 'yaml');
  for (const name of used(rules)) assert.ok(registered.has(name), `a rule uses ${name}, which the daemon does not serve`);
  for (const alert of ['PosbridgeHostLinkDown', 'PosbridgeReversalQueueAged', 'PosbridgePrinterDown', 'PosbridgeNoPaymentsWhileOpen', 'PosbridgeBackupTooOld', 'PosbridgeNotReady']) assert.match(rules, new RegExp(`alert: ${alert}\\n`));
});
