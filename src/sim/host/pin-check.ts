// The simulated issuer's online PIN check: field 52 (encrypted PIN block) with field 53 (the DUKPT KSN), the PIN
// key derived from the simulator's test BDK (TDES for a 10-byte KSN, ANSI X9.24-1; AES-128 for a 12-byte KSN,
// X9.24-3), the block decoded as ISO 9564-1 format 0 (with the PAN) or format 4, and the PIN compared with the
// virtual card profile's. No I/O; the PIN never leaves this function (only a verdict does).
import { timingSafeEqual } from 'node:crypto';
import { fromHex } from '../../apdu/hex.js';
import { DukptError } from '../../crypto/dukpt-errors.js';
import type { Iso8583Message } from '../../host/iso8583/index.js';
import { loadProfiles } from '../emv/index.js';
import { decryptOnlinePin, simBdkForKsn } from '../pinpad/sim-dukpt.js';

/** What the simulator made of an online PIN: none sent, right, wrong, or a block it could not decipher. */
export type PinVerdict = 'absent' | 'verified' | 'wrong' | 'undecipherable';

/** The PIN of a card by PAN and PSN (2 digits), or null for an unknown card. */
export type PinLookup = (pan: string, psn: string) => string | null;

/** The default lookup: the built-in virtual card profiles' PINs. */
export const builtInPins: PinLookup = (pan, psn) => {
  for (const p of loadProfiles()) if (p.applications.some((a) => a.pan === pan && a.psn === psn)) return p.pin;
  return null;
};

/** The KSN of field 53: binary (10 or 12 bytes), or the same as hex text; null when absent or unreadable. */
export function ksnOf(msg: Iso8583Message): Uint8Array | null {
  const b = msg.bytes(53);
  if (b && (b.length === 10 || b.length === 12)) return b;
  const t = msg.text(53);
  if (t && /^([0-9A-F]{20}|[0-9A-F]{24})$/i.test(t)) return fromHex(t);
  return null;
}

/** Checks field 52 of `msg` against `expected` (the card's PIN); `pan` is the request's PAN. */
export function checkOnlinePin(msg: Iso8583Message, pan: string, expected: string | null): { readonly verdict: PinVerdict; readonly reason?: string } {
  const block = msg.bytes(52);
  if (!block) return { verdict: 'absent' };
  const ksn = ksnOf(msg);
  if (!ksn) return { verdict: 'undecipherable', reason: 'no DUKPT KSN (field 53, 10 or 12 bytes)' };
  const key = simBdkForKsn(ksn);
  if (!key) return { verdict: 'undecipherable', reason: 'KSN length' };
  let pin: string;
  try {
    pin = decryptOnlinePin(key.bdk, ksn, block, pan);
  } catch (err) {
    // A block under another key (or for another PAN) decodes to a malformed PIN field: that is the verdict.
    if (err instanceof DukptError) return { verdict: 'undecipherable', reason: err.code };
    throw err;
  }
  if (expected === null) return { verdict: 'undecipherable', reason: 'no PIN on file for this card' };
  const same = pin.length === expected.length && timingSafeEqual(Buffer.from(pin), Buffer.from(expected));
  return { verdict: same ? 'verified' : 'wrong' };
}
