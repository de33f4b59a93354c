/**
 * Payment card magnetic stripe tracks, ISO/IEC 7813 (data content) over ISO/IEC 7811-2
 * (character sets, LRC). Pure. The result is masked at once (PCI DSS 3.4): callers get the
 * masked PAN, last four digits, expiry, service code and name; the full track 2 only inside an
 * opaque SensitiveTrack for the host link.
 *
 * Track 1, format B: `%B` PAN `^` NAME `^` YYMM SVC discretionary `?` LRC — at most 79 characters
 *   in the 6-bit alphanumeric set (ASCII 0x20..0x5F).
 * Track 2: `;` PAN `=` YYMM SVC discretionary `?` LRC — at most 40 characters in the 4-bit set
 *   (ASCII 0x30..0x3F); data characters are digits only.
 * Sentinels are optional (many readers strip them); the LRC is checked only when a character
 * follows the end sentinel.
 *
 * LRC (ISO/IEC 7811-2): XOR of the data bits of every character from the start sentinel through
 * the end sentinel inclusive — the 4 low bits (char − 0x30) of each 5-bit track 2 character, the
 * 6 low bits (char − 0x20) of each 7-bit track 1 character. The parity bits are not checked: the
 * reader has already removed them when it hands us ASCII. A stripped start sentinel is assumed
 * to have been '%' / ';' (its data bits are included).
 */
import { luhnValid, maskPan } from '../log/redact.js';
import { TrackError } from './errors.js';
import { SensitiveTrack } from './sensitive-track.js';
import { interpretServiceCode } from './service-code.js';

/** The masked, loggable result of a swipe. */
export interface CardSwipe {
  /** First six and last four digits, the rest '*'. */
  readonly maskedPan: string;
  readonly panLast4: string;
  /** YYYY-MM (track YYMM read as 20YY). */
  readonly expiry: string;
  readonly serviceCode: string;
  /** Service code digit 1 is 2 or 6 (see swipeAllowed in service-code.ts). */
  readonly chipCard: boolean;
  /** Track 1 name field, trimmed (ISO/IEC 7813: SURNAME/GIVEN NAME). */
  readonly cardholderName?: string;
  readonly hasTrack1: boolean;
  readonly hasTrack2: boolean;
}

/** A parsed swipe: the masked card, and the full track 2 kept opaque. */
export interface ParsedSwipe {
  readonly card: CardSwipe;
  /** Null when only track 1 was read. */
  readonly track2: SensitiveTrack | null;
}

/** Raw track text as read from the reader. */
export type TrackInput = string | SensitiveTrack;

interface TrackFields {
  pan: string;
  yymm: string;
  serviceCode: string;
  name?: string;
}

const TRACK1_MAX = 79;
const TRACK2_MAX = 40;

/** The LRC character (ISO/IEC 7811-2) for track text from start sentinel through end sentinel. */
export function trackLrc(track: 1 | 2, framed: string): string {
  const base = track === 1 ? 0x20 : 0x30;
  const mask = track === 1 ? 0x3f : 0x0f;
  let lrc = 0;
  for (let i = 0; i < framed.length; i++) lrc ^= (framed.charCodeAt(i) - base) & mask;
  return String.fromCharCode(base + lrc);
}

/** Splits off sentinels and checks charset, length and LRC; returns the text between sentinels. */
function unframe(track: 1 | 2, text: string): string {
  const [start, lo, hi, max] = track === 1 ? ['%', 0x20, 0x5f, TRACK1_MAX] : [';', 0x30, 0x3f, TRACK2_MAX];
  if (text.length > max) throw new TrackError('HID_TRACK_LENGTH', `track ${track} longer than ${max} characters`, { track, length: text.length });
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < lo || c > hi) throw new TrackError('HID_TRACK_FORMAT', `track ${track} has a character outside its set`, { track, offset: i });
  }
  const body = text.startsWith(start) ? text.slice(1) : text;
  const end = body.indexOf('?');
  if (end < 0) return body;
  const after = body.slice(end + 1);
  if (after.length > 1) throw new TrackError('HID_TRACK_FORMAT', `track ${track} has data after the LRC`, { track });
  const data = body.slice(0, end);
  if (after.length === 1 && trackLrc(track, start + data + '?') !== after) {
    throw new TrackError('HID_TRACK_LRC', `track ${track} LRC mismatch`, { track });
  }
  return data;
}

function format(track: 1 | 2, reason: string): TrackError {
  return new TrackError('HID_TRACK_FORMAT', `track ${track}: ${reason}`, { track, reason });
}

/** YYMM + service code at the head of `rest` (the part after the last field separator). */
function expiryAndService(track: 1 | 2, rest: string): { yymm: string; serviceCode: string } {
  const m = /^([0-9]{4})([0-9]{3})/.exec(rest);
  if (!m) throw format(track, 'expiry date and service code expected');
  return { yymm: m[1], serviceCode: m[2] };
}

function checkPan(track: 1 | 2, pan: string): void {
  if (!/^[0-9]{12,19}$/.test(pan)) throw format(track, 'PAN must be 12 to 19 digits');
  if (!luhnValid(pan)) throw new TrackError('HID_PAN_LUHN', `track ${track} PAN fails the Luhn check`, { track, panLength: pan.length });
}

function parseTrack1(text: string): TrackFields {
  const data = unframe(1, text);
  if (data[0] !== 'B') throw format(1, 'format code B expected');
  const first = data.indexOf('^');
  const second = first < 0 ? -1 : data.indexOf('^', first + 1);
  if (second < 0) throw format(1, 'two field separators expected');
  const pan = data.slice(1, first).replace(/ /g, '');
  checkPan(1, pan);
  const name = data.slice(first + 1, second).trim();
  if (data.slice(first + 1, second).length > 26) throw format(1, 'name longer than 26 characters');
  return { pan, name, ...expiryAndService(1, data.slice(second + 1)) };
}

function parseTrack2(text: string): TrackFields {
  const data = unframe(2, text);
  const sep = data.indexOf('=');
  if (sep < 0) throw format(2, 'field separator expected');
  const rest = data.slice(sep + 1);
  if (!/^[0-9]*$/.test(rest)) throw format(2, 'discretionary data must be digits');
  const pan = data.slice(0, sep);
  checkPan(2, pan);
  return { pan, ...expiryAndService(2, rest) };
}

function expiryOf(yymm: string): string {
  const month = Number(yymm.slice(2));
  if (month < 1 || month > 12) throw new TrackError('HID_EXPIRY_INVALID', 'expiry month out of range', { month });
  return `20${yymm.slice(0, 2)}-${yymm.slice(2)}`;
}

const reveal = (t: TrackInput | undefined): string | undefined => (t instanceof SensitiveTrack ? t.reveal() : t);

/**
 * Parses track 1 and/or track 2 (ISO/IEC 7813), checks LRC (when present), Luhn and expiry, and
 * returns only masked fields plus the opaque track 2. Throws only TrackError, without track data.
 * When both tracks are given, their PAN, expiry and service code must agree.
 */
export function parseSwipe(input: { track1?: TrackInput; track2?: TrackInput }): ParsedSwipe {
  const raw1 = reveal(input.track1);
  const raw2 = reveal(input.track2);
  const t1 = raw1 ? parseTrack1(raw1) : undefined;
  const t2 = raw2 ? parseTrack2(raw2) : undefined;
  const main = t2 ?? t1;
  if (!main) throw new TrackError('HID_NO_TRACK', 'no track 1 or track 2 data');
  if (t1 && t2 && (t1.pan !== t2.pan || t1.yymm !== t2.yymm || t1.serviceCode !== t2.serviceCode)) {
    throw new TrackError('HID_TRACK_MISMATCH', 'track 1 and track 2 disagree');
  }
  const service = interpretServiceCode(main.serviceCode);
  const card: CardSwipe = {
    maskedPan: maskPan(main.pan),
    panLast4: main.pan.slice(-4),
    expiry: expiryOf(main.yymm),
    serviceCode: main.serviceCode,
    chipCard: service?.chipCard ?? false,
    ...(t1?.name ? { cardholderName: t1.name } : {}),
    hasTrack1: t1 !== undefined,
    hasTrack2: t2 !== undefined,
  };
  return { card, track2: raw2 ? new SensitiveTrack(raw2) : null };
}
