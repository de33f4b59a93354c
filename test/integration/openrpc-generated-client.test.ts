// A cashier app in another language generates its client from /openrpc.json with a standard JSON Schema tool. Here
// the TypeScript one (json-schema-to-typescript) turns docs/openrpc.json into types, and a small client written
// against them (a call per method, a handler per notification, a sale's calls in full) must type-check with the
// strict compiler: a schema the generator cannot render, or a parameter name that differs from the one the daemon
// takes, fails the test.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import ts from 'typescript';

interface OpenRpcParam {
  readonly name: string;
  readonly required?: boolean;
  readonly schema: JSONSchema;
}
interface OpenRpcMethod {
  readonly name: string;
  readonly params: readonly OpenRpcParam[];
  readonly result?: { readonly schema: JSONSchema };
  readonly 'x-notification'?: boolean;
}
interface OpenRpcDoc {
  readonly methods: readonly OpenRpcMethod[];
  readonly components?: { readonly schemas?: Record<string, JSONSchema> };
}

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** One JSON Schema whose properties are the methods (params, result) and notifications, the components as $defs. */
function apiSchema(doc: OpenRpcDoc): JSONSchema {
  const defs: Record<string, JSONSchema> = { ...(doc.components?.schemas ?? {}) };
  const methods: Record<string, JSONSchema> = {};
  const notifications: Record<string, JSONSchema> = {};
  for (const m of doc.methods) {
    const params: JSONSchema = { type: 'object', additionalProperties: false, properties: Object.fromEntries(m.params.map((p) => [p.name, p.schema])), required: m.params.filter((p) => p.required).map((p) => p.name) };
    defs[`${pascal(m.name)}Params`] = params;
    const ref = { $ref: `#/$defs/${pascal(m.name)}Params` };
    if (m['x-notification']) notifications[m.name] = ref;
    else methods[m.name] = { type: 'object', additionalProperties: false, properties: { params: ref, result: m.result?.schema ?? {} }, required: ['params', 'result'] };
  }
  const root = {
    title: 'PosbridgeApi',
    type: 'object',
    additionalProperties: false,
    properties: {
      methods: { type: 'object', additionalProperties: false, properties: methods, required: Object.keys(methods) },
      notifications: { type: 'object', additionalProperties: false, properties: notifications, required: Object.keys(notifications) },
    },
    required: ['methods', 'notifications'],
    $defs: defs,
  };
  return JSON.parse(JSON.stringify(root).replaceAll('#/components/schemas/', '#/$defs/')) as JSONSchema;
}

const CLIENT = `
import type { PosbridgeApi } from './api.js';
type Methods = PosbridgeApi['methods'];
type Notifications = PosbridgeApi['notifications'];
export interface Transport { request(method: string, params: unknown): Promise<unknown>; on(method: string, f: (p: unknown) => void): void }
export class Client {
  constructor(private readonly t: Transport) {}
  async call<M extends keyof Methods>(method: M, params: Methods[M]['params']): Promise<Methods[M]['result']> {
    return (await this.t.request(method, params)) as Methods[M]['result'];
  }
  on<N extends keyof Notifications>(name: N, f: (p: Notifications[N]) => void): void {
    this.t.on(name, (p) => f(p as Notifications[N]));
  }
}
export async function sale(c: Client): Promise<string> {
  const hello = await c.call('session.hello', { token: 't' });
  const lane: string = hello.lanes[0]?.lane ?? 'A';
  c.on('payment.progress', (p) => void p.step.toUpperCase());
  c.on('payment.completed', (p) => void p.state);
  const started = await c.call('payment.start', { lane, type: 'sale', amount: 1234, currency: 'EUR', reference: 'r-1' });
  void started;
  const list = await c.call('payment.list', {});
  void list;
  await c.call('payment.cancel', { paymentId: 'p-1' });
  await c.call('receipt.get', { paymentId: 'p-1', copy: 'customer' });
  const devices = await c.call('devices.list', {});
  return JSON.stringify(devices);
}
`;

test('a client generated from docs/openrpc.json by json-schema-to-typescript type-checks, a sale written against it included', async () => {
  const doc = JSON.parse(readFileSync(join(process.cwd(), 'docs', 'openrpc.json'), 'utf8')) as OpenRpcDoc;
  const types = await compile(apiSchema(doc), 'PosbridgeApi', { bannerComment: '', additionalProperties: false, format: false });
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-openrpc-'));
  try {
    writeFileSync(join(dir, 'api.ts'), types);
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    const program = ts.createProgram([join(dir, 'client.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.slice(dir.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    assert.deepEqual(problems, [], types.slice(0, 2000));
    // The generated types name every method and notification of the document.
    for (const m of doc.methods) assert.ok(types.includes(`"${m.name}"`), `${m.name} in the generated types`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
