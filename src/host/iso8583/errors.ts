import { PosbridgeError } from '../../errors.js';

/** Every code an Iso8583Error can carry (each needs a row in docs/errors.md). */
export const ISO8583_ERROR_CODES = [
  'ISO8583_SPEC_INVALID',
  'ISO8583_HEADER_INVALID',
  'ISO8583_TRUNCATED',
  'ISO8583_FIELD_INVALID',
  'ISO8583_FIELD_UNKNOWN',
  'ISO8583_LENGTH_INVALID',
  'ISO8583_TRAILING',
  'ISO8583_TOO_LARGE',
] as const;

/** A stable code of the ISO 8583 codec. */
export type Iso8583ErrorCode = (typeof ISO8583_ERROR_CODES)[number];

/** Where an error happened: a field number (0 = MTI, 1 = bitmap), or the message header. */
export type Iso8583Location = number | 'header';

/** Structured context of an Iso8583Error; never holds field values (they may be a PAN or track data). */
export type Iso8583ErrorDetails = {
  /** The field being packed or unpacked. */
  readonly field?: Iso8583Location;
  /** Byte offset from the start of the unpacked input (unpack only). */
  readonly offset?: number;
  /** The spec key that is wrong, as a dotted path like `fields.35.length.max` (parseSpec only). */
  readonly key?: string;
  /** The code of the TLV error behind a field 55 refusal. */
  readonly tlvCode?: string;
};

/** Errors of the pure ISO 8583 codec (pack, unpack, parseSpec). None is retriable: the same bytes fail again. */
export class Iso8583Error extends PosbridgeError {
  declare readonly code: Iso8583ErrorCode;
  declare readonly details: Readonly<Iso8583ErrorDetails>;

  /** Builds a codec error with its location in `details`. */
  constructor(code: Iso8583ErrorCode, message: string, details: Iso8583ErrorDetails = {}, cause?: unknown) {
    super(code, message, { details: { ...details }, cause });
  }
}
