import { decodeTlv } from '../apdu/tlv.js';
import { Iso8583Message, type FieldValue } from './iso8583/index.js';

/** What kind of financial message: processing code (field 3) and MTI follow from it. */
export type AuthKind = 'sale' | 'refund' | 'preauth' | 'capture';

/** A card authorisation as the host link receives it from the payment flow. PAN and track stay in memory only. */
export interface AuthRequest {
  readonly kind: AuthKind;
  /** The caller's reference (payment id): ties queue items to the payment. */
  readonly ref: string;
  /** Minor units. */
  readonly amount: number;
  /** ISO 4217 numeric, 3 digits (e.g. '978'). */
  readonly currency: string;
  readonly pan: string;
  /** YYMM. */
  readonly expiry: string;
  readonly panSequenceNumber?: string;
  readonly track2?: string;
  /** POS entry mode (field 22), e.g. '051' chip with PIN capability, '071' contactless chip. */
  readonly posEntryMode: string;
  /** Field 55 bytes from the EMV kernel. */
  readonly iccData?: Uint8Array;
  /** Encrypted PIN block (field 52), hex, with its DUKPT KSN (field 53) when there is one. */
  readonly pinBlock?: string;
  readonly ksn?: string;
  /** For a capture: the pre-authorisation's approval code. */
  readonly originalAuthCode?: string;
}

/** Who we are to the host. */
export interface TerminalIdentity {
  readonly terminalId: string;
  readonly merchantId: string;
  /** The 5-byte TPDU header to send (destination, origin). */
  readonly header: Uint8Array;
}

const PROCESSING: Readonly<Record<AuthKind, string>> = { sale: '000000', refund: '200000', preauth: '000000', capture: '000000' };
const MTI: Readonly<Record<AuthKind, string>> = { sale: '0200', refund: '0200', preauth: '0100', capture: '0220' };

const two = (n: number): string => String(n).padStart(2, '0');

/** Field 7, MMDDhhmmss (UTC). */
export function transmissionDateTime(now: Date): string {
  return `${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}${two(now.getUTCHours())}${two(now.getUTCMinutes())}${two(now.getUTCSeconds())}`;
}

/** The authorisation or financial request (0100 pre-authorisation, 0200 sale/refund, 0220 capture) for `req`. */
export function buildAuthRequest(req: AuthRequest, id: TerminalIdentity, stan: string, now: Date, rrn?: string): Iso8583Message {
  const f: Record<number, FieldValue> = {
    2: req.pan,
    3: PROCESSING[req.kind],
    4: String(req.amount).padStart(12, '0'),
    7: transmissionDateTime(now),
    11: stan,
    12: transmissionDateTime(now).slice(4),
    13: transmissionDateTime(now).slice(0, 4),
    14: req.expiry,
    22: req.posEntryMode,
    25: '00',
    41: id.terminalId,
    42: id.merchantId,
    49: req.currency,
  };
  if (rrn) f[37] = rrn;
  if (req.panSequenceNumber) f[23] = req.panSequenceNumber.padStart(3, '0');
  if (req.track2) f[35] = req.track2;
  if (req.pinBlock) f[52] = Uint8Array.from(req.pinBlock.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  if (req.ksn) f[53] = Uint8Array.from(req.ksn.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  if (req.iccData && req.iccData.length) f[55] = decodeTlv(req.iccData);
  if (req.kind === 'capture' && req.originalAuthCode) f[38] = req.originalAuthCode;
  return Iso8583Message.of(MTI[req.kind], f, id.header);
}

/**
 * The reversal (0400) of a request: the same card and amount fields, its own STAN, and field 90 naming the
 * original (MTI, STAN, transmission date/time; acquirer and forwarding IDs zero).
 */
export function buildReversal(original: Iso8583Message, stan: string, now: Date): Iso8583Message {
  const keep = [2, 3, 4, 14, 22, 23, 25, 37, 41, 42, 49, 55];
  const fields: [number, FieldValue][] = [];
  for (const n of keep) {
    const v = original.fields.get(n);
    if (v !== undefined) fields.push([n, v]);
  }
  fields.push([7, transmissionDateTime(now)], [11, stan], [12, transmissionDateTime(now).slice(4)], [13, transmissionDateTime(now).slice(0, 4)]);
  const f90 = `${original.mti}${original.text(11) ?? '000000'}${original.text(7) ?? '0000000000'}${'0'.repeat(22)}`;
  fields.push([90, f90]);
  return new Iso8583Message('0400', fields, original.header);
}

/** An advice (0220) of an approval the terminal gave offline (Y1/Y3), for the host's records and clearing. */
export function buildAdvice(req: AuthRequest, id: TerminalIdentity, stan: string, now: Date, authCode: string): Iso8583Message {
  const base = buildAuthRequest({ ...req, kind: 'sale' }, id, stan, now);
  return base.withMti('0220').with(38, authCode.padEnd(6, ' ').slice(0, 6)).with(39, authCode.slice(0, 2));
}

/** The repeat of a queued message: 0400 → 0421 (reversal repeat), 0220 → 0221 (advice repeat). */
export function repeatMti(mti: string): string {
  if (mti === '0400' || mti === '0420') return '0421';
  if (mti === '0220') return '0221';
  return mti;
}

/** Network management (0800): '301' echo, '001' sign-on. */
export function buildNetworkRequest(code: '301' | '001' | '002', id: TerminalIdentity, stan: string, now: Date): Iso8583Message {
  return Iso8583Message.of('0800', { 7: transmissionDateTime(now), 11: stan, 41: id.terminalId, 70: code }, id.header);
}

/**
 * Response codes that mean approved for the full amount (ISO 8583:1987 field 39). 10 (partial approval) is not
 * among them: the terminal does not handle partial amounts, so it declines (the host's hold is released by it).
 */
export const APPROVED_CODES: ReadonlySet<string> = new Set(['00', '08', '11']);

/** Answers that end a queued reversal: done (00), original not found (25), duplicate (94). */
export const REVERSAL_DONE_CODES: ReadonlySet<string> = new Set(['00', '25', '94']);

/** Response codes that ask the sender to try again later (the queue keeps the item). */
export const RETRY_CODES: ReadonlySet<string> = new Set(['91', '96', '19']);
