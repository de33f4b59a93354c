import { PosbridgeError } from '../errors.js';

/** One entry of the API's error table: the JSON-RPC code on the wire and whether retrying may succeed. */
export interface ApiErrorSpec {
  readonly rpc: number;
  readonly retriable: boolean;
}

/**
 * The one error table of the WebSocket API (docs/api.md lists each code). JSON-RPC 2.0 reserves -32768..-32000;
 * our own codes use -32000..-32099 as the spec allows for implementation-defined server errors.
 */
export const API_ERRORS = {
  PARSE_ERROR: { rpc: -32700, retriable: false },
  INVALID_REQUEST: { rpc: -32600, retriable: false },
  METHOD_NOT_FOUND: { rpc: -32601, retriable: false },
  INVALID_PARAMS: { rpc: -32602, retriable: false },
  INTERNAL_ERROR: { rpc: -32603, retriable: true },
  UNAUTHENTICATED: { rpc: -32001, retriable: false },
  FORBIDDEN: { rpc: -32002, retriable: false },
  RATE_LIMITED: { rpc: -32003, retriable: true },
  MESSAGE_TOO_LARGE: { rpc: -32004, retriable: false },
  BUSY: { rpc: -32005, retriable: true },
  NOT_FOUND: { rpc: -32006, retriable: false },
  DEVICE_UNAVAILABLE: { rpc: -32007, retriable: true },
  DISABLED: { rpc: -32008, retriable: false },
  ALREADY_PRINTED: { rpc: -32009, retriable: false },
  NOT_INVOICEABLE: { rpc: -32010, retriable: false },
} as const satisfies Record<string, ApiErrorSpec>;

/** A stable API error code. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** Every API error code (documented in docs/api.md and docs/errors.md). */
export const API_ERROR_CODES = Object.keys(API_ERRORS) as ApiErrorCode[];

/** An error the API answers with; `retriable` comes from the table. */
export class ApiError extends PosbridgeError {
  declare readonly code: ApiErrorCode;

  /**
   * Builds an API error with its stable code; `retriable` defaults to the table's, and is given when the error stands
   * for another (a device's, the host's) whose own code knows better whether trying again may help.
   */
  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(code, message, { retriable: options.retriable ?? API_ERRORS[code].retriable, details, cause: options.cause });
  }

  /** The JSON-RPC error object: numeric code, message, and our stable code and retriable flag in `data`. */
  toRpc(): { code: number; message: string; data: { code: string; retriable: boolean; details?: Record<string, unknown> } } {
    const details = Object.keys(this.details).length ? { details: { ...this.details } } : {};
    return { code: API_ERRORS[this.code].rpc, message: this.message, data: { code: this.code, retriable: this.retriable, ...details } };
  }
}
