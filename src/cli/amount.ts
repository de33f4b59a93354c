// Amounts typed on the command line; its own module so commands share it without loading each other.
import { UsageError } from './exit-codes.js';

/** Minor units from a decimal amount like "12.34" (two decimals at most). */
export function parseAmount(text: string): number {
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(text)) throw new UsageError(`--amount must be a decimal amount like 12.34, got "${text}"`);
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}
