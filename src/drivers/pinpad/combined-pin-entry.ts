import type { CardChannel } from '../../apdu/card-channel.js';
import type { OnlinePinResult, PinEntry, PinOutcome, PinPrompt } from './pin-port.js';

/**
 * Two PIN entry devices as one: offline PINs (plaintext and enciphered) on `offline` — e.g. the reader's keypad,
 * which answers enciphered with 'unavailable' — and online PIN blocks from `online` — e.g. a serial PIN pad with DUKPT.
 */
export class CombinedPinEntry implements PinEntry {
  /** Routes offline PIN to `offline` and online PIN to `online`. */
  constructor(
    private readonly offline: PinEntry,
    private readonly online: PinEntry,
  ) {}

  /** Offline plaintext PIN on the offline device. */
  verifyOfflinePlaintext(channel: CardChannel, prompt: PinPrompt): Promise<PinOutcome> {
    return this.offline.verifyOfflinePlaintext(channel, prompt);
  }

  /** Offline enciphered PIN on the offline device. */
  verifyOfflineEnciphered(channel: CardChannel, prompt: PinPrompt, key: { modulus: Uint8Array; exponent: Uint8Array }): Promise<PinOutcome> {
    return this.offline.verifyOfflineEnciphered(channel, prompt, key);
  }

  /** Online PIN block from the online device. */
  onlinePin(prompt: PinPrompt & { readonly pan: string }): Promise<OnlinePinResult> {
    return this.online.onlinePin(prompt);
  }
}
