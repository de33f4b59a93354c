// How a payment tells a card session that broke (the card left or was swapped) from a chip that failed.
import { EmvError } from '../emv/errors.js';

/** Reader codes saying the card is not (or no longer) the one the reader reported. */
export const CARD_GONE_CODES: ReadonlySet<string> = new Set(['CARD_REMOVED', 'NO_CARD', 'CARD_RESET']);

/** The card session broke (card removed or swapped, exchange failed in the reader), not the chip's own answer. */
export function isBrokenSession(err: unknown): boolean {
  if (!(err instanceof EmvError)) return false;
  return err.code === 'EMV_CARD_REMOVED' || (err.code === 'EMV_READER_FAILED' && (err.details.reader === 'PCSC_ERROR' || err.details.reader === 'CARD_RESET'));
}
