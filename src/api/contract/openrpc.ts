// The OpenRPC document (spec 1.3.2) of the API, generated from the contract: each method with its params by name,
// result and errors; each notification as a method with `"x-notification": true` and no result (OpenRPC 1.3: a method
// without a result is only ever a notification); the shared shapes and the error table under `components`. Served at
// GET /openrpc.json on the API port; a copy is kept in docs/openrpc.json (`npm run openrpc` writes it).
import type { TObject, TSchema } from '@sinclair/typebox';
import { API_ERRORS, type ApiErrorCode } from '../errors.js';
import { COMMON_ERRORS, METHODS, type MethodContract } from './methods.js';
import { NOTIFICATIONS, type NotificationContract } from './notifications.js';
import { SHARED_SHAPES } from './shapes.js';

/** The API version session.hello reports (and the OpenRPC document's info.version). */
export const API_VERSION = '1';

/** The OpenRPC spec version the document follows. */
export const OPENRPC_VERSION = '1.3.2';

/** A JSON value (what the document is made of). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An OpenRPC content descriptor: a named param or result with its JSON Schema. */
export interface ContentDescriptor {
  readonly name: string;
  readonly summary?: string;
  readonly required?: boolean;
  readonly schema: Json;
}

/** One method (or notification) of the document. */
export interface OpenRpcMethod {
  readonly name: string;
  readonly summary: string;
  readonly paramStructure: 'by-name';
  readonly params: ContentDescriptor[];
  readonly result?: ContentDescriptor;
  readonly errors?: { readonly $ref: string }[];
  readonly 'x-role'?: string | null;
  readonly 'x-demo-only'?: boolean;
  readonly 'x-notification'?: boolean;
}

/** The whole document. */
export interface OpenRpcDocument {
  readonly openrpc: string;
  readonly info: { readonly title: string; readonly version: string; readonly description: string; readonly license: { readonly name: string } };
  readonly servers: { readonly name: string; readonly url: string }[];
  readonly methods: OpenRpcMethod[];
  readonly components: { readonly schemas: Record<string, Json>; readonly errors: Record<string, Json> };
}

const SHARED_IDS = new Set(SHARED_SHAPES.map((s) => String(s.$id)));

/** A schema as plain JSON (TypeBox's symbol keys dropped), its shared shapes below the top as `$ref`s to components. */
export function toJsonSchema(schema: TSchema, top = true): Json {
  const plain = JSON.parse(JSON.stringify(schema)) as Json;
  const walk = (node: Json, isTop: boolean): Json => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (node === null || typeof node !== 'object') return node;
    const id = node.$id;
    if (!isTop && typeof id === 'string' && SHARED_IDS.has(id)) return { $ref: `#/components/schemas/${id}` };
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, false)]));
  };
  return walk(plain, top);
}

function paramsOf(schema: TObject): ContentDescriptor[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, s]) => ({ name, required: required.has(name), schema: toJsonSchema(s, false) }));
}

function schemaParams(schema: TSchema): ContentDescriptor[] {
  return schema.type === 'object' && schema.properties ? paramsOf(schema as TObject) : [{ name: 'params', required: true, schema: toJsonSchema(schema, false) }];
}

function method(name: string, c: MethodContract): OpenRpcMethod {
  const errors = [...new Set<ApiErrorCode>([...c.errors, ...COMMON_ERRORS])];
  return {
    name,
    summary: c.summary,
    paramStructure: 'by-name',
    params: paramsOf(c.params),
    result: { name: 'result', schema: toJsonSchema(c.result, false) },
    errors: errors.map((e) => ({ $ref: `#/components/errors/${e}` })),
    'x-role': c.role,
    ...(c.demoOnly ? { 'x-demo-only': true } : {}),
  };
}

function notification(name: string, c: NotificationContract): OpenRpcMethod {
  return { name, summary: c.summary, paramStructure: 'by-name', params: schemaParams(c.params), 'x-notification': true };
}

/** The API's OpenRPC document, built from the contract (the same every time: the committed copy must equal it). */
export function openRpcDocument(): OpenRpcDocument {
  const errors: Record<string, Json> = {};
  for (const [code, e] of Object.entries(API_ERRORS)) {
    errors[code] = { code: e.rpc, message: code, data: { code, retriable: e.retriable } };
  }
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: 'posbridge WebSocket API',
      version: API_VERSION,
      description:
        'JSON-RPC 2.0 over a WebSocket (ws://127.0.0.1:<port>/v1), one request per text frame, params by name. session.hello with a paired token first. ' +
        'Methods marked "x-notification": true are notifications the daemon sends (no id, no result). "x-role" is the least role a method needs; ' +
        '"x-demo-only" methods exist only in demo mode. Errors carry the stable code and retriable flag in error.data (docs/errors.md).',
      license: { name: 'MIT' },
    },
    servers: [{ name: 'the local daemon (default port)', url: 'ws://127.0.0.1:17620/v1' }],
    methods: [...Object.entries(METHODS).map(([n, c]) => method(n, c)), ...Object.entries(NOTIFICATIONS).map(([n, c]) => notification(n, c))],
    components: {
      schemas: Object.fromEntries(SHARED_SHAPES.map((s) => [String(s.$id), toJsonSchema(s, true)])),
      errors,
    },
  };
}
