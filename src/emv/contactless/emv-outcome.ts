// A final contactless outcome in the contact kernel's EmvOutcome shape, so the payment flow's existing end of a
// chip payment (journal details, Authorization.end: complete, reverse or advise an offline approval) takes a tap
// unchanged. Lossy on purpose: fDDA reports as DDA, there is no TSI and no second cryptogram (neither
// kernel asks the card again after the host's answer).
import { decodeTlv } from '../../apdu/tlv.js';
import { toHex, fromHex } from '../../apdu/hex.js';
import type { EmvOutcome } from '../kernel.js';
import type { ContactlessOutcome } from './types.js';

/** The value of `tag` in field 55 (hex), or null. */
function tag(iccData: string | null, t: number): string | null {
  if (!iccData) return null;
  const n = decodeTlv(fromHex(iccData)).find((x) => x.tag === t);
  return n ? toHex(n.value) : null;
}

/** EmvOutcome of an approved or declined tap (who decided from 8A: Y1/Z1 the card offline, Z3 no host); null otherwise. */
export function asEmvOutcome(o: ContactlessOutcome): EmvOutcome | null {
  if ((o.outcome !== 'approved' && o.outcome !== 'declined') || !o.card || !o.aid || !o.maskedPan) return null;
  const responseCode = o.responseCode ?? (o.outcome === 'approved' ? 'Y1' : 'Z1');
  const decidedBy = responseCode === 'Y1' || responseCode === 'Z1' ? 'card-offline' : responseCode === 'Z3' && o.kernelOutcome === 'online-request' ? 'unable-to-go-online' : 'host';
  const cryptogram = o.cryptogram ?? 'AAC';
  const expiry = o.card.expiry.length === 4 ? `20${o.card.expiry.slice(0, 2)}-${o.card.expiry.slice(2, 4)}` : null;
  return {
    result: o.outcome,
    decidedBy,
    cryptogram,
    firstCryptogram: cryptogram,
    responseCode,
    authCode: o.authCode,
    // qVSDC and Kernel 2 have no card verdict after the host's: nothing to reverse on the card's account.
    reversalRequired: false,
    tvr: tag(o.iccData, 0x95) ?? '0000000000',
    tsi: '0000',
    cvm: o.cvm,
    cvmResults: tag(o.iccData, 0x9f34) ?? '000000',
    oda: o.oda.method === 'fDDA' ? 'DDA' : o.oda.method,
    odaResult: o.oda.result,
    aid: o.aid,
    label: o.label,
    maskedPan: o.maskedPan,
    expiry,
    panSequenceNumber: o.card.panSequenceNumber,
    iccData: o.iccData ?? '',
    issuerScriptResults: null,
    steps: [],
    apduLog: [...o.apduLog],
  };
}
