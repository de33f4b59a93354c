// The card scheme of an application, from its AID's registered application provider identifier (RID, ISO 7816-5).

const SCHEME_BY_RID: Readonly<Record<string, string>> = {
  A000000003: 'visa',
  A000000004: 'mastercard',
  A000000025: 'amex',
  A000000042: 'cb',
  A000000065: 'jcb',
  A000000152: 'discover',
  A000000333: 'unionpay',
  A000000277: 'interac',
};

/** Every scheme name `schemeOf` can give (a closed set: metrics label values come from it). */
export const KNOWN_SCHEMES: readonly string[] = Object.values(SCHEME_BY_RID);

/** The card scheme from the AID's registered application provider (first 5 bytes). */
export function schemeOf(aid: string | null): string | null {
  if (!aid) return null;
  return SCHEME_BY_RID[aid.slice(0, 10).toUpperCase()] ?? null;
}

/** A payment's card scheme: the one recorded, else named from its AID, else from its card number's first digits. */
export function schemeOfPayment(p: { readonly scheme?: string | null; readonly aid: string | null; readonly maskedPan: string | null }): string | null {
  return p.scheme ?? schemeOf(p.aid) ?? schemeOfBin(p.maskedPan);
}

/**
 * The card scheme from the first digits of a card number (a masked PAN keeps the first six), for a card read
 * without an AID (a swipe): the schemes' published ranges, the larger ones only; null when none matches.
 */
export function schemeOfBin(pan: string | null): string | null {
  if (!pan || !/^[0-9]{6}/.test(pan)) return null;
  const two = Number(pan.slice(0, 2));
  const four = Number(pan.slice(0, 4));
  if (pan.startsWith('4')) return 'visa';
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  if (four >= 3528 && four <= 3589) return 'jcb';
  if (two === 62) return 'unionpay';
  if (four === 6011 || two === 65 || (four >= 6440 && four <= 6499)) return 'discover';
  return null;
}
