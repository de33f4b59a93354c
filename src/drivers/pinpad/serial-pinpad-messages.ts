// Messages of the serial PIN pad protocol (docs/hardware.md, "Serial PIN pad protocol"): typed values and their
// payload bytes. Requests go from the daemon to the pad; each has one reply type (request type | 80); the pad may
// also send a key event (cancel key outside an entry) and an error answer. Pure; both ends (driver and emulator) use it.
import { PinPadError } from './serial-pinpad-errors.js';

/** Message type bytes. */
export const MSG = {
  identify: 0x10,
  display: 0x11,
  amount: 0x12,
  onlinePin: 0x20,
  encipheredPin: 0x21,
  cancel: 0x30,
  keyEvent: 0x70,
  error: 0x7f,
} as const;

/** The reply type of a request type (none for CANCEL: its effect is the pending entry's reply). */
export const replyType = (requestType: number): number => requestType | 0x80;

/** How a PIN entry on the pad ended (first payload byte of the two PIN result replies). */
export const ENTRY_STATUS = { entered: 0x00, cancelKey: 0x01, timeout: 0x02, bypass: 0x03, cancelledByHost: 0x04 } as const;
/** One entry status name. */
export type EntryStatus = keyof typeof ENTRY_STATUS;

/** Error answer codes (second payload byte of an ERROR). */
export const PAD_ERRORS = { unknownMessage: 0x01, badPayload: 0x02, busy: 0x03, keyExhausted: 0x04, noKey: 0x05 } as const;
/** One error answer name. */
export type PadErrorName = keyof typeof PAD_ERRORS;

/** Key management scheme of the pad: TDES DUKPT (X9.24-1, PIN block format 0) or AES-128 DUKPT (X9.24-3, format 4). */
export type KeyScheme = 'tdes-dukpt' | 'aes-dukpt';
const SCHEME_BYTE: Readonly<Record<KeyScheme, number>> = { 'tdes-dukpt': 0x01, 'aes-dukpt': 0x02 };

/** Display text limit: two lines of up to 20 printable ASCII characters, LF between them. */
export const DISPLAY_MAX = 41;
/** ICC PIN encipherment key modulus length bounds in bytes (EMV Book 2 §7.1: N_PE ≤ 248; the block needs 17 + padding). */
export const ICC_MODULUS_MIN = 64;
export const ICC_MODULUS_MAX = 248;

/** A request from the daemon to the pad. */
export type PadRequest =
  | { readonly kind: 'identify' }
  | { readonly kind: 'display'; readonly text: string }
  | { readonly kind: 'amount'; readonly amount: number; readonly currency: string }
  | { readonly kind: 'onlinePin'; readonly format: 0 | 4; readonly timeoutSec: number; readonly pan: string }
  | {
      readonly kind: 'encipheredPin';
      readonly timeoutSec: number;
      readonly triesLeft: number | null;
      readonly challenge: Uint8Array;
      readonly exponent: Uint8Array;
      readonly modulus: Uint8Array;
    }
  | { readonly kind: 'cancel' };

/** A message from the pad to the daemon. */
export type PadReply =
  | { readonly kind: 'identity'; readonly scheme: KeyScheme; readonly ksn: Uint8Array; readonly model: string }
  | { readonly kind: 'displayed' }
  | { readonly kind: 'amountShown' }
  | { readonly kind: 'onlinePinResult'; readonly status: EntryStatus; readonly format?: number; readonly ksn?: Uint8Array; readonly block?: Uint8Array }
  | { readonly kind: 'encipheredPinResult'; readonly status: EntryStatus; readonly enciphered?: Uint8Array }
  | { readonly kind: 'keyEvent'; readonly key: 'cancel' }
  | { readonly kind: 'error'; readonly requestType: number; readonly error: PadErrorName | 'other'; readonly code: number };

/** A message as type byte and payload. */
export interface RawMessage {
  readonly type: number;
  readonly payload: Uint8Array;
}

function invalid(why: string, details: Record<string, unknown> = {}): PinPadError {
  return new PinPadError('PINPAD_MESSAGE_INVALID', why, details);
}

const bcd = (digits: string): Uint8Array => Uint8Array.from(digits.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const bcdText = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

function checkTimeout(t: number): void {
  if (!Number.isInteger(t) || t < 1 || t > 255) throw invalid('the entry timeout is 1-255 seconds', { timeoutSec: t });
}

function checkDisplay(text: string): void {
  const lines = text.split('\n');
  if (text.length > DISPLAY_MAX || lines.length > 2 || lines.some((l) => l.length > 20) || !/^[\x20-\x7e\n]*$/.test(text)) {
    throw invalid('display text is at most two lines of 20 printable ASCII characters', { length: text.length });
  }
}

/** The type byte and payload of a request (PINPAD_MESSAGE_INVALID for values the protocol cannot carry). */
export function encodeRequest(r: PadRequest): RawMessage {
  switch (r.kind) {
    case 'identify':
      return { type: MSG.identify, payload: new Uint8Array(0) };
    case 'cancel':
      return { type: MSG.cancel, payload: new Uint8Array(0) };
    case 'display':
      checkDisplay(r.text);
      return { type: MSG.display, payload: Uint8Array.from(r.text, (c) => c.charCodeAt(0)) };
    case 'amount': {
      if (!Number.isSafeInteger(r.amount) || r.amount < 0 || r.amount > 999_999_999_999) throw invalid('the amount is 0 to 12 digits of minor units', { amount: r.amount });
      if (!/^\d{3,4}$/.test(r.currency)) throw invalid('the currency is ISO 4217 numeric', { currency: r.currency });
      return { type: MSG.amount, payload: Uint8Array.from([...bcd(String(r.amount).padStart(12, '0')), ...bcd(r.currency.padStart(4, '0'))]) };
    }
    case 'onlinePin': {
      checkTimeout(r.timeoutSec);
      if (!/^\d{12,19}$/.test(r.pan)) throw invalid('the PAN is 12-19 digits', { length: r.pan.length });
      return { type: MSG.onlinePin, payload: Uint8Array.from([r.format, r.timeoutSec, r.pan.length, ...Array.from(r.pan, (c) => c.charCodeAt(0))]) };
    }
    case 'encipheredPin': {
      checkTimeout(r.timeoutSec);
      if (r.challenge.length !== 8) throw invalid('the ICC challenge is 8 bytes (GET CHALLENGE)', { length: r.challenge.length });
      if (r.exponent.length < 1 || r.exponent.length > 3) throw invalid('the ICC PIN key exponent is 1-3 bytes', { length: r.exponent.length });
      if (r.modulus.length < ICC_MODULUS_MIN || r.modulus.length > ICC_MODULUS_MAX) {
        throw invalid(`the ICC PIN key modulus is ${ICC_MODULUS_MIN}-${ICC_MODULUS_MAX} bytes`, { length: r.modulus.length });
      }
      const tries = r.triesLeft === null ? 0xff : Math.min(Math.max(r.triesLeft, 0), 0xfe);
      return { type: MSG.encipheredPin, payload: Uint8Array.from([r.timeoutSec, tries, ...r.challenge, r.exponent.length, ...r.exponent, ...r.modulus]) };
    }
  }
}

/** The request a frame carries (the pad's side); PINPAD_MESSAGE_INVALID for an unknown type or a bad payload. */
export function decodeRequest(m: RawMessage): PadRequest {
  const p = m.payload;
  switch (m.type) {
    case MSG.identify:
      return { kind: 'identify' };
    case MSG.cancel:
      return { kind: 'cancel' };
    case MSG.display: {
      const text = ascii(p);
      checkDisplay(text);
      return { kind: 'display', text };
    }
    case MSG.amount: {
      const digits = bcdText(p);
      if (p.length !== 8 || !/^\d+$/.test(digits)) throw invalid('AMOUNT is 6 + 2 bytes of BCD', { length: p.length });
      return { kind: 'amount', amount: Number(digits.slice(0, 12)), currency: digits.slice(12) };
    }
    case MSG.onlinePin: {
      if (p.length < 3 || p.length !== 3 + p[2]) throw invalid('ONLINE PIN payload length', { length: p.length });
      const pan = ascii(p.subarray(3));
      const format = p[0];
      if ((format !== 0 && format !== 4) || !/^\d{12,19}$/.test(pan) || p[1] === 0) throw invalid('ONLINE PIN fields', { format });
      return { kind: 'onlinePin', format, timeoutSec: p[1], pan };
    }
    case MSG.encipheredPin: {
      const e = p[10] ?? 0;
      const n = p.length - 11 - e;
      if (p.length < 11 || e < 1 || e > 3 || n < ICC_MODULUS_MIN || n > ICC_MODULUS_MAX || p[0] === 0) throw invalid('ENCIPHERED PIN payload', { length: p.length });
      return {
        kind: 'encipheredPin',
        timeoutSec: p[0],
        triesLeft: p[1] === 0xff ? null : p[1],
        challenge: p.slice(2, 10),
        exponent: p.slice(11, 11 + e),
        modulus: p.slice(11 + e),
      };
    }
    default:
      throw invalid(`unknown request type ${m.type}`, { type: m.type });
  }
}

function statusByte(s: EntryStatus): number {
  return ENTRY_STATUS[s];
}

function statusOf(b: number | undefined): EntryStatus {
  const found = (Object.keys(ENTRY_STATUS) as EntryStatus[]).find((k) => ENTRY_STATUS[k] === b);
  if (!found) throw invalid('unknown entry status', { status: b });
  return found;
}

/** The type byte and payload of a pad message. */
export function encodeReply(r: PadReply): RawMessage {
  switch (r.kind) {
    case 'identity':
      return { type: replyType(MSG.identify), payload: Uint8Array.from([SCHEME_BYTE[r.scheme], r.ksn.length, ...r.ksn, ...Array.from(r.model, (c) => c.charCodeAt(0) & 0x7f)]) };
    case 'displayed':
      return { type: replyType(MSG.display), payload: new Uint8Array(0) };
    case 'amountShown':
      return { type: replyType(MSG.amount), payload: new Uint8Array(0) };
    case 'onlinePinResult':
      if (r.status !== 'entered') return { type: replyType(MSG.onlinePin), payload: Uint8Array.of(statusByte(r.status)) };
      if (r.format === undefined || !r.ksn || !r.block) throw invalid('an entered online PIN needs format, KSN and block');
      return { type: replyType(MSG.onlinePin), payload: Uint8Array.from([0, r.format, r.ksn.length, ...r.ksn, ...r.block]) };
    case 'encipheredPinResult':
      if (r.status !== 'entered') return { type: replyType(MSG.encipheredPin), payload: Uint8Array.of(statusByte(r.status)) };
      if (!r.enciphered) throw invalid('an entered enciphered PIN needs the block');
      return { type: replyType(MSG.encipheredPin), payload: Uint8Array.from([0, ...r.enciphered]) };
    case 'keyEvent':
      return { type: MSG.keyEvent, payload: Uint8Array.of(0x01) };
    case 'error':
      return { type: MSG.error, payload: Uint8Array.of(r.requestType, r.error === 'other' ? r.code : PAD_ERRORS[r.error]) };
  }
}

/** The pad message a frame carries (the daemon's side); PINPAD_MESSAGE_INVALID for anything malformed. */
export function decodeReply(m: RawMessage): PadReply {
  const p = m.payload;
  switch (m.type) {
    case replyType(MSG.identify): {
      const scheme = p[0] === 0x01 ? 'tdes-dukpt' : p[0] === 0x02 ? 'aes-dukpt' : null;
      const k = p[1] ?? 0;
      if (!scheme || p.length < 2 + k || k !== (scheme === 'tdes-dukpt' ? 10 : 12)) throw invalid('IDENTITY payload', { length: p.length });
      return { kind: 'identity', scheme, ksn: p.slice(2, 2 + k), model: ascii(p.subarray(2 + k)) };
    }
    case replyType(MSG.display):
      return { kind: 'displayed' };
    case replyType(MSG.amount):
      return { kind: 'amountShown' };
    case replyType(MSG.onlinePin): {
      const status = statusOf(p[0]);
      if (status !== 'entered') {
        if (p.length !== 1) throw invalid('a PIN result without a PIN is one byte', { length: p.length });
        return { kind: 'onlinePinResult', status };
      }
      const format = p[1];
      const k = p[2] ?? 0;
      const block = p.slice(3 + k);
      const ok = (format === 0 && k === 10 && block.length === 8) || (format === 4 && k === 12 && block.length === 16);
      if (!ok) throw invalid('ONLINE PIN result: format 0 with a 10-byte KSN and 8-byte block, or format 4 with 12 and 16', { format, ksnLength: k, blockLength: block.length });
      return { kind: 'onlinePinResult', status, format, ksn: p.slice(3, 3 + k), block };
    }
    case replyType(MSG.encipheredPin): {
      const status = statusOf(p[0]);
      if (status !== 'entered') {
        if (p.length !== 1) throw invalid('a PIN result without a PIN is one byte', { length: p.length });
        return { kind: 'encipheredPinResult', status };
      }
      if (p.length - 1 < ICC_MODULUS_MIN || p.length - 1 > ICC_MODULUS_MAX) throw invalid('ENCIPHERED PIN result length', { length: p.length });
      return { kind: 'encipheredPinResult', status, enciphered: p.slice(1) };
    }
    case MSG.keyEvent:
      if (p.length !== 1 || p[0] !== 0x01) throw invalid('KEY EVENT payload', { length: p.length });
      return { kind: 'keyEvent', key: 'cancel' };
    case MSG.error: {
      if (p.length !== 2) throw invalid('ERROR payload is 2 bytes', { length: p.length });
      const name = (Object.keys(PAD_ERRORS) as PadErrorName[]).find((k) => PAD_ERRORS[k] === p[1]);
      return { kind: 'error', requestType: p[0], error: name ?? 'other', code: p[1] };
    }
    default:
      throw invalid(`unknown message type ${m.type}`, { type: m.type });
  }
}
