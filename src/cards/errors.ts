import { PosbridgeError } from '../errors.js';

/**
 * Every code a TrackError can carry (documented in docs/errors.md; the names are the stripe reader's, kept since the
 * parsing moved here). Messages and details never hold track data or a full PAN: only track numbers, offsets and
 * lengths.
 */
export const TRACK_ERROR_CODES = ['HID_TRACK_LENGTH', 'HID_TRACK_FORMAT', 'HID_TRACK_LRC', 'HID_TRACK_MISMATCH', 'HID_NO_TRACK', 'HID_PAN_LUHN', 'HID_EXPIRY_INVALID'] as const;

/** A stable code of magnetic stripe track parsing. */
export type TrackErrorCode = (typeof TRACK_ERROR_CODES)[number];

/** Codes where swiping again may succeed (a misread, not the card's data). */
const RETRIABLE: ReadonlySet<TrackErrorCode> = new Set<TrackErrorCode>(['HID_TRACK_LRC', 'HID_NO_TRACK']);

/** Track data that is not ISO/IEC 7813 (from any stripe reader, or handed to the payment swipe path). */
export class TrackError extends PosbridgeError {
  declare readonly code: TrackErrorCode;

  /** Builds a track error; retriable is set from the code. Never pass track data in message or details. */
  constructor(code: TrackErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { retriable: RETRIABLE.has(code), details });
  }
}
