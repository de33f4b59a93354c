// Amounts typed on the command line; its own module so commands share it without loading each other.
import { UsageError } from './exit-codes.js';

/** Minor units from a decimal amount like "12.34", for a currency with `decimals` minor digits (ISO 4217 exponent; default 2). */
export function parseAmount(text: string, decimals = 2): number {
  const form = decimals === 0 ? /^\d{1,10}$/ : new RegExp(`^\\d{1,10}(\\.\\d{1,${decimals}})?$`);
  if (!form.test(text)) {
    const example = decimals === 0 ? '1234' : `12.${'3456'.slice(0, decimals)}`;
    throw new UsageError(`--amount must be a decimal amount like ${example} (${decimals} decimals at most for this currency), got "${text}"`);
  }
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 10 ** decimals + (decimals === 0 ? 0 : Number(frac.padEnd(decimals, '0')));
}
