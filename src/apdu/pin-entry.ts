// The PIN entry device's contract, beside the card channel it verifies PINs over: the EMV kernel (src/emv/) asks
// for PINs through it, the PIN pad drivers (src/drivers/pinpad/) and simulators (src/sim/pinpad/) implement it.
import type { CardChannel } from './card-channel.js';

/** How a PIN entry ended. */
export type PinOutcome =
  | { readonly kind: 'verified' }
  | { readonly kind: 'wrong'; readonly triesLeft: number }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'bypassed' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'unavailable' };

/** An online PIN, encrypted by the PIN pad for the host; opaque to the kernel. */
export interface OnlinePinBlock {
  /** PIN block format (ISO 9564: 0, 4). */
  readonly format: number;
  /** The encrypted block, hex, for the host link only. */
  readonly block: string;
  /** DUKPT key serial number, hex, when the PIN pad uses DUKPT. */
  readonly ksn?: string;
}

/**
 * The cardholder's PIN entry device. Offline PINs are verified by the device with the card itself (a secure
 * PIN pad builds the VERIFY command; the PIN never passes through the kernel); online PINs come back encrypted.
 */
export interface PinEntry {
  /** Offline plaintext PIN (VERIFY P2=80), with `triesLeft` from the card when known. */
  verifyOfflinePlaintext(channel: CardChannel, prompt: PinPrompt): Promise<PinOutcome>;
  /** Offline enciphered PIN (GET CHALLENGE, RSA with the ICC key, VERIFY P2=88). */
  verifyOfflineEnciphered(channel: CardChannel, prompt: PinPrompt, key: { modulus: Uint8Array; exponent: Uint8Array }): Promise<PinOutcome>;
  /** Online PIN: an encrypted PIN block for the host, or null when the cardholder cancelled or bypassed. */
  onlinePin(prompt: PinPrompt & { readonly pan: string }): Promise<OnlinePinBlock | null>;
}

/** What the PIN pad shows. */
export interface PinPrompt {
  readonly amount: number;
  readonly currency: string;
  /** Tries left before this entry, when the card told (9F17 or 63Cx). */
  readonly triesLeft?: number;
  /** Aborted when the transaction is cancelled: the PIN pad stops waiting and answers 'cancelled'. */
  readonly signal?: AbortSignal;
  /** The card was swiped, not inserted: nothing in the reader can be pulled during the entry. */
  readonly swiped?: boolean;
}
