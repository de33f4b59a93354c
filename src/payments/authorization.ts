// The one place a payment meets the acquirer: the authorisation request of every entry path (chip, contactless,
// swipe), the host's answer as the card's kernel takes it, and the end of an armed request — complete it, reverse it,
// or advise the host of an approval it never saw. The daemon's lanes, the CLI test stand and the tests all go
// through here, so a new card field in the request touches this file and the message encoder (host/messages.ts).
import type { AuthorizeContext, EmvOutcome } from '../emv/kernel.js';
import type { OnlinePinBlock, OnlineResponse } from '../emv/types.js';
import type { AuthResult, HostLink } from '../host/link.js';
import type { AuthKind, AuthRequest } from '../host/messages.js';
import { PaymentError } from './errors.js';
import type { MagstripeAuthFields } from './stripe-rules.js';

/** The host link calls an authorisation uses (a wrapper of them in tests). */
export type AuthorizationLink = Pick<HostLink, 'authorize' | 'complete' | 'reverse' | 'adviseOfflineApproval'>;

/** What is being paid, as the host sees it. */
export interface PaymentSubject {
  /** The payment's kind: a sale, a refund or a pre-authorisation. */
  readonly type: 'sale' | 'refund' | 'preauth';
  /** The caller's reference (the payment id): ties the journal's queue items to the payment. */
  readonly ref: string;
  /** Minor units. */
  readonly amount: number;
  /** ISO 4217 numeric, 3 digits. */
  readonly currency: string;
}

/** The card data a chip or contactless kernel read, for the request. */
export type ChipCard = Pick<AuthorizeContext, 'pan' | 'expiry' | 'panSequenceNumber' | 'onlinePin'>;

/** How the card was read, with what the host needs of it. */
export type CardEntry =
  | { readonly entry: 'chip' | 'contactless'; readonly card: ChipCard; readonly iccData: Uint8Array }
  | { readonly entry: 'swiped' | 'fallback'; readonly fields: MagstripeAuthFields; readonly pin: OnlinePinBlock | null };

/** Field 22 of a kernel-read card: chip (05) or contactless chip (07), PIN capable (1). */
const KERNEL_ENTRY_MODE: Readonly<Record<'chip' | 'contactless', string>> = { chip: '051', contactless: '071' };

/** The host message kind of a payment type. */
export function authKind(type: PaymentSubject['type']): AuthKind {
  return type;
}

/** The authorisation request of a payment and the card that pays it. */
export function authorizationRequest(subject: PaymentSubject, entry: CardEntry): AuthRequest {
  const base = { kind: authKind(subject.type), ref: subject.ref, amount: subject.amount, currency: subject.currency };
  if ('fields' in entry) return { ...base, ...entry.fields, ...pinFields(entry.pin) };
  const { card } = entry;
  return {
    ...base,
    pan: card.pan,
    expiry: card.expiry,
    ...(card.panSequenceNumber ? { panSequenceNumber: card.panSequenceNumber } : {}),
    posEntryMode: KERNEL_ENTRY_MODE[entry.entry],
    iccData: entry.iccData,
    ...pinFields(card.onlinePin),
  };
}

/** The advice (0220) of an approval the card gave offline: the card data and the final field 55 (TC). */
export function adviceRequest(subject: PaymentSubject, card: ChipCard, outcome: Pick<EmvOutcome, 'iccData'>, entry: 'chip' | 'contactless' = 'chip'): AuthRequest {
  const { onlinePin: _pin, ...withoutPin } = card;
  return authorizationRequest({ ...subject, type: subject.type === 'refund' ? 'refund' : 'sale' }, { entry, card: { ...withoutPin, onlinePin: null }, iccData: Uint8Array.from(Buffer.from(outcome.iccData, 'hex')) });
}

/** The host's answer as the kernel takes it (second GENERATE AC, issuer authentication, scripts). */
export function kernelAnswer(auth: Pick<AuthResult, 'outcome' | 'responseCode' | 'authCode' | 'issuerAuthenticationData' | 'scripts'>): OnlineResponse {
  return {
    outcome: auth.outcome,
    ...(auth.responseCode ? { responseCode: auth.responseCode } : {}),
    ...(auth.authCode ? { authCode: auth.authCode } : {}),
    ...(auth.issuerAuthenticationData ? { issuerAuthenticationData: auth.issuerAuthenticationData } : {}),
    ...(auth.scripts ? { scripts: auth.scripts } : {}),
  };
}

/** True when the card approved offline (Y1) or after the host could not be reached (Y3): the host must be advised. */
export function isOfflineApproval(outcome: Pick<EmvOutcome, 'result' | 'responseCode'>): outcome is Pick<EmvOutcome, 'result' | 'responseCode'> & { responseCode: 'Y1' | 'Y3' } {
  return outcome.result === 'approved' && (outcome.responseCode === 'Y1' || outcome.responseCode === 'Y3');
}

/** Why an armed request is reversed, from how the card's side ended (null: it completes). */
export function reversalReason(outcome: Pick<EmvOutcome, 'result'> | null, error: { readonly code: string } | null, cancelled = false): string | null {
  if (cancelled || error?.code === 'EMV_CANCELLED') return 'cancelled after the request left';
  if (error?.code === 'EMV_CARD_REMOVED' || error?.code === 'CARD_REMOVED') return 'card removed after approval';
  if (error) return `payment failed after the request left: ${error.code}`;
  if (outcome?.result !== 'approved') return 'card declined after host approval';
  return null;
}

/** What ending an authorisation did. */
export type AuthorizationEnd = 'completed' | 'reversed' | 'advised' | 'nothing';

/**
 * One payment's online authorisation: the request sent once through the link (which arms its reversal in the journal
 * before it leaves), then ended exactly once as the card decided.
 */
export class Authorization {
  private auth: AuthResult | null = null;
  private ended = false;

  /** Binds the authorisation to its link and payment. */
  constructor(
    private readonly link: AuthorizationLink,
    readonly subject: PaymentSubject,
  ) {}

  /** The host's answer, once sent. */
  get result(): AuthResult | null {
    return this.auth;
  }

  /** The armed reversal while the request is open (approved and not yet ended). */
  get reversalId(): number | null {
    return this.ended ? null : (this.auth?.reversalId ?? null);
  }

  /** Sends the request for `entry` and returns the host's answer (the link queues a reversal when the fate is unknown). */
  async send(entry: CardEntry): Promise<AuthResult> {
    if (this.auth) throw new PaymentError('PAYMENT_STATE_CONFLICT', `payment ${this.subject.ref} was already sent for authorisation`, { paymentId: this.subject.ref });
    this.auth = await this.link.authorize(authorizationRequest(this.subject, entry));
    return this.auth;
  }

  /** Completes the approved request (its reversal disarmed); false when nothing was armed. */
  complete(): boolean {
    const id = this.reversalId;
    if (id === null) return false;
    this.ended = true;
    this.link.complete(id);
    return true;
  }

  /** Reverses the approved request for `reason`; false when nothing was armed. */
  reverse(reason: string): boolean {
    const id = this.reversalId;
    if (id === null) return false;
    this.ended = true;
    this.link.reverse(id, reason);
    return true;
  }

  /**
   * Ends the payment's host side as the card decided: an armed request is completed on approval, reversed otherwise;
   * an approval the host never saw is advised (`card` from the records). Call once the card's verdict is known.
   */
  end(outcome: EmvOutcome | null, error: { readonly code: string } | null, card: ChipCard | null, cancelled = false, entry: 'chip' | 'contactless' = 'chip'): AuthorizationEnd {
    const reason = reversalReason(outcome, error, cancelled);
    if (this.reversalId !== null) {
      if (reason === null) return this.complete() ? 'completed' : 'nothing';
      return this.reverse(reason) ? 'reversed' : 'nothing';
    }
    if (!error && !cancelled && outcome && card && isOfflineApproval(outcome) && !this.ended) {
      this.ended = true;
      this.link.adviseOfflineApproval(adviceRequest(this.subject, card, outcome, entry), outcome.responseCode);
      return 'advised';
    }
    return 'nothing';
  }
}

function pinFields(pin: OnlinePinBlock | null): { pinBlock?: string; ksn?: string } {
  if (!pin) return {};
  return { pinBlock: pin.block, ...(pin.ksn ? { ksn: pin.ksn } : {}) };
}
