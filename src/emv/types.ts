/** A certification authority public key (EMV Book 2 §5.1), from the terminal's configuration. */
export interface CaPublicKeyConfig {
  /** Registered application provider identifier, 5 bytes hex (e.g. A000000003). */
  readonly rid: string;
  /** CA public key index (tag 8F), one byte hex. */
  readonly index: string;
  readonly modulus: string;
  readonly exponent: string;
  /** Expiry as YYYY-MM; absent means no expiry check. */
  readonly expiry?: string;
}

/** Per-application terminal parameters (EMV Book 4 §A; action codes Book 3 §10.7). */
export interface AidConfig {
  /** Application identifier, hex. */
  readonly aid: string;
  /** Allow partial selection: the card's AID may be longer than this one (Book 1 §12.3.3). */
  readonly partialSelection: boolean;
  /** Terminal application version number (9F09), 2 bytes hex. */
  readonly applicationVersion: string;
  /** Terminal action codes, 5 bytes hex each. */
  readonly tacDenial: string;
  readonly tacOnline: string;
  readonly tacDefault: string;
  /** Floor limit in minor units of the transaction currency. */
  readonly floorLimit: number;
  /** Random selection (Book 3 §10.6.2): target %, max target %, threshold (minor units). */
  readonly targetPercent: number;
  readonly maxTargetPercent: number;
  readonly thresholdValue: number;
  /** Default DDOL (when the card has no 9F49) and TDOL, hex. */
  readonly defaultDdol: string;
  readonly defaultTdol?: string;
}

/** The terminal's configuration: who it is, what it can do, which applications and keys it knows. */
export interface TerminalConfig {
  /** Terminal type (9F35), e.g. 0x22 attended, online with offline capability, merchant-operated. */
  readonly terminalType: number;
  /** Terminal capabilities (9F33), 3 bytes hex. */
  readonly capabilities: string;
  /** Additional terminal capabilities (9F40), 5 bytes hex. */
  readonly additionalCapabilities: string;
  /** Terminal country code (9F1A), ISO 3166 numeric, e.g. '0250'. */
  readonly countryCode: string;
  /** Terminal identification (9F1C), 8 characters. */
  readonly terminalId: string;
  /** IFD serial number (9F1E), 8 characters. */
  readonly ifdSerial: string;
  /** Merchant category code (9F15), 4 digits. */
  readonly merchantCategoryCode: string;
  /** Use the PSE (1PAY.SYS.DDF01) before the list of AIDs. */
  readonly usePse: boolean;
  /** Whether the terminal can go online (drives terminal action analysis). */
  readonly onlineCapable: boolean;
  /** Terminal transaction qualifiers for contactless (9F66), 4 bytes hex. */
  readonly ttq: string;
  readonly applications: readonly AidConfig[];
  readonly caKeys: readonly CaPublicKeyConfig[];
}

/** Transaction types (9C) the kernel runs. */
export type TransactionType = 'purchase' | 'cash' | 'cashback' | 'refund';

/** What the cashier asked for. */
export interface TransactionRequest {
  /** Amount in minor units. */
  readonly amount: number;
  /** Other amount (cashback), minor units. */
  readonly amountOther?: number;
  /** ISO 4217 numeric currency, e.g. '0978' for EUR. */
  readonly currency: string;
  readonly type: TransactionType;
  /** Transaction sequence counter (9F41). */
  readonly sequenceCounter: number;
  /** Force online (TVR merchant forced online). */
  readonly forceOnline?: boolean;
}

// The PIN port is the PIN devices' contract (drivers/pinpad/pin-port.ts); the kernel consumes it as it is.
export type { OnlinePinBlock, OnlinePinResult, PinEntry, PinEntryEnded, PinOutcome, PinPrompt } from '../drivers/pinpad/pin-port.js';

/** What the acquirer host said about an ARQC (the host link implements `authorize`). */
export interface OnlineResponse {
  /** 'approved'/'declined' from the host, or 'unable' when it could not be reached. */
  readonly outcome: 'approved' | 'declined' | 'unable';
  /** Authorisation response code (8A), 2 characters, e.g. '00'. */
  readonly responseCode?: string;
  /** Issuer authentication data (91), hex. */
  readonly issuerAuthenticationData?: string;
  /** Issuer script templates 71 and 72, each the whole TLV in hex. */
  readonly scripts?: readonly string[];
  /** Authorisation code (field 38), for receipts. */
  readonly authCode?: string;
}
