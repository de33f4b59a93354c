// Every example JSON-RPC message in docs/api.md (its ```json blocks, one message a line) against the contract: a
// request's method is in the OpenRPC document with those param names and its params validate; an answer's result
// validates against its request's method's result schema; a notification is one of the document's notifications
// and validates; an error answer carries a documented code with its JSON-RPC number. A request answered
// INVALID_PARAMS must be refused by the contract's validation with that param and message; any other must validate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { API_ERRORS, type ApiErrorCode } from '../../src/api/errors.js';
import { isMethodName, METHODS } from '../../src/api/contract/methods.js';
import { NOTIFICATIONS, type NotificationName } from '../../src/api/contract/notifications.js';
import { validateParams } from '../../src/api/contract/validate.js';
import { ApiError } from '../../src/api/errors.js';
import { openRpcDocument, type OpenRpcDocument } from '../../src/api/contract/openrpc.js';

const md = readFileSync(join(process.cwd(), 'docs', 'api.md'), 'utf8');

/** The messages of each ```json block of a Markdown text. */
function jsonBlocks(text: string): unknown[][] {
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown),
  );
}

function problems(schema: TSchema, value: unknown): string[] {
  return [...TypeCompiler.Compile(schema).Errors(value)].map((e) => `${e.path || '/'}: ${e.message}`);
}

/** What is wrong with one block of messages, as a list of sentences (empty: all good). */
function checkBlock(doc: OpenRpcDocument, messages: unknown[]): string[] {
  const out: string[] = [];
  const asked = new Map<unknown, { method: string; params: Record<string, unknown>; where: string }>();
  const paramsOk = (r: { method: string; params: Record<string, unknown>; where: string }): string[] =>
    isMethodName(r.method) ? problems(METHODS[r.method].params, r.params).map((p) => `${r.where}: params ${p}`) : [];
  for (const raw of messages) {
    const msg = raw as { jsonrpc?: string; id?: unknown; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { code: number; data?: { code?: string } } };
    const where = JSON.stringify(raw).slice(0, 80);
    if (msg.jsonrpc !== '2.0') out.push(`${where}: jsonrpc is not "2.0"`);
    if (typeof msg.method === 'string') {
      const m = doc.methods.find((x) => x.name === msg.method);
      if (!m) {
        out.push(`${where}: no method ${msg.method} in the OpenRPC document`);
        continue;
      }
      const params = msg.params ?? {};
      if (msg.id !== undefined) {
        if (m['x-notification'] || !isMethodName(msg.method)) {
          out.push(`${where}: ${msg.method} is a notification, not a method to call`);
          continue;
        }
        const names = m.params.map((p) => p.name);
        for (const k of Object.keys(params)) if (!names.includes(k)) out.push(`${where}: ${msg.method} has no param ${k}`);
        for (const p of m.params) if (p.required && !(p.name in params)) out.push(`${where}: ${msg.method} needs ${p.name}`);
        asked.set(msg.id, { method: msg.method, params, where });
      } else {
        if (!m['x-notification']) out.push(`${where}: ${msg.method} is a method, not a notification`);
        else out.push(...problems(NOTIFICATIONS[msg.method as NotificationName].params, params).map((p) => `${where}: params ${p}`));
      }
    } else if ('result' in msg) {
      const req = asked.get(msg.id);
      asked.delete(msg.id);
      if (!req || !isMethodName(req.method)) out.push(`${where}: an answer to no request above it`);
      else out.push(...paramsOk(req), ...problems(METHODS[req.method].result, msg.result).map((p) => `${where}: result ${p}`));
    } else if (msg.error) {
      const req = asked.get(msg.id);
      asked.delete(msg.id);
      const details = (msg.error.data as { details?: { param?: string } } | undefined)?.details;
      if (req && isMethodName(req.method) && msg.error.data?.code === 'INVALID_PARAMS') {
        try {
          validateParams(req.method, METHODS[req.method].params, req.params);
          out.push(`${req.where}: the contract accepts these params, the example says INVALID_PARAMS`);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          if (err.details.param !== details?.param) out.push(`${where}: the contract names param ${String(err.details.param)}, the example ${String(details?.param)}`);
          if (err.message !== (msg.error as { message?: string }).message) out.push(`${where}: the contract says "${err.message}"`);
        }
      } else if (req) out.push(...paramsOk(req));
      const code = msg.error.data?.code ?? '';
      const spec = (API_ERRORS as Record<string, (typeof API_ERRORS)[ApiErrorCode] | undefined>)[code];
      if (!spec) out.push(`${where}: ${code} is not an API error code`);
      else if (spec.rpc !== msg.error.code) out.push(`${where}: ${code} is ${spec.rpc} on the wire, not ${msg.error.code}`);
      if (!req) out.push(`${where}: an answer to no request above it`);
    } else out.push(`${where}: neither a request, a notification nor an answer`);
  }
  for (const r of asked.values()) out.push(...paramsOk(r));
  return out;
}

test('docs/api.md has example blocks, and every example message agrees with the contract', () => {
  const blocks = jsonBlocks(md);
  assert.ok(blocks.length >= 3, `${blocks.length} json blocks`);
  const seen = new Set(blocks.flat().map((m) => (m as { method?: string }).method).filter((m) => m !== undefined));
  for (const m of ['session.hello', 'payment.start', 'payment.status', 'payment.progress', 'payment.completed', 'payment.updated']) assert.ok(seen.has(m), `no example of ${m}`);
  const doc = openRpcDocument();
  assert.deepEqual(blocks.flatMap((b) => checkBlock(doc, b)), []);
});

test('the check finds a wrong param, an unknown param, an unknown method and a result of the wrong shape', () => {
  const doc = openRpcDocument();
  const bad = checkBlock(doc, [
    { jsonrpc: '2.0', id: 1, method: 'payment.start', params: { lane: 'A', type: 'sale', amount: '12', currency: 'EUR', reference: 'r', tip: 1 } },
    { jsonrpc: '2.0', id: 1, result: { paymentId: 'p', created: 'yes', state: 'created' } },
    { jsonrpc: '2.0', id: 2, method: 'payment.teleport', params: {} },
    { jsonrpc: '2.0', method: 'payment.start', params: {} },
    { jsonrpc: '2.0', id: 3, method: 'payment.cancel', params: { paymentId: 'p' } },
    { jsonrpc: '2.0', id: 3, error: { code: -32000, data: { code: 'BUSY' } } },
    { jsonrpc: '2.0', id: 4, method: 'payment.cancel', params: { paymentId: 'p' } },
    { jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'x', data: { code: 'INVALID_PARAMS' } } },
  ]);
  const text = bad.join('\n');
  assert.match(text, /payment\.start has no param tip/);
  assert.match(text, /params \/amount/);
  assert.match(text, /result \/created/);
  assert.match(text, /no method payment\.teleport/);
  assert.match(text, /payment\.start is a method, not a notification/);
  assert.match(text, /BUSY is -32005 on the wire, not -32000/);
  assert.match(text, /the contract accepts these params, the example says INVALID_PARAMS/);
});
