import { PosbridgeError } from '../../errors.js';

/**
 * Every code a HidError can carry (documented in docs/errors.md). Messages and details of these
 * errors never hold track data or a full PAN (PCI DSS 3.2: no sensitive authentication data after
 * authorization, and none in logs): only track numbers, offsets and lengths. Errors in the track
 * text itself are src/cards' TrackError.
 */
export const HID_ERROR_CODES = [
  'HID_UNAVAILABLE',
  'HID_DEVICE_NOT_FOUND',
  'HID_OPEN_FAILED',
  'HID_DEVICE_UNPLUGGED',
  'HID_REPORT_LENGTH',
  'HID_TRACK_LENGTH',
  'HID_TRACK_DECODE_FAILED',
  'HID_TRACK_FORMAT',
] as const;

/** A stable code of the HID (magnetic stripe) driver layer. */
export type HidErrorCode = (typeof HID_ERROR_CODES)[number];

/** Codes where simply trying again (re-plugging, swiping again) may succeed. */
const RETRIABLE: ReadonlySet<HidErrorCode> = new Set<HidErrorCode>([
  'HID_DEVICE_NOT_FOUND',
  'HID_OPEN_FAILED',
  'HID_DEVICE_UNPLUGGED',
  'HID_TRACK_DECODE_FAILED',
]);

/** Errors of magnetic stripe (HID) drivers and their report parser, real or simulated. */
export class HidError extends PosbridgeError {
  declare readonly code: HidErrorCode;

  /** Builds a HID error; retriable is set from the code. Never pass track data in message or details. */
  constructor(code: HidErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, message, { retriable: RETRIABLE.has(code), details, cause });
  }
}
