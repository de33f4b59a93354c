// The card scheme of an application, from its AID's registered application provider identifier (RID, ISO 7816-5).

/** The card scheme from the AID's registered application provider (first 5 bytes). */
export function schemeOf(aid: string | null): string | null {
  if (!aid) return null;
  const rid = aid.slice(0, 10).toUpperCase();
  const names: Readonly<Record<string, string>> = {
    A000000003: 'visa',
    A000000004: 'mastercard',
    A000000025: 'amex',
    A000000042: 'cb',
    A000000065: 'jcb',
    A000000152: 'discover',
    A000000333: 'unionpay',
    A000000277: 'interac',
  };
  return names[rid] ?? null;
}
