import { PosbridgeError } from '../errors.js';

/** Every code an EmvError can carry (documented in docs/errors.md). */
export const EMV_ERROR_CODES = [
  'EMV_NO_APPLICATION',
  'EMV_CARD_BLOCKED',
  'EMV_CARD_DATA_INVALID',
  'EMV_MISSING_DATA',
  'EMV_CARD_REFUSED',
  'EMV_CARD_REMOVED',
  'EMV_CANCELLED',
  'EMV_READER_FAILED',
  'EMV_CONFIG_INVALID',
] as const;

/** A stable code of the EMV kernel. */
export type EmvErrorCode = (typeof EMV_ERROR_CODES)[number];

/** Named steps of a transaction, as progress events and errors name them. */
export type EmvStep =
  | 'selection'
  | 'initiate'
  | 'read-records'
  | 'oda'
  | 'restrictions'
  | 'cvm'
  | 'risk'
  | 'action-analysis'
  | 'first-generate-ac'
  | 'online'
  | 'issuer-authentication'
  | 'scripts'
  | 'second-generate-ac';

/** An EMV transaction ended without an outcome; `step` says where. */
export class EmvError extends PosbridgeError {
  declare readonly code: EmvErrorCode;
  /** The step that was running. */
  readonly step: EmvStep;

  /** Builds a kernel error naming the step. */
  constructor(code: EmvErrorCode, step: EmvStep, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, `${step}: ${message}`, { details: { ...details, step }, cause, retriable: code === 'EMV_CARD_REMOVED' || code === 'EMV_READER_FAILED' });
    this.step = step;
  }
}
