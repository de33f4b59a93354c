import type { CardChannel, CardProtocol } from '../../apdu/card-channel.js';

/** A reader as the PC/SC service lists it. */
export interface ReaderInfo {
  readonly name: string;
  readonly cardPresent: boolean;
  /** The ATR of the card in the reader, when one is present and powered. */
  readonly atr: Uint8Array | null;
}

/** Something that happened to the readers or the PC/SC service. */
export type ReaderEvent =
  | { readonly type: 'reader-attached' | 'reader-detached'; readonly reader: string; readonly at: Date }
  | { readonly type: 'card-inserted'; readonly reader: string; readonly atr: Uint8Array; readonly at: Date }
  | { readonly type: 'card-removed'; readonly reader: string; readonly at: Date }
  | { readonly type: 'service-lost' | 'service-back'; readonly at: Date; readonly reason?: string };

/** PC/SC share modes: `direct` talks to the reader with no card (control only). */
export type ShareMode = 'shared' | 'exclusive' | 'direct';

/** How to connect to a card. */
export interface ConnectOptions {
  /** Default 'shared'; 'exclusive' keeps other processes off the card for the connection's life. */
  readonly share?: ShareMode;
  /** Protocols acceptable to the caller; default both T=0 and T=1. */
  readonly protocols?: readonly ('T=0' | 'T=1')[];
  /** Default timeout of each transmit, ms (default 10 000; EMV GENERATE AC on slow cards takes seconds). */
  readonly transmitTimeoutMs?: number;
}

/** What to do with the card when disconnecting (PC/SC dwDisposition). */
export type Disposition = 'leave' | 'reset' | 'unpower' | 'eject';

/** Reader features announced through CM_IOCTL_GET_FEATURE_REQUEST (PC/SC part 10 §2.2), tag name → control code. */
export type ReaderFeatures = ReadonlyMap<string, number>;

/**
 * A connection to the card in one reader. Rules: a removed card makes every pending and later call reject with
 * CARD_REMOVED; an unplugged reader with READER_UNAVAILABLE; every transmit rejects with TRANSMIT_TIMEOUT rather
 * than hang; after `disconnect` every call rejects with NOT_CONNECTED.
 */
export interface CardConnection extends CardChannel {
  readonly reader: string;
  /** The protocol the reader negotiated. */
  readonly protocol: CardProtocol;
  /** Sends a reader control command (SCardControl) and resolves with the reader's answer. */
  control(code: number, data?: Uint8Array): Promise<Uint8Array>;
  /** Part 10 features of the reader (empty map when the reader answers none). */
  features(): Promise<ReaderFeatures>;
  /**
   * Runs `fn` while holding this reader's lock, so one operation's APDU sequence never interleaves with another's
   * on the same reader (within this process; use share 'exclusive' to keep other processes out).
   */
  transaction<T>(fn: (channel: CardChannel) => Promise<T>): Promise<T>;
  /** Releases the card; idempotent. */
  disconnect(disposition?: Disposition): Promise<void>;
}

/**
 * The chip-card reader family. Implementations: PcscReaderDriver (real PC/SC service through the `smartcard`
 * binding) and InProcessReaderDriver (virtual cards in this process). Rules: `subscribe` delivers events in order
 * and survives a PC/SC service restart (service-lost, then service-back and the readers found again); `close`
 * cancels every pending wait and lets the process exit.
 */
export interface ReaderDriver {
  /** Readers present now, with card state; rejects PCSC_NO_SERVICE when the service is not running. */
  listReaders(): Promise<ReaderInfo[]>;
  /** Calls `listener` for each event until the returned function is called. */
  subscribe(listener: (event: ReaderEvent) => void): () => void;
  /** Connects to the card in `reader`. */
  connect(reader: string, options?: ConnectOptions): Promise<CardConnection>;
  /** Stops monitoring, disconnects every open connection and releases the service context. */
  close(): Promise<void>;
}
