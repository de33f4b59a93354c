// ISO 4217 currencies the daemon accepts: alphabetic code, numeric code (as EMV and ISO 8583 carry it) and minor
// unit exponent. Source: ISO 4217 list one (SIX Financial Information, the maintenance agency).

/** Alphabetic code → [numeric code, decimals]. */
const TABLE: Readonly<Record<string, readonly [string, number]>> = {
  EUR: ['978', 2],
  USD: ['840', 2],
  GBP: ['826', 2],
  CHF: ['756', 2],
  SEK: ['752', 2],
  DKK: ['208', 2],
  NOK: ['578', 2],
  PLN: ['985', 2],
  CZK: ['203', 2],
  HUF: ['348', 2],
  JPY: ['392', 0],
  CNY: ['156', 2],
  CAD: ['124', 2],
  AUD: ['036', 2],
};

/**
 * Minor unit exponents other than 2 of ISO 4217 currencies the daemon does not accept, so that an amount in any of
 * them is still shown right (the accepted ones carry theirs in TABLE).
 */
const OTHER_EXPONENTS: Readonly<Record<string, number>> = {
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

/** The minor unit exponent of an ISO 4217 alphabetic code (JPY 0, EUR 2, KWD 3); 2 when unknown. */
export function currencyExponent(alpha: string): number {
  return TABLE[alpha]?.[1] ?? OTHER_EXPONENTS[alpha] ?? 2;
}

/** The alphabetic codes accepted. */
export const CURRENCY_CODES: readonly string[] = Object.keys(TABLE);

/** The numeric code of an alphabetic one ('EUR' → '978'), or undefined when not accepted. */
export function currencyNumeric(alpha: string): string | undefined {
  return TABLE[alpha]?.[0];
}

/** The alphabetic code of a numeric one ('978' → 'EUR'); the input back when unknown. */
export function currencyAlpha(numeric: string): string {
  return Object.entries(TABLE).find(([, [n]]) => n === numeric)?.[0] ?? numeric;
}

/** The alphabetic code of a numeric or alphabetic one ('156' → 'CNY', 'CNY' → 'CNY'). */
export function alphaOf(currency: string): string {
  return /^\d{3}$/.test(currency) ? currencyAlpha(currency) : currency;
}

/** An amount in minor units as a decimal with the currency's exponent: "12.34" (CNY), "1234" (JPY), "1.234" (KWD). */
export function decimalMinor(amount: number, currency: string): string {
  const decimals = currencyExponent(alphaOf(currency));
  const abs = Math.abs(amount).toString().padStart(decimals + 1, '0');
  const whole = decimals === 0 ? abs : `${abs.slice(0, -decimals)}.${abs.slice(-decimals)}`;
  return `${amount < 0 ? '-' : ''}${whole}`;
}

/** An amount in minor units as "12.34 EUR" ("1234 JPY"), for a numeric or alphabetic currency code. */
export function formatMinor(amount: number, currency: string): string {
  return `${decimalMinor(amount, currency)} ${alphaOf(currency)}`;
}
