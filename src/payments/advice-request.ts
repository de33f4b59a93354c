// The advice (0220) that tells the acquirer of a sale the card approved offline.
import type { AuthorizeContext, EmvOutcome } from '../emv/kernel.js';
import type { AuthRequest } from '../host/messages.js';
import type { Payment } from './payment-store.js';

/** The advice request of an offline approval: the card data from the records and the final field 55. */
export function adviceRequest(p: Payment, card: AuthorizeContext, outcome: EmvOutcome): AuthRequest {
  return {
    kind: p.type === 'refund' ? 'refund' : 'sale',
    ref: p.id,
    amount: p.amount,
    currency: p.currency,
    pan: card.pan,
    expiry: card.expiry,
    ...(card.panSequenceNumber ? { panSequenceNumber: card.panSequenceNumber } : {}),
    posEntryMode: '051',
    iccData: Uint8Array.from(Buffer.from(outcome.iccData, 'hex')),
  };
}
