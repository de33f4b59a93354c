// The kernel's reading of the PIN port's results (drivers/pinpad/pin-port.ts): a cardholder who cancels or lets the
// entry time out ends the transaction (EMV Book 4 §11.1, the Cancel key), a card pulled during the entry ends it as
// removed; only an explicit bypass, or a device that cannot do the method, moves on to the card's next CVM.
import { EmvError, type EmvStep } from './errors.js';
import type { OnlinePinBlock, OnlinePinResult, PinEntryEnded } from './types.js';

/** An entry end that stops the transaction. */
export type StoppingEnd = Extract<PinEntryEnded, { kind: 'cancelled' | 'timeout' | 'card-removed' }>['kind'];

/** True for the ends that stop the transaction (cancel key, nobody at the pad, card pulled). */
export function stopsTransaction(kind: string): kind is StoppingEnd {
  return kind === 'cancelled' || kind === 'timeout' || kind === 'card-removed';
}

/** The kernel's error for an entry that stopped the transaction: EMV_CANCELLED, or EMV_CARD_REMOVED. */
export function stoppedEntryError(kind: StoppingEnd, step: EmvStep = 'cvm'): EmvError {
  if (kind === 'card-removed') return new EmvError('EMV_CARD_REMOVED', step, 'the card was removed during PIN entry');
  return new EmvError('EMV_CANCELLED', step, kind === 'timeout' ? 'no PIN was entered in time' : 'the cardholder cancelled at the PIN prompt');
}

/**
 * The online PIN block of an entry; null when the cardholder bypassed or the device cannot make one (the caller
 * moves on); throws EMV_CANCELLED or EMV_CARD_REMOVED when the entry stopped the transaction.
 */
export function onlinePinBlockOf(r: OnlinePinResult, step: EmvStep = 'cvm'): OnlinePinBlock | null {
  if (r.kind === 'pin') return r.pin;
  if (stopsTransaction(r.kind)) throw stoppedEntryError(r.kind, step);
  return null;
}
