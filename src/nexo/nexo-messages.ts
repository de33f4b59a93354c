// The nexo (Adyen Terminal API) message shapes posbridge reads and writes, and the small builders they share.
import { createHash } from 'node:crypto';
import { redactString } from '../log/redact.js';

/** A JSON object as it came off the wire (checked field by field where read). */
export type Json = Record<string, unknown>;

/** The clear header of every SaleToPOI message. */
export interface MessageHeader {
  readonly ProtocolVersion?: string;
  readonly MessageClass: string;
  readonly MessageCategory: string;
  readonly MessageType: string;
  readonly SaleID: string;
  readonly ServiceID: string;
  readonly POIID: string;
}

/** nexo's Result of a Response. */
export type NexoResult = 'Success' | 'Failure' | 'Partial';

/** nexo's ErrorCondition values posbridge answers with. */
export type ErrorCondition = 'Aborted' | 'Busy' | 'Cancel' | 'InProgress' | 'MessageFormat' | 'NotAllowed' | 'NotFound' | 'Refusal' | 'UnavailableDevice' | 'UnavailableService' | 'UnreachableHost' | 'WrongPIN';

/** The categories posbridge serves; others are answered UnavailableService. */
export const SUPPORTED_CATEGORIES = ['Payment', 'TransactionStatus', 'Abort', 'Reversal', 'Diagnosis'] as const;

/** A failure answered inside a nexo Response (not an HTTP error). */
export class NexoRefusal extends Error {
  /** A refusal with its nexo ErrorCondition and a message for AdditionalResponse. */
  constructor(
    readonly condition: ErrorCondition,
    message: string,
  ) {
    super(message);
  }
}

/** A nexo Response object: Success, or Failure with its condition and a message (card numbers in it masked, as in the logs). */
export function response(result: NexoResult, condition?: ErrorCondition, message?: string): Json {
  return { Result: result, ...(condition ? { ErrorCondition: condition } : {}), ...(message ? { AdditionalResponse: `message=${encodeURIComponent(redactString(message))}` } : {}) };
}

/** The header of the answer to `h`: the same ids, MessageType Response. */
export function responseHeader(h: MessageHeader): Json {
  return { ProtocolVersion: h.ProtocolVersion ?? '3.0', MessageClass: h.MessageClass, MessageCategory: h.MessageCategory, MessageType: 'Response', ServiceID: h.ServiceID, SaleID: h.SaleID, POIID: h.POIID };
}

/** Reads the header of a decrypted request; NexoRefusal MessageFormat naming what is missing. */
export function readHeader(v: unknown): MessageHeader {
  const h = (v ?? {}) as Json;
  for (const k of ['MessageClass', 'MessageCategory', 'MessageType', 'SaleID', 'ServiceID', 'POIID']) {
    if (typeof h[k] !== 'string' || h[k] === '') throw new NexoRefusal('MessageFormat', `MessageHeader.${k} is missing`);
  }
  return h as unknown as MessageHeader;
}

/**
 * The payment reference of the request SaleID+ServiceID: the journal's idempotency then makes a repeated request
 * the same payment (never a second charge). Readable when it fits the API's 64 characters, else hashed.
 */
export function nexoReference(saleId: string, serviceId: string): string {
  const plain = `nexo:${saleId}:${serviceId}`;
  if (plain.length <= 64) return plain;
  return `nexo:${createHash('sha256').update(`${saleId}\u0000${serviceId}`).digest('hex').slice(0, 40)}`;
}

/** A string field of an object, or undefined. */
export function str(o: unknown, k: string): string | undefined {
  const v = typeof o === 'object' && o !== null ? (o as Json)[k] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** An object field of an object, or an empty object. */
export function obj(o: unknown, k: string): Json {
  const v = typeof o === 'object' && o !== null ? (o as Json)[k] : undefined;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

/**
 * A nexo decimal amount in major units as minor units of a currency with `exponent` decimals; NexoRefusal
 * MessageFormat for a negative amount or one with more decimals than the currency has.
 */
export function toMinor(amount: unknown, exponent: number): number {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) throw new NexoRefusal('MessageFormat', 'RequestedAmount must be a positive number');
  const scaled = amount * 10 ** exponent;
  const minor = Math.round(scaled);
  if (Math.abs(scaled - minor) > 1e-6) throw new NexoRefusal('MessageFormat', `RequestedAmount has more than ${exponent} decimals`);
  return minor;
}

/** Minor units as the nexo decimal in major units. */
export function toMajor(minor: number, exponent: number): number {
  return Number((minor / 10 ** exponent).toFixed(exponent));
}
