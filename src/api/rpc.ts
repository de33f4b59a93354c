import type { TObject } from '@sinclair/typebox';
import { ApiError } from './errors.js';
import type { ApiClient, Role } from './clients.js';
import { validateParams } from './contract/validate.js';
import { apiErrorOf } from './error-map.js';

/** A JSON-RPC 2.0 request (EMV-free: params is an object or absent). */
export interface RpcRequest {
  readonly id: string | number | null;
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** A notification (no id member): no answer is sent. */
  readonly notification: boolean;
}

/** Who is calling: set by session.hello. */
export interface Session {
  client: ApiClient | null;
  readonly connectionId: number;
  /**
   * False once the client was revoked (read from the journal): a long method checks it again before its
   * irreversible step, since the check before the call may be seconds old by then.
   */
  readonly stillAuthorized: () => boolean;
}

/** One API method: the least role that may call it, its params' schema (from the contract), and its handler. */
export interface MethodSpec {
  readonly role: Role | null;
  /** The params schema: the dispatcher checks params against it before the handler runs (absent: not checked). */
  readonly params?: TObject;
  handler(params: Record<string, unknown>, session: Session): Promise<unknown> | unknown;
}

/** Parses one JSON-RPC 2.0 message (JSON-RPC 2.0 §4); batches are refused. Throws ApiError with the stable code. */
export function parseRequest(text: string): RpcRequest {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new ApiError('PARSE_ERROR', 'the message is not valid JSON');
  }
  if (Array.isArray(msg)) throw new ApiError('INVALID_REQUEST', 'batch requests are not supported: send one request per message');
  if (typeof msg !== 'object' || msg === null) throw new ApiError('INVALID_REQUEST', 'a request is a JSON object');
  const o = msg as Record<string, unknown>;
  if (o.jsonrpc !== '2.0') throw new ApiError('INVALID_REQUEST', 'jsonrpc must be "2.0"');
  if (typeof o.method !== 'string' || o.method.length === 0 || o.method.length > 64) throw new ApiError('INVALID_REQUEST', 'method must be a non-empty string');
  const hasId = Object.prototype.hasOwnProperty.call(o, 'id');
  if (hasId && !(typeof o.id === 'string' || typeof o.id === 'number' || o.id === null)) throw new ApiError('INVALID_REQUEST', 'id must be a string, a number or null');
  if (o.params !== undefined && (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params))) {
    throw new ApiError('INVALID_PARAMS', 'params must be an object (named parameters)');
  }
  return { id: hasId ? (o.id as string | number | null) : null, method: o.method, params: (o.params as Record<string, unknown> | undefined) ?? {}, notification: !hasId };
}

/** The id of a message that failed to parse as a request, when it can still be read (to answer it). */
export function idOf(text: string): string | number | null {
  try {
    const o = JSON.parse(text) as unknown;
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) {
      const id = (o as Record<string, unknown>).id;
      if (typeof id === 'string' || typeof id === 'number') return id;
    }
  } catch {
    return null; // not JSON: JSON-RPC answers such errors with a null id
  }
  return null;
}

/** Runs one call: params checked against the method's schema (INVALID_PARAMS naming the param), then its handler. */
export async function invoke(method: string, spec: MethodSpec, params: Record<string, unknown>, session: Session): Promise<unknown> {
  const checked = spec.params ? validateParams(method, spec.params, params) : params;
  return spec.handler(checked, session);
}

/**
 * The dispatcher's one error boundary: whatever a call threw, as the API error it is answered with (error-map.ts).
 * An error that is not an ApiError already is given to `log` first (it is the daemon's, or a device's, to look into).
 */
export function errorBoundary(err: unknown, log: (err: unknown, answered: ApiError) => void): ApiError {
  const e = apiErrorOf(err);
  if (e !== err) log(err, e);
  return e;
}
