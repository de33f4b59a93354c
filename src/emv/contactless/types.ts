// Types of the contactless path (EMV Contactless Book A "Architecture and General Requirements", Book B "Entry
// Point", Book C-2 "Kernel 2", Book C-3 "Kernel 3"): the reader's per-combination configuration, the Outcome Parameter Set and the
// user interface requests as typed values, and the result handed to the payment flow.
import type { CryptogramType } from '../../apdu/command-apdu.js';
import type { ApduLogEntry } from '../card-io.js';
import type { AuthorizeContext } from '../kernel.js';
import type { OnlinePinBlock, OnlineResponse, PinPrompt, TerminalConfig, TransactionType } from '../types.js';

/** Kernel identifiers this reader implements: 2 (Mastercard M/Chip, Book C-2), 3 (Visa qVSDC, Book C-3) and 7 (UnionPay qUICS, run by Kernel 3's code). */
export type SupportedKernel = 2 | 3 | 7;

/** Kernel 2's own configuration data (Book C-2 Annex A), per combination. */
export interface Kernel2Config {
  /** CVM Capability – CVM Required (DF8118): Terminal Capabilities (9F33) byte 2 above the Reader CVM Required Limit, 1 byte hex. */
  readonly cvmCapabilityCvmRequired: string;
  /** CVM Capability – No CVM Required (DF8119): 9F33 byte 2 at or below the limit, 1 byte hex. */
  readonly cvmCapabilityNoCvmRequired: string;
  /** Kernel Configuration (DF811B) "on device cardholder verification supported": a phone's own CVM counts. */
  readonly onDeviceCvm: boolean;
}

/**
 * One combination of AID and kernel with its Entry Point configuration data (Book B §5.2.3 / §3.1.1): amounts in
 * minor units; null means the limit is absent (the check is skipped).
 */
export interface CombinationConfig {
  /** AID, hex; the card's ADF name matches it exactly or, with `partialSelection`, by prefix. */
  readonly aid: string;
  readonly partialSelection: boolean;
  readonly kernelId: SupportedKernel;
  /** Reader Contactless Transaction Limit: at or above it, contactless is not allowed for this combination. */
  readonly transactionLimit: number | null;
  /** Reader Contactless Floor Limit: above it, an online cryptogram is required. */
  readonly floorLimit: number | null;
  /** Reader CVM Required Limit: at or above it, a CVM is required. */
  readonly cvmRequiredLimit: number | null;
  /** Status Check Support flag: an amount of one currency unit asks for an online cryptogram. */
  readonly statusCheck: boolean;
  /** Zero Amount Allowed flag: false makes a zero amount "contactless not allowed"; true sends it online. */
  readonly zeroAmountAllowed: boolean;
  /** Terminal Transaction Qualifiers (9F66) as configured, 4 bytes hex; byte 2 b8/b7 are set per transaction (Kernel 3/7 only). */
  readonly ttq: string;
  /** Kernel 2's configuration; absent: the defaults of kernel2/config.ts. */
  readonly kernel2?: Kernel2Config;
}

/** The reader's contactless configuration besides the terminal's (TerminalConfig: country, CA keys, type…). */
export interface ContactlessConfig {
  readonly combinations: readonly CombinationConfig[];
  /** The terminal also has a contact interface (Try Another Interface makes sense). */
  readonly contactInterface: boolean;
}

/** What the cashier asked for. */
export interface ContactlessRequest {
  /** Amount in minor units. */
  readonly amount: number;
  readonly amountOther?: number;
  /** ISO 4217 numeric currency, 4 digits. */
  readonly currency: string;
  readonly type: TransactionType;
  readonly sequenceCounter: number;
}

/** Outcomes of Book A §6.2 (Outcome Parameter Set, "Outcome"). */
export type OutcomeKind = 'approved' | 'declined' | 'online-request' | 'try-another-interface' | 'end-application' | 'select-next' | 'try-again';

/** Messages of Book A §7.2 (Message Identifiers) this reader shows. */
export type UiMessage =
  | 'present-card'
  | 'present-card-again'
  | 'processing'
  | 'card-read-remove-card'
  | 'insert-card'
  | 'insert-swipe-or-try-another-card'
  | 'see-phone'
  | 'present-one-card-only'
  | 'approved'
  | 'declined'
  | 'authorising'
  | 'enter-pin'
  | 'sign-receipt';

/** Status of the contactless indicator (Book A §7.3: Idle, Ready to Read, Processing, Card Read Successfully, Processing Error). */
export type UiStatus = 'idle' | 'ready-to-read' | 'processing' | 'card-read-successfully' | 'processing-error';

/** A User Interface Request (Book A §7.1). */
export interface UiRequest {
  readonly message: UiMessage;
  readonly status: UiStatus;
  /** How long the message stays before the next, ms (Hold Time). */
  readonly holdMs: number;
}

/** Book A §6.2 "Start": where Entry Point restarts (B: protocol activation, C: kernel activation), or not at all. */
export type StartPoint = 'B' | 'C' | 'none';

/** The Outcome Parameter Set of Book A §6.2, with the fields this reader uses. */
export interface OutcomeParameters {
  readonly outcome: OutcomeKind;
  readonly start: StartPoint;
  /** The CVM to finish with (online PIN goes to the host with the request; signature on the receipt). */
  readonly cvm: ContactlessCvm;
  readonly uiOnOutcome: UiRequest | null;
  readonly uiOnRestart: UiRequest | null;
  /** The interface to use instead (Try Another Interface). */
  readonly alternateInterface: 'contact' | null;
  /** A receipt is needed (signature, or the scheme requires one). */
  readonly receipt: boolean;
}

/** Cardholder verification for a contactless transaction (Book C-3 §5.7 with the CTQ; Book C-2 CVM selection: 'cdcvm' is its "confirmation code verified"). */
export type ContactlessCvm = 'online-pin' | 'signature' | 'cdcvm' | 'no-cvm';

/** Offline data authentication of a tap: fDDA (Book C-3 §5.8), CDA (Book C-2, Book 2 §6.6) or none. */
export interface ContactlessOda {
  readonly method: 'fDDA' | 'CDA' | 'none';
  /** 'ok', 'not performed' or 'failed: <reason>'. */
  readonly result: string;
}

/** Progress, for the cashier's screen and the customer display. */
export type ContactlessEvent =
  | { readonly type: 'ui'; readonly ui: UiRequest }
  | { readonly type: 'selected'; readonly aid: string; readonly kernelId: SupportedKernel; readonly label: string | null }
  | { readonly type: 'authorizing' };

/** Everything runContactless needs besides the card. */
export interface ContactlessOptions {
  readonly terminal: TerminalConfig;
  readonly contactless: ContactlessConfig;
  /** The host link; absent means the reader cannot go online now (an ARQC then ends declined). */
  readonly authorize?: (iccData: Uint8Array, context: AuthorizeContext) => Promise<OnlineResponse>;
  /** Online PIN entry (the PIN pad encrypts it for the host); absent: the reader cannot do online PIN. */
  readonly onlinePin?: (prompt: PinPrompt & { readonly pan: string }) => Promise<OnlinePinBlock | null>;
  readonly now: () => Date;
  readonly randomBytes: (n: number) => Uint8Array;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: ContactlessEvent) => void;
}

/** How a tap ended. */
export interface ContactlessOutcome {
  /** The kernel that ran, or null when Entry Point ended before activating one. */
  readonly kernel: SupportedKernel | null;
  /** The final outcome: online requests end approved/declined once the host answered. */
  readonly outcome: OutcomeKind;
  /** The kernel's own outcome (e.g. 'online-request' before the host answered). */
  readonly kernelOutcome: OutcomeKind;
  readonly parameters: OutcomeParameters;
  /** What to show now. */
  readonly uiRequest: UiRequest;
  readonly oda: ContactlessOda;
  /** The card's cryptogram type (CID 9F27), when it gave one. */
  readonly cryptogram: CryptogramType | null;
  readonly cvm: ContactlessCvm;
  readonly aid: string | null;
  readonly label: string | null;
  readonly maskedPan: string | null;
  /** The card data for the host link (PAN in memory only: never log or persist this field). */
  readonly card: AuthorizeContext | null;
  /** Field 55, hex (with 9F66, 9F6C, 9F6E when present: Kernel 3/7). */
  readonly iccData: string | null;
  readonly responseCode: string | null;
  readonly authCode: string | null;
  /** The TTQ sent to the card, hex (Kernel 3/7; null for Kernel 2, which has none). */
  readonly ttq: string | null;
  /** Why the tap ended without a card decision (card removed, data invalid…), for logs. */
  readonly reason: string | null;
  readonly apduLog: readonly ApduLogEntry[];
}
