// Outcome processing (EMV Contactless Book B §3.5): the kernel's outcome into the ContactlessOutcome handed to the
// payment flow — field 55, the card data for the host link, the UI request — and the online step of an online
// request (online PIN, the host's answer; neither qVSDC nor Kernel 2 asks the card for a second cryptogram: the
// host's word is final).
import type { CryptogramType } from '../../apdu/command-apdu.js';
import { toHex } from '../../apdu/hex.js';
import { maskPan } from '../../log/redact.js';
import type { CardIo } from '../card-io.js';
import type { EmvDataStore } from '../data-store.js';
import { buildIccData, FIELD55_TAGS } from '../icc-data.js';
import { authorizeContext } from '../kernel.js';
import type { OnlinePinBlock, OnlineResponse } from '../types.js';
import type { ContactlessCandidate } from './candidates.js';
import { outcomeParameters, uiFor } from './outcome.js';
import type { ContactlessCvm, ContactlessOda, ContactlessOptions, ContactlessOutcome, ContactlessRequest, OutcomeKind, SupportedKernel } from './types.js';

/** Field 55 of a tap: the contact list plus TTQ (9F66), CTQ (9F6C) and form factor (9F6E) when present. */
export const CONTACTLESS_FIELD55_TAGS: readonly number[] = [...FIELD55_TAGS, 0x9f66, 0x9f6c, 0x9f6e];

/** The transaction as Entry Point knows it when it processes the outcome. */
export interface Base {
  readonly io: CardIo;
  readonly options: ContactlessOptions;
  readonly request: ContactlessRequest;
}

/** How Entry Point or the kernel ended. */
export interface Ended {
  readonly outcome: OutcomeKind;
  readonly kernel: SupportedKernel | null;
  readonly reason: string | null;
  readonly seePhone?: boolean;
  readonly cryptogram?: CryptogramType | null;
  readonly cvm?: ContactlessCvm;
  readonly oda?: ContactlessOda;
  readonly store?: EmvDataStore;
  readonly candidate?: ContactlessCandidate;
  readonly ttq?: Uint8Array;
}

/** What the host said (online requests only). */
interface HostAnswer {
  readonly outcome: OutcomeKind;
  readonly responseCode: string | null;
  readonly authCode: string | null;
  readonly onlinePin: OnlinePinBlock | null;
}

/** The ContactlessOutcome of `e` (and of the host's answer, for an online request). */
export function finish(b: Base, e: Ended, host?: HostAnswer): ContactlessOutcome {
  const outcome = host?.outcome ?? e.outcome;
  const cvm = e.cvm ?? 'no-cvm';
  const parameters = outcomeParameters(outcome, cvm, { seePhone: e.seePhone === true, contact: b.options.contactless.contactInterface });
  const store = e.store;
  // The card data once the card gave a cryptogram: 9F26, or (Kernel 2, CDA failed) only the CID, the AC being inside
  // the signature that did not verify.
  const card = store && (store.hasCard(0x9f26) || store.hasCard(0x9f27)) ? authorizeContext(store, host?.onlinePin ?? null) : null;
  const uiRequest = uiFor(parameters);
  b.options.onEvent?.({ type: 'ui', ui: uiRequest });
  return {
    kernel: e.kernel,
    outcome,
    kernelOutcome: e.outcome,
    parameters,
    uiRequest,
    oda: e.oda ?? { method: 'none', result: 'not performed' },
    cryptogram: e.cryptogram ?? null,
    cvm,
    aid: e.candidate?.aid ?? null,
    label: e.candidate?.label ?? null,
    maskedPan: card ? maskPan(card.pan) : null,
    card,
    iccData: store && card ? toHex(buildIccData(store, CONTACTLESS_FIELD55_TAGS)) : null,
    // 8A as the contact kernel reports it: the host's code, or Y1/Z1 when the card and reader decided offline.
    responseCode: host?.responseCode ?? (outcome === 'approved' ? 'Y1' : outcome === 'declined' ? 'Z1' : null),
    authCode: host?.authCode ?? null,
    ttq: e.ttq ? toHex(e.ttq) : null,
    reason: e.reason,
    apduLog: b.io.log,
  };
}

/**
 * The online step (Book C-3 §5.9 "Online Processing"): online PIN when the CVM asks for it, then `authorize` with
 * field 55. No host link ends declined ('unable', Z3): a qVSDC or Kernel 2 ARQC is not approved offline.
 */
export async function onlineStep(b: Base, e: Ended): Promise<ContactlessOutcome> {
  const { options, request } = b;
  const store = e.store;
  if (!store) return finish(b, { ...e, outcome: 'end-application', reason: 'no card data' });
  let onlinePin: OnlinePinBlock | null = null;
  if (e.cvm === 'online-pin') {
    const pan = authorizeContext(store, null).pan;
    options.onEvent?.({ type: 'ui', ui: { message: 'enter-pin', status: 'card-read-successfully', holdMs: 0 } });
    // `swiped`: as for a swipe, nothing in the reader can be pulled during the entry (the tapped card is gone).
    onlinePin = options.onlinePin ? await options.onlinePin({ amount: request.amount, currency: request.currency, pan, swiped: true, ...(options.signal ? { signal: options.signal } : {}) }) : null;
    if (!onlinePin) return finish(b, { ...e, reason: 'online PIN not entered' }, { outcome: 'end-application', responseCode: null, authCode: null, onlinePin: null });
  }
  if (!options.authorize) return finish(b, e, { outcome: 'declined', responseCode: 'Z3', authCode: null, onlinePin });
  options.onEvent?.({ type: 'authorizing' });
  const r: OnlineResponse = await options.authorize(buildIccData(store, CONTACTLESS_FIELD55_TAGS), authorizeContext(store, onlinePin));
  const approved = r.outcome === 'approved';
  const responseCode = r.responseCode ?? (approved ? '00' : r.outcome === 'unable' ? 'Z3' : '05');
  return finish(b, e, { outcome: approved ? 'approved' : 'declined', responseCode, authCode: r.authCode ?? null, onlinePin });
}
