// Cardholder verification of Kernel 3 (EMV Contactless Book C-3 §5.7, "Cardholder Verification"): the card's CTQ
// (9F6C) says which CVM it wants or that a consumer device already did one; the reader's TTQ (9F66) what it can do.
import type { CryptogramType } from '../../../apdu/command-apdu.js';
import type { ContactlessCvm } from '../types.js';
import type { Ctq, Ttq } from './qualifiers.js';

/** The CVM to apply, or why none fits (the transaction is then declined). */
export type CvmChoice = { readonly ok: true; readonly cvm: ContactlessCvm } | { readonly ok: false; readonly reason: string };

/** CVM Results (9F34) per method: method code, condition, result (Book 3 Annex C4; CDCVM as 3F: no CVM by the reader). */
export const CVM_RESULTS: Readonly<Record<ContactlessCvm, string>> = {
  'online-pin': '020000',
  signature: '1E0000',
  cdcvm: '3F0000',
  'no-cvm': '1F0002',
};

/** Chooses the CVM (Book C-3 §5.7): online PIN, CDCVM, signature in the card's order of preference, else none. */
export function chooseCvm(ttq: Ttq, ctq: Ctq | null, cryptogram: CryptogramType): CvmChoice {
  if (ctq) {
    // Online PIN goes with an online authorisation only: an offline cryptogram cannot carry it.
    if (ctq.onlinePinRequired && ttq.onlinePin) return cryptogram === 'ARQC' ? { ok: true, cvm: 'online-pin' } : { ok: false, reason: 'ONLINE_PIN_REQUIRED_OFFLINE' };
    if (ctq.consumerDeviceCvmPerformed && ttq.consumerDeviceCvm) return { ok: true, cvm: 'cdcvm' };
    if (ctq.signatureRequired && ttq.signature) return { ok: true, cvm: 'signature' };
    if (ctq.onlinePinRequired || ctq.signatureRequired) return { ok: false, reason: 'CVM_NOT_SUPPORTED' };
  }
  if (!ttq.cvmRequired) return { ok: true, cvm: 'no-cvm' };
  // A CVM is required and the card named none (no CTQ, or no CVM bit in it): the reader's own choice, signature
  // first, else online PIN when going online (our reading of Book C-3 §5.7 for a CTQ without CVM bits).
  if (ttq.signature) return { ok: true, cvm: 'signature' };
  if (ttq.onlinePin && cryptogram === 'ARQC') return { ok: true, cvm: 'online-pin' };
  return { ok: false, reason: 'CVM_REQUIRED_NONE_SUPPORTED' };
}
