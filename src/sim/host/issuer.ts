// The simulated issuer's decision on an authorisation (0100) or financial request (0200): amount rules first
// (rules.ts), then the card's issuer keys check the ARQC of field 55 (EMV Book 2 §8.1) and answer with the ARPC
// (method 1, Book 2 §8.2.1) and the profile's issuer scripts (Book 3 §10.10).
import { concatBytes, fromHex, toHex } from '../../apdu/hex.js';
import { decodeTlv, encodeTlv, findTlv, toTlvInput, type TlvNode } from '../../apdu/tlv.js';
import type { Iso8583Message } from '../../host/iso8583/index.js';
import { issuerKeysForPan, type IssuerKeys } from '../emv/index.js';
import { builtInPins, checkOnlinePin, type PinLookup } from './pin-check.js';
import { amountRule, SIM_CODES } from './rules.js';

/** What the simulator made of field 55's cryptogram. */
export type ArqcVerdict = 'verified' | 'mismatch' | 'unknown-card' | 'absent' | 'not-checked';

/** Finds a card's issuer keys by PAN, PSN (2 digits) and, when known, AID; null for an unknown card. */
export type IssuerLookup = (pan: string, psn: string, aid?: string) => IssuerKeys | null;

/** The issuer's answer: a response code (or no answer at all), and what goes into fields 38 and 55. */
export interface IssuerAnswer {
  readonly responseCode: string | 'no-answer';
  readonly authCode?: string;
  readonly field55?: readonly TlvNode[];
  readonly arqc: ArqcVerdict;
  readonly note: string | null;
}

/** The default lookup: the built-in virtual card profiles (src/sim/emv/catalog.ts). */
export const builtInCards: IssuerLookup = (pan, psn, aid) => issuerKeysForPan(pan, psn, aid);

/** The PAN of a request: field 2, else the digits of track 2 (field 35) before the separator. */
export function panOf(msg: Iso8583Message): string | null {
  const f2 = msg.text(2);
  if (f2) return f2;
  const t2 = msg.text(35);
  return t2 ? (t2.split(/[D=]/)[0] ?? null) : null;
}

/**
 * Decides an 0100/0200 by the simulator's rules; `authCode` makes the next approval code, `pins` gives the card's
 * PIN for the online PIN check (field 52 + KSN in field 53: wrong → 55, undecipherable → 81).
 */
export function decideAuthorization(msg: Iso8583Message, lookup: IssuerLookup, authCode: () => string, pins: PinLookup = builtInPins): IssuerAnswer {
  const rule = amountRule(Number(msg.text(4) ?? '0'));
  if (rule === 'no-answer') return { responseCode: 'no-answer', arqc: 'not-checked', note: 'amount ends in .99: no answer' };
  const nodes = msg.tlv(55);
  const icc = nodes ? encodeTlv(toTlvInput(nodes)) : null;
  const keys = findCard(msg, nodes, lookup);
  if (rule !== null) return decline(rule, `amount rule: ${rule}`, keys, icc);
  if (!keys) return { responseCode: SIM_CODES.invalidCard, arqc: 'unknown-card', note: 'no virtual card with this PAN and PSN' };
  const pan = panOf(msg) ?? '';
  // A swipe carries no PAN sequence number: the PIN of the PAN's card with the lowest one.
  const psns = msg.text(23) !== undefined || !msg.fields.has(35) ? [(msg.text(23) ?? '000').slice(-2)] : ['00', '01', '02', '03'];
  const pin = checkOnlinePin(msg, pan, psns.map((p) => pins(pan, p)).find((x) => x !== null) ?? null);
  if (pin.verdict === 'wrong') return decline(SIM_CODES.incorrectPin, 'online PIN wrong', keys, icc);
  if (pin.verdict === 'undecipherable') return decline(SIM_CODES.pinCryptoError, `online PIN block undecipherable: ${pin.reason ?? ''}`, keys, icc);
  const pinNote = pin.verdict === 'verified' ? 'online PIN verified' : null;
  if (!icc) return { responseCode: SIM_CODES.approved, authCode: authCode(), arqc: 'absent', note: pinNote ? `${pinNote}; no field 55: approved without an ARPC` : 'no field 55: approved without an ARPC' };
  const check = keys.verifyArqc(icc);
  if (!check.ok) {
    const refund = (msg.text(3) ?? '').startsWith('20');
    if (refund && check.reason === 'NOT_AN_ARQC') return { responseCode: SIM_CODES.approved, authCode: authCode(), arqc: 'not-checked', note: 'refund with an AAC: approved without an ARPC' };
    return { responseCode: SIM_CODES.doNotHonour, arqc: 'mismatch', note: `ARQC not verified: ${check.reason}` };
  }
  const code = authCode();
  const r = keys.respond(icc, { approve: true, authCode: code });
  const scripts = (r.scripts ?? []).map((h) => fromHex(h));
  return { responseCode: SIM_CODES.approved, authCode: code, arqc: 'verified', note: pinNote, field55: issuerData(fromHex(r.issuerAuthenticationData ?? ''), scripts) };
}

/** A decline that still carries the ARPC over its ARC when the cryptogram verifies, as issuers send it. */
function decline(code: string, note: string, keys: IssuerKeys | null, icc: Uint8Array | null): IssuerAnswer {
  const check = keys && icc ? keys.verifyArqc(icc) : null;
  const arqc: ArqcVerdict = !keys ? 'unknown-card' : !check ? 'absent' : check.ok ? 'verified' : 'mismatch';
  const field55 = keys && check?.ok ? issuerData(keys.issuerAuthenticationData(check.atc, check.arqc, code), []) : undefined;
  return { responseCode: code, arqc, note, ...(field55 ? { field55 } : {}) };
}

function findCard(msg: Iso8583Message, icc: readonly TlvNode[] | undefined, lookup: IssuerLookup): IssuerKeys | null {
  const pan = panOf(msg);
  if (!pan) return null;
  // Without field 23 the PSN is taken as 00, as key derivation does when it is absent (EMV Book 2 A1.4.1).
  const psn = (msg.text(23) ?? '000').slice(-2);
  const df = icc ? findTlv(icc, 0x84) : undefined;
  const aid = df ? toHex(df.value) : undefined;
  const found = lookup(pan, psn, aid) ?? (aid ? lookup(pan, psn) : null);
  if (found || icc || msg.text(23) !== undefined || !msg.fields.has(35)) return found;
  // A swipe (track 2, no chip data) carries no PAN sequence number: the PAN's card with the lowest one matches.
  for (let n = 1; n <= 9; n++) {
    const keys = lookup(pan, `0${n}`);
    if (keys) return keys;
  }
  return null;
}

/** Field 55 of the answer: 91 (when there is one), then the script templates as they are. */
function issuerData(data91: Uint8Array, scripts: readonly Uint8Array[]): TlvNode[] | undefined {
  const parts = data91.length ? [encodeTlv([{ tag: 0x91, value: data91 }]), ...scripts] : [...scripts];
  return parts.length ? decodeTlv(concatBytes(...parts)) : undefined;
}
