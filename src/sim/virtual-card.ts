/**
 * A card simulated in software: it answers command APDUs with response APDUs (data + SW1 SW2).
 * Transports (vpcd over TCP, the in-process reader) power it, reset it and carry its APDUs.
 */
export interface VirtualCard {
  /** The ATR sent at power-on and reset. */
  readonly atr: Uint8Array;
  /** Called at power-on and warm reset: forgets transient state (selected file, pending response data). */
  reset(): void;
  /** Answers one command APDU. */
  process(command: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
