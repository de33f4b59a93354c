// The terminal's identity, one source for every place that carries it: the configuration's merchant.terminalId and
// merchant.merchantId go to ISO 8583 fields 41 and 42, the EMV kernel's 9F1C (field 55, and CDOL data a card asks
// for), the receipt and the journal's payment rows. These defaults apply when the configuration names none.

/** The terminal id when none is configured (8 characters, ISO 8583 field 41 / EMV 9F1C). */
export const DEFAULT_TERMINAL_ID = 'POSB0001';

/** The merchant id when none is configured (15 characters, ISO 8583 field 42, card acceptor identification code). */
export const DEFAULT_MERCHANT_ID = 'POSBRIDGE000001';

/** Field 41 (ans 8, fixed): the terminal id left-justified and space-filled (ISO 8583:1987 §4.3.6). */
export function field41(terminalId: string): string {
  return terminalId.padEnd(8, ' ');
}

/** Field 42 (ans 15, fixed): the merchant id left-justified and space-filled. */
export function field42(merchantId: string): string {
  return merchantId.padEnd(15, ' ');
}
