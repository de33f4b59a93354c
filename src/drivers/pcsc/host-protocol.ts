import { fromHex, toHex } from '../../apdu/hex.js';
import { READER_ERROR_CODES, ReaderError, type ReaderErrorCode } from './errors.js';
import type { ConnectOptions, Disposition, ReaderEvent, ReaderInfo } from './types.js';

/**
 * The messages between the daemon and a PC/SC host process (`pcsc-host-process.ts`), which owns the native binding
 * so that no PC/SC call, synchronous or not, ever runs on the daemon's event loop. JSON over Node's IPC channel;
 * bytes travel as hex (an APDU is tens of bytes: JSON hex measured faster than structured clone, docs/decisions.md).
 */
export type HostRequest =
  | { readonly id: number; readonly op: 'list' }
  | { readonly id: number; readonly op: 'watch' }
  | { readonly id: number; readonly op: 'unwatch' }
  | { readonly id: number; readonly op: 'connect'; readonly reader: string; readonly options: WireConnectOptions }
  | { readonly id: number; readonly op: 'transmit'; readonly conn: number; readonly apdu: string; readonly timeoutMs?: number }
  | { readonly id: number; readonly op: 'control'; readonly conn: number; readonly code: number; readonly data: string }
  | { readonly id: number; readonly op: 'features'; readonly conn: number }
  | { readonly id: number; readonly op: 'disconnect'; readonly conn: number; readonly disposition: Disposition }
  | { readonly id: number; readonly op: 'abort'; readonly target: number }
  | { readonly id: number; readonly op: 'close' };

/** ConnectOptions without what cannot cross a process boundary. */
export type WireConnectOptions = Pick<ConnectOptions, 'share' | 'protocols' | 'transmitTimeoutMs'>;

/** A reader as listed, bytes in hex. */
export interface WireReaderInfo {
  readonly name: string;
  readonly cardPresent: boolean;
  readonly atr: string | null;
}

/** What `connect` answers. */
export interface WireConnection {
  readonly conn: number;
  readonly protocol: 'T=0' | 'T=1' | 'RAW' | 'T=CL';
  readonly atr: string;
}

/** A typed error as it crosses the boundary. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** Everything the host sends: answers, events, liveness beats and log records. */
export type HostMessage =
  | { readonly id: number; readonly ok: unknown }
  | { readonly id: number; readonly error: WireError }
  | { readonly event: WireReaderEvent }
  | { readonly beat: number }
  | { readonly log: { readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly meta: Record<string, unknown> } };

/** A ReaderEvent with its date as epoch ms and its ATR as hex. */
export type WireReaderEvent =
  | { readonly type: 'reader-attached' | 'reader-detached' | 'card-removed'; readonly reader: string; readonly at: number }
  | { readonly type: 'card-inserted'; readonly reader: string; readonly atr: string; readonly at: number }
  | { readonly type: 'service-lost' | 'service-back'; readonly at: number; readonly reason?: string };

/** ReaderInfo → wire. */
export function readerToWire(r: ReaderInfo): WireReaderInfo {
  return { name: r.name, cardPresent: r.cardPresent, atr: r.atr ? toHex(r.atr) : null };
}

/** Wire → ReaderInfo. */
export function readerFromWire(r: WireReaderInfo): ReaderInfo {
  return { name: r.name, cardPresent: r.cardPresent, atr: r.atr === null ? null : fromHex(r.atr) };
}

/** ReaderEvent → wire. */
export function eventToWire(e: ReaderEvent): WireReaderEvent {
  const at = e.at.getTime();
  if (e.type === 'card-inserted') return { type: e.type, reader: e.reader, atr: toHex(e.atr), at };
  if ('reader' in e) return { type: e.type, reader: e.reader, at };
  return e.reason === undefined ? { type: e.type, at } : { type: e.type, at, reason: e.reason };
}

/** Wire → ReaderEvent. */
export function eventFromWire(e: WireReaderEvent): ReaderEvent {
  const at = new Date(e.at);
  if (e.type === 'card-inserted') return { type: e.type, reader: e.reader, atr: fromHex(e.atr), at };
  if ('reader' in e) return { type: e.type, reader: e.reader, at };
  return e.reason === undefined ? { type: e.type, at } : { type: e.type, at, reason: e.reason };
}

/** Any thrown value → wire; codes outside the reader layer become PCSC_ERROR with the original code in details. */
export function errorToWire(err: unknown): WireError {
  if (err instanceof ReaderError) return { code: err.code, message: err.message, details: { ...err.details } };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'PCSC_ERROR', message, details: {} };
}

/** Wire → ReaderError (an unknown code, from a newer host, becomes PCSC_ERROR). */
export function errorFromWire(e: WireError): ReaderError {
  const known = (READER_ERROR_CODES as readonly string[]).includes(e.code);
  return new ReaderError(known ? (e.code as ReaderErrorCode) : 'PCSC_ERROR', e.message, known ? e.details : { ...e.details, hostCode: e.code });
}
