/**
 * Whether a magnetic stripe swipe may pay, and the magstripe part of the host request. Pure: no I/O, no clock
 * (today's year and month are parameters).
 *
 * Rules:
 * - Service code (ISO/IEC 7813): digit 1 of 2 or 6 marks a chip card. On a terminal with a chip reader, a chip card
 *   is swiped only as "technical fallback" after its chip could not be read in this payment (EMV Book 4 §11.2 and
 *   the schemes' fallback rules); otherwise the cashier is told to insert it (`STRIPE_CHIP_FIRST`). Without a chip
 *   reader the swipe is a plain magstripe read.
 * - Digit 1 must be a defined value (1, 2, 5, 6, 7, 9); digit 3 of 3 (ATM only) or 4 (cash only) rules out a sale.
 * - A card is valid through the last day of its expiry month (YYMM on the stripe, read as 20YY).
 * - Field 22, POS entry mode (ISO 8583:1987, n3): PAN entry mode '90' (full magnetic stripe read, track unaltered)
 *   or '80' (magstripe fallback on a chip-capable terminal), then the PIN entry capability digit as the chip
 *   requests use it ('051' in src/host/messages.ts): '1' can accept PINs, '2' cannot.
 * - Field 35 carries track 2 equivalent data: the track between its sentinels, without LRC, with the '=' field
 *   separator as 'D' (the default spec's `z` type, as in EMV tag 57). No field 55: there is no chip data.
 */
import { TrackError } from '../cards/errors.js';
import type { SensitiveTrack } from '../cards/sensitive-track.js';
import { interpretServiceCode } from '../cards/service-code.js';
import type { CardSwipe } from '../cards/tracks.js';
import type { AuthRequest } from '../host/messages.js';

/** Every code a refused swipe can carry (documented in docs/errors.md). */
export const STRIPE_REFUSAL_CODES = ['STRIPE_CHIP_FIRST', 'STRIPE_CARD_EXPIRED', 'STRIPE_SERVICE_NOT_ALLOWED', 'STRIPE_SERVICE_CODE_INVALID', 'STRIPE_EXPIRY_INVALID', 'STRIPE_NOT_FALLBACK_CARD'] as const;

/** A stable code of a refused swipe. */
export type StripeRefusalCode = (typeof STRIPE_REFUSAL_CODES)[number];

/** What the flow knows when a card is swiped. */
export interface SwipeFacts {
  /** Three digits from the track. */
  readonly serviceCode: string;
  /** YYMM from track 2 (or track 1). */
  readonly expiry: string;
  /** This payment already tried the chip of a card and it failed (no answer to reset, no application, read error). */
  readonly chipFailedThisPayment: boolean;
  /** The lane has a working chip reader. */
  readonly chipReaderPresent: boolean;
  /** Today at the terminal (local calendar), month 1–12. */
  readonly today: { readonly year: number; readonly month: number };
}

/** How an accepted swipe entered: a plain magstripe read, or fallback after a chip failure. */
export type SwipeEntry = 'magstripe' | 'fallback';

/** A swipe that may go online. */
export interface SwipeAccepted {
  readonly kind: 'accept';
  readonly entry: SwipeEntry;
  /** Field 22 positions 1–2: '90' or '80'. */
  readonly panEntryMode: '90' | '80';
  /** Service code digit 3 is 0, 3 or 5: collect an online PIN. */
  readonly pinRequired: boolean;
  /** Receipt wording of the entry mode. */
  readonly receiptEntryMode: 'SWIPED' | 'FALLBACK';
}

/** A swipe that must not pay; `message` is for the cashier display. */
export interface SwipeRefused {
  readonly kind: 'refuse';
  readonly code: StripeRefusalCode;
  readonly message: string;
  /** True when the same card may still pay another way (insert it). */
  readonly insertCard: boolean;
}

/** The decision for one swipe. */
export type SwipeDecision = SwipeAccepted | SwipeRefused;

const refuse = (code: StripeRefusalCode, message: string, insertCard = false): SwipeRefused => ({ kind: 'refuse', code, message, insertCard });

/** True when a YYMM expiry has passed in `today`'s month (valid through the end of its month). */
export function stripeCardExpired(yymm: string, today: { readonly year: number; readonly month: number }): boolean {
  const year = 2000 + Number(yymm.slice(0, 2));
  const month = Number(yymm.slice(2));
  return year < today.year || (year === today.year && month < today.month);
}

/** Applies the rules in the header comment, in order: service code valid, chip first, allowed service, expiry. */
export function decideSwipe(f: SwipeFacts): SwipeDecision {
  const info = interpretServiceCode(f.serviceCode);
  if (!info || info.interchange === 'reserved') return refuse('STRIPE_SERVICE_CODE_INVALID', 'This card cannot be swiped');
  if (!/^[0-9]{2}(0[1-9]|1[0-2])$/.test(f.expiry)) return refuse('STRIPE_EXPIRY_INVALID', 'Card expiry unreadable: swipe again');
  const fallback = info.chipCard && f.chipReaderPresent;
  if (fallback && !f.chipFailedThisPayment) return refuse('STRIPE_CHIP_FIRST', 'Chip card: insert the card', true);
  if (info.allowedServices === 'atm-only' || info.allowedServices === 'cash-only') return refuse('STRIPE_SERVICE_NOT_ALLOWED', 'Card not accepted for purchases');
  if (stripeCardExpired(f.expiry, f.today)) return refuse('STRIPE_CARD_EXPIRED', 'Card expired');
  return {
    kind: 'accept',
    entry: fallback ? 'fallback' : 'magstripe',
    panEntryMode: fallback ? '80' : '90',
    pinRequired: info.pinRequired,
    receiptEntryMode: fallback ? 'FALLBACK' : 'SWIPED',
  };
}

/** The facts of a parsed swipe (CardSwipe.expiry is YYYY-MM) plus what the flow knows. */
export function swipeFacts(card: CardSwipe, flow: Omit<SwipeFacts, 'serviceCode' | 'expiry'>): SwipeFacts {
  return { ...flow, serviceCode: card.serviceCode, expiry: card.expiry.slice(2, 4) + card.expiry.slice(5, 7) };
}

/** The magstripe fields of an AuthRequest; memory only, for the host link (never log or store this object). */
export type MagstripeAuthFields = Pick<AuthRequest, 'pan' | 'expiry' | 'track2' | 'posEntryMode'> & { readonly iccData?: never };

/**
 * Field 22, 35, 2 and 14 values for an accepted swipe: track 2 equivalent data from the opaque track (sentinels and
 * LRC dropped, '=' → 'D'). Throws TrackError HID_TRACK_FORMAT (without track data) if the track is not ISO 7813
 * track 2 — parseSwipe has already refused such tracks, so this is a guard.
 */
export function magstripeAuthFields(decision: SwipeAccepted, track2: SensitiveTrack, pinCapable = true): MagstripeAuthFields {
  const raw = track2.reveal();
  const body = raw.startsWith(';') ? raw.slice(1) : raw;
  const end = body.indexOf('?');
  const data = end < 0 ? body : body.slice(0, end);
  const m = /^([0-9]{12,19})=([0-9]{2}(?:0[1-9]|1[0-2]))([0-9]*)$/.exec(data);
  if (!m || data.length > 37) throw new TrackError('HID_TRACK_FORMAT', 'track 2 cannot be sent as track 2 equivalent data', { track: 2, length: data.length });
  return {
    pan: m[1],
    expiry: m[2],
    track2: `${m[1]}D${m[2]}${m[3]}`,
    posEntryMode: `${decision.panEntryMode}${pinCapable ? '1' : '2'}`,
  };
}
