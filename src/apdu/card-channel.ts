/** Card protocols a channel can run (ISO 7816-3 T=0/T=1; T=CL for contactless readers' emulated APDUs). */
export type CardProtocol = 'T=0' | 'T=1' | 'RAW' | 'T=CL';

/** Options for one exchange. */
export interface TransmitOptions {
  /** Give up after this many milliseconds (the channel's default when absent). */
  readonly timeoutMs?: number;
  /** Abort the exchange; the channel rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * A byte pipe to one card: command APDU bytes in, response bytes (data + SW1 SW2) out.
 * Implementations: drivers/pcsc (real readers), sim (in-process), the T=0 wrapper.
 * Rules: one exchange at a time per channel; a removed card rejects with CARD_REMOVED; no call hangs past its timeout.
 * Failures of the card reject with a CardChannelError (card-channel-errors.ts).
 */
export interface CardChannel {
  /** The ATR of the card this channel talks to. */
  readonly atr: Uint8Array;
  /** The protocol negotiated for this connection. */
  readonly protocol: CardProtocol;
  /** Sends one command APDU and resolves with the full response including SW1 SW2. */
  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array>;
}
