/**
 * The card number as a receipt may show it: the first six and last four characters, every other one `*` (PCI DSS
 * 3.4's most). The payment store keeps only a masked PAN; this masks again whatever it is given, so a full PAN
 * reaching a receipt by mistake still prints masked. Anything that is not 12–19 digits or `*` prints as `****`.
 */
export function receiptPan(maskedPan: string | null): string {
  if (maskedPan === null) return '';
  const s = maskedPan.replace(/[ -]/g, '');
  if (!/^[0-9*]{12,19}$/.test(s)) return '****';
  return s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4);
}
