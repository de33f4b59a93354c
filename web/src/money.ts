// Amounts: the form takes major units ("12.34"), the API wants integer minor units (1234), per ISO 4217 exponents.

/** The currencies the daemon accepts (src/api/payment-methods.ts CURRENCIES). */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'HUF', 'JPY', 'CNY', 'CAD', 'AUD'] as const;

/** Digits after the decimal point (ISO 4217): 0 for JPY, 2 for the others here. */
export function exponentOf(currency: string): number {
  return currency === 'JPY' ? 0 : 2;
}

/** Major units typed by a person ("12.34", "12,5", "7") → minor units, or an explanation of what is wrong. */
export function parseAmount(text: string, currency: string): { minor: number } | { problem: string } {
  const exp = exponentOf(currency);
  const t = text.trim().replace(',', '.');
  const re = exp === 0 ? /^\d{1,8}$/ : new RegExp(`^\\d{1,8}(\\.\\d{0,${exp}})?$`);
  if (!re.test(t)) return { problem: exp === 0 ? `Type the amount in whole ${currency}, e.g. 1200.` : `Type the amount like 12.34 (at most ${exp} decimals).` };
  const [whole, frac = ''] = t.split('.');
  const minor = Number(whole) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  if (minor <= 0) return { problem: 'The amount must be more than zero.' };
  if (minor > 99_999_999) return { problem: 'The amount is too large for one payment.' };
  return { minor };
}

/** Minor units → "€12.34" in the page's language. */
export function formatAmount(minor: number, currency: string): string {
  const exp = exponentOf(currency);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: exp, maximumFractionDigits: exp }).format(minor / 10 ** exp);
  } catch {
    // Intl refuses a code it does not know (RangeError): show the number and the code rather than nothing.
    return `${(minor / 10 ** exp).toFixed(exp)} ${currency}`;
  }
}

/** A fresh, unique payment reference (the daemon is idempotent by it: retrying with the same one never charges twice). */
export function newReference(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  const rand = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `web-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}-${rand}`;
}
