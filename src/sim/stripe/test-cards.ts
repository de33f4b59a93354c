/**
 * Test cards and track builders (ISO/IEC 7813 layouts, LRC per ISO/IEC 7811-2) for the simulated
 * reader, tests and the demo. The PANs are public scheme test numbers, never real accounts.
 */
import { trackLrc } from '../../cards/tracks.js';

/** What is encoded on a test card's stripe. */
export interface TestCard {
  readonly pan: string;
  /** YYMM as on the stripe. */
  readonly yymm: string;
  readonly serviceCode: string;
  /** Track 1 name field (SURNAME/GIVEN). */
  readonly name: string;
  /** Discretionary data (digits, so it fits both tracks). */
  readonly discretionary: string;
}

/** Public test cards: a Visa chip card (service 201) and a Mastercard stripe-only card (service 101). */
export const TEST_CARDS = {
  visaChip: { pan: '4761739001010119', yymm: '2812', serviceCode: '201', name: 'UAT USA/TEST CARD 04', discretionary: '1000000000000' },
  mastercardStripe: { pan: '5413330089600010', yymm: '2712', serviceCode: '101', name: 'TEST/CARD', discretionary: '00000000000' },
} as const satisfies Record<string, TestCard>;

/** How to frame a built track. */
export interface TrackBuildOptions {
  /** Include start and end sentinels (default true). */
  readonly sentinels?: boolean;
  /** Append the LRC after the end sentinel (default false, as most HID readers strip it). */
  readonly lrc?: boolean;
  /** Append a wrong LRC instead (tests). */
  readonly badLrc?: boolean;
}

function frame(track: 1 | 2, data: string, opts: TrackBuildOptions): string {
  const start = track === 1 ? '%' : ';';
  const framed = `${start}${data}?`;
  if (opts.sentinels === false) return data;
  if (opts.badLrc) {
    const good = trackLrc(track, framed).charCodeAt(0);
    return framed + String.fromCharCode(good ^ 1);
  }
  return opts.lrc ? framed + trackLrc(track, framed) : framed;
}

/** Track 1 format B text for a test card. */
export function buildTrack1(card: TestCard, opts: TrackBuildOptions = {}): string {
  return frame(1, `B${card.pan}^${card.name}^${card.yymm}${card.serviceCode}${card.discretionary}`, opts);
}

/** Track 2 text for a test card. */
export function buildTrack2(card: TestCard, opts: TrackBuildOptions = {}): string {
  return frame(2, `${card.pan}=${card.yymm}${card.serviceCode}${card.discretionary}`, opts);
}
