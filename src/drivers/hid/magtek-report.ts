/**
 * MagTek-style USB HID swipe input reports (pure: bytes in, values out).
 *
 * Layout implemented (one input report, 337 bytes, no report-ID prefix; this is the layout of
 * MagTek's USB HID swipe readers, MagTek doc. 99875191 "USB HID Swipe Reader Technical Reference"):
 *
 * | offset     | size | field                                                               |
 * |------------|------|---------------------------------------------------------------------|
 * | 0, 1, 2    | 1 ea | track 1, 2, 3 decode status: 0x00 = decoded (or empty), other = error |
 * | 3, 4, 5    | 1 ea | track 1, 2, 3 data length in bytes (0..110)                          |
 * | 6          | 1    | card encode type (0 ISO/ABA, 1 AAMVA, 3 blank, 4 other, 5 undetermined, 6 none) |
 * | 7..116     | 110  | track 1 data (ASCII, zero padded)                                    |
 * | 117..226   | 110  | track 2 data                                                         |
 * | 227..336   | 110  | track 3 data                                                         |
 *
 * Untrusted input: the length must be exactly 337; each track length must fit its 110-byte field;
 * track bytes must be printable ASCII (0x20..0x7E). Anything else is a HidError with a stable code,
 * never an exception of another type. Error details carry offsets and lengths, never track bytes.
 */
import { HidError } from './errors.js';
import { SensitiveTrack } from '../../cards/sensitive-track.js';

/** Total size of one report. */
export const MAGTEK_REPORT_LENGTH = 337;
/** Size of each fixed track data field. */
export const MAGTEK_TRACK_FIELD_LENGTH = 110;
/** Offset of the card encode type byte. */
export const MAGTEK_ENCODE_TYPE_OFFSET = 6;
/** Offsets of the track 1, 2, 3 data fields. */
export const MAGTEK_TRACK_OFFSETS = [7, 117, 227] as const;

/** The card encode type byte, named. */
export type CardEncodeType = 'iso-aba' | 'aamva' | 'blank' | 'other' | 'undetermined' | 'none' | 'unknown';

const ENCODE_TYPES: Readonly<Record<number, CardEncodeType>> = {
  0: 'iso-aba',
  1: 'aamva',
  3: 'blank',
  4: 'other',
  5: 'undetermined',
  6: 'none',
};

/** One track of a report: absent, failed to decode, or its raw text (opaque). */
export type ReportTrack =
  | { readonly state: 'empty' }
  | { readonly state: 'error'; readonly status: number }
  | { readonly state: 'ok'; readonly data: SensitiveTrack };

/** A decoded report: three tracks (index 0 = track 1) and the encode type. */
export interface MagtekReport {
  readonly tracks: readonly [ReportTrack, ReportTrack, ReportTrack];
  readonly encodeType: CardEncodeType;
}

/** Parses one 337-byte MagTek-style input report; throws only HidError. */
export function parseMagtekReport(report: Uint8Array): MagtekReport {
  if (!(report instanceof Uint8Array) || report.length !== MAGTEK_REPORT_LENGTH) {
    const length = report instanceof Uint8Array ? report.length : -1;
    throw new HidError('HID_REPORT_LENGTH', `swipe report must be ${MAGTEK_REPORT_LENGTH} bytes`, { length });
  }
  const tracks = [0, 1, 2].map((i) => readTrack(report, i)) as [ReportTrack, ReportTrack, ReportTrack];
  return { tracks, encodeType: ENCODE_TYPES[report[MAGTEK_ENCODE_TYPE_OFFSET]] ?? 'unknown' };
}

function readTrack(report: Uint8Array, index: number): ReportTrack {
  const track = index + 1;
  const status = report[index];
  const length = report[3 + index];
  if (length > MAGTEK_TRACK_FIELD_LENGTH) {
    throw new HidError('HID_TRACK_LENGTH', `track ${track} length exceeds its field`, { track, length, max: MAGTEK_TRACK_FIELD_LENGTH });
  }
  if (status !== 0) return { state: 'error', status };
  if (length === 0) return { state: 'empty' };
  const start = MAGTEK_TRACK_OFFSETS[index];
  let text = '';
  for (let i = 0; i < length; i++) {
    const b = report[start + i];
    if (b < 0x20 || b > 0x7e) {
      throw new HidError('HID_TRACK_FORMAT', `track ${track} holds a non-printable byte`, { track, offset: start + i });
    }
    text += String.fromCharCode(b);
  }
  return { state: 'ok', data: new SensitiveTrack(text) };
}

/** What to put into a built report (tests and the simulator). */
export interface MagtekReportFields {
  readonly track1?: string;
  readonly track2?: string;
  readonly track3?: string;
  /** Decode status bytes for tracks 1..3 (default 0). */
  readonly status?: readonly [number, number, number];
  /** Card encode type byte (default 0, ISO/ABA). */
  readonly encodeType?: number;
}

/** Builds a 337-byte report in the layout above; track text must be ASCII and fit 110 bytes. */
export function buildMagtekReport(fields: MagtekReportFields): Uint8Array {
  const out = new Uint8Array(MAGTEK_REPORT_LENGTH);
  const texts = [fields.track1 ?? '', fields.track2 ?? '', fields.track3 ?? ''];
  texts.forEach((text, i) => {
    if (text.length > MAGTEK_TRACK_FIELD_LENGTH) {
      throw new HidError('HID_TRACK_LENGTH', `track ${i + 1} too long for a report`, { track: i + 1, length: text.length });
    }
    out[i] = fields.status?.[i] ?? 0;
    out[3 + i] = text.length;
    for (let j = 0; j < text.length; j++) out[MAGTEK_TRACK_OFFSETS[i] + j] = text.charCodeAt(j) & 0xff;
  });
  out[MAGTEK_ENCODE_TYPE_OFFSET] = fields.encodeType ?? 0;
  return out;
}
