/**
 * The three-digit service code of ISO/IEC 7813 (§10.2 / Annex: "Service code"), as found on
 * tracks 1 and 2 after the expiry date. Pure.
 */

/** What each digit of a service code says. */
export interface ServiceCodeInfo {
  readonly code: string;
  /** Digit 1 is 2 or 6: the card has a chip and the chip must be used when the terminal has one. */
  readonly chipCard: boolean;
  /** Digit 1: 1/2 international, 5/6 national, 7 private, 9 test; anything else reserved. */
  readonly interchange: 'international' | 'national' | 'private' | 'test' | 'reserved';
  /** Digit 2: 0 normal, 2 online by issuer, 4 online by issuer except under bilateral agreement. */
  readonly authorization: 'normal' | 'online' | 'online-unless-bilateral' | 'reserved';
  /** Digit 3 is 0, 3 or 5: PIN required. */
  readonly pinRequired: boolean;
  /** Digit 3: 0/1/6 no restrictions, 2/5/7 goods and services only, 3 ATM only, 4 cash only. */
  readonly allowedServices: 'any' | 'goods-and-services' | 'atm-only' | 'cash-only' | 'reserved';
}

const INTERCHANGE: Readonly<Record<string, ServiceCodeInfo['interchange']>> = {
  '1': 'international', '2': 'international', '5': 'national', '6': 'national', '7': 'private', '9': 'test',
};
const AUTHORIZATION: Readonly<Record<string, ServiceCodeInfo['authorization']>> = {
  '0': 'normal', '2': 'online', '4': 'online-unless-bilateral',
};
const SERVICES: Readonly<Record<string, ServiceCodeInfo['allowedServices']>> = {
  '0': 'any', '1': 'any', '6': 'any', '2': 'goods-and-services', '5': 'goods-and-services', '7': 'goods-and-services',
  '3': 'atm-only', '4': 'cash-only',
};

/** True when `code` is three decimal digits. */
export function isServiceCode(code: string): boolean {
  return /^[0-9]{3}$/.test(code);
}

/** Interprets a three-digit service code (ISO/IEC 7813); returns null when it is not three digits. */
export function interpretServiceCode(code: string): ServiceCodeInfo | null {
  if (!isServiceCode(code)) return null;
  const [d1, d2, d3] = code;
  return {
    code,
    chipCard: d1 === '2' || d1 === '6',
    interchange: INTERCHANGE[d1] ?? 'reserved',
    authorization: AUTHORIZATION[d2] ?? 'reserved',
    pinRequired: d3 === '0' || d3 === '3' || d3 === '5',
    allowedServices: SERVICES[d3] ?? 'reserved',
  };
}

/**
 * Whether a magnetic stripe swipe may be used for this card: chip cards (service code digit 1 = 2
 * or 6, ISO/IEC 7813) only as fallback after a chip read of this card failed on this terminal
 * (the "technical fallback" of the card schemes' rules); other cards always. An invalid service
 * code is refused.
 */
export function swipeAllowed(service: string | ServiceCodeInfo, chipFailedBefore: boolean): boolean {
  const info = typeof service === 'string' ? interpretServiceCode(service) : service;
  if (info === null) return false;
  return info.chipCard ? chipFailedBefore : true;
}
