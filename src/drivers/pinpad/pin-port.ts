// The PIN port: what every PIN entry device (serial pad, reader keypad, the simulated pad, a lane's combination)
// offers the EMV kernel and the swipe path, and how an entry ends. Results, not errors, say how the cardholder ended
// it (cancel key, nobody at the pad, bypass, the card pulled); the kernel turns them into its outcome or its errors
// (src/emv/cvm.ts). Device failures (port gone, pad refusing) stay the device's typed errors. No EMV import here.
import type { CardChannel } from '../../apdu/card-channel.js';

/** How an entry that did not give a PIN ended, for offline and online PIN alike. */
export type PinEntryEnded =
  /** The cardholder chose to go on without a PIN (the kernel moves to the card's next CVM). */
  | { readonly kind: 'bypassed' }
  /** The cancel key, or our own cancel through the prompt's signal. */
  | { readonly kind: 'cancelled' }
  /** Nobody entered a PIN in time. */
  | { readonly kind: 'timeout' }
  /** The card left the reader during the entry. */
  | { readonly kind: 'card-removed' }
  /** This device cannot do this kind of PIN entry (or the card refused the method). */
  | { readonly kind: 'unavailable' };

/** How an offline PIN entry (verified by the card) ended. */
export type PinOutcome =
  | { readonly kind: 'verified' }
  | { readonly kind: 'wrong'; readonly triesLeft: number }
  | { readonly kind: 'blocked' }
  | PinEntryEnded;

/** An online PIN, encrypted by the PIN pad for the host; opaque to the kernel. */
export interface OnlinePinBlock {
  /** PIN block format (ISO 9564: 0, 4). */
  readonly format: number;
  /** The encrypted block, hex, for the host link only. */
  readonly block: string;
  /** DUKPT key serial number, hex, when the PIN pad uses DUKPT. */
  readonly ksn?: string;
}

/** How an online PIN entry ended: the encrypted block, or why there is none. */
export type OnlinePinResult = { readonly kind: 'pin'; readonly pin: OnlinePinBlock } | PinEntryEnded;

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

/**
 * The cardholder's PIN entry device. Offline PINs are verified by the device with the card itself (a secure
 * PIN pad builds the VERIFY command; the PIN never passes through the kernel); online PINs come back encrypted.
 */
export interface PinEntry {
  /** Offline plaintext PIN (VERIFY P2=80), with `triesLeft` from the card when known. */
  verifyOfflinePlaintext(channel: CardChannel, prompt: PinPrompt): Promise<PinOutcome>;
  /** Offline enciphered PIN (GET CHALLENGE, RSA with the ICC key, VERIFY P2=88). */
  verifyOfflineEnciphered(channel: CardChannel, prompt: PinPrompt, key: { modulus: Uint8Array; exponent: Uint8Array }): Promise<PinOutcome>;
  /** Online PIN: an encrypted PIN block for the host, or how the entry ended without one. */
  onlinePin(prompt: PinPrompt & { readonly pan: string }): Promise<OnlinePinResult>;
}
