// Entry Point pre-processing (EMV Contactless Book B §3.1.1): for each combination of AID and kernel, the limits
// against the amount give the indicators and the TTQ (9F66) this transaction sends to the card.
import { fromHex, toHex } from '../../apdu/hex.js';
import { EmvError } from '../errors.js';
import type { CombinationConfig, ContactlessRequest } from './types.js';

/** The indicators of one combination for this transaction (Book B §3.1.1.x). */
export interface PreProcessed {
  readonly combination: CombinationConfig;
  /** Contactless Application Not Allowed: the combination is left out of the candidate list. */
  readonly notAllowed: boolean;
  readonly zeroAmount: boolean;
  readonly statusCheckRequested: boolean;
  readonly floorLimitExceeded: boolean;
  readonly cvmRequired: boolean;
  /** The TTQ for this transaction, 4 bytes. */
  readonly ttq: Uint8Array;
}

/** TTQ byte 2 bits Entry Point sets per transaction (Book B §3.1.1, Book C-3 Annex A "9F66"). */
const TTQ2_ONLINE_CRYPTOGRAM_REQUIRED = 0x80;
const TTQ2_CVM_REQUIRED = 0x40;

/** Pre-processing of one combination: Book B §3.1.1.1-3.1.1.12 (status check, zero amount, the three limits). */
export function preProcess(c: CombinationConfig, req: ContactlessRequest): PreProcessed {
  const ttq = fromHex(c.ttq);
  if (ttq.length !== 4) throw new EmvError('EMV_CONFIG_INVALID', 'selection', `TTQ of ${c.aid} must be 4 bytes, got '${c.ttq}'`);
  // §3.1.1.2: the configured TTQ with byte 2 b8 and b7 cleared, then set below.
  ttq[1] &= ~(TTQ2_ONLINE_CRYPTOGRAM_REQUIRED | TTQ2_CVM_REQUIRED) & 0xff;
  const amount = req.amount; // Amount, Authorised (9F02): cashback included
  // §3.1.1.4: a status check is an amount of a single unit of currency (100 minor units: 2-decimal currencies).
  const statusCheckRequested = c.statusCheck && amount === 100;
  const zeroAmount = amount === 0;
  // §3.1.1.5: zero amount, not allowed (the combination is dropped) or sent online.
  let notAllowed = zeroAmount && !c.zeroAmountAllowed;
  // §3.1.1.6: at or above the Reader Contactless Transaction Limit.
  if (c.transactionLimit !== null && amount >= c.transactionLimit) notAllowed = true;
  // §3.1.1.7: above the Reader Contactless Floor Limit (the terminal floor limit is not used here).
  const floorLimitExceeded = c.floorLimit !== null && amount > c.floorLimit;
  // §3.1.1.9: at or above the Reader CVM Required Limit.
  const cvmRequired = c.cvmRequiredLimit !== null && amount >= c.cvmRequiredLimit;
  // §3.1.1.10-11: online cryptogram required for a status check, a zero amount allowed online, or over the floor limit.
  if (statusCheckRequested || (zeroAmount && c.zeroAmountAllowed) || floorLimitExceeded) ttq[1] |= TTQ2_ONLINE_CRYPTOGRAM_REQUIRED;
  if (cvmRequired) ttq[1] |= TTQ2_CVM_REQUIRED;
  return { combination: c, notAllowed, zeroAmount, statusCheckRequested, floorLimitExceeded, cvmRequired, ttq };
}

/** Pre-processing of every combination; `allNotAllowed` is Book B §3.1.1.13 (Try Another Interface). */
export function preProcessAll(list: readonly CombinationConfig[], req: ContactlessRequest): { readonly results: PreProcessed[]; readonly allNotAllowed: boolean } {
  const results = list.map((c) => preProcess(c, req));
  return { results, allNotAllowed: results.every((r) => r.notAllowed) };
}

/** The TTQ of a pre-processing result as hex (for logs and the outcome). */
export function ttqHex(p: PreProcessed): string {
  return toHex(p.ttq);
}
