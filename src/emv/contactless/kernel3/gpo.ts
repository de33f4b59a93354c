// Kernel 3 initiation (EMV Contactless Book C-3 §5.2-5.4): GET PROCESSING OPTIONS with the PDOL data (TTQ, amounts,
// country, TVR, currency, date, type, UN…), the status words that are outcomes, and the format 2 answer. Kernel 2
// sends its GPO through the same function (its PDOL has no TTQ; the status words are taken the same way).
import { CommandApdu } from '../../../apdu/command-apdu.js';
import { findTlv } from '../../../apdu/tlv.js';
import type { CardIo } from '../../card-io.js';
import type { EmvDataStore } from '../../data-store.js';
import { EmvError } from '../../errors.js';
import { parseAfl, pdolDataOf, type AflEntry } from '../../initiate.js';

/** GPO's result: the card's answer stored, or an outcome decided by the status word. */
export type Kernel3Gpo =
  | { readonly ok: true; readonly aip: Uint8Array; readonly afl: AflEntry[]; readonly pdolData: Uint8Array }
  | { readonly ok: false; readonly outcome: 'select-next' | 'try-another-interface' | 'try-again' | 'end-application'; readonly seePhone: boolean; readonly sw: string };

/**
 * Sends GPO (Book C-3 §5.2). Status words: 6985 → Select Next (Book B §3.3.3: the next candidate), 6984 → Try
 * Another Interface, 6986 → Try Again with "See phone" (the phone wants the cardholder's attention first), others →
 * End Application. The 77 template's objects go to the store; a format 1 (80) answer has no cryptogram and is kept
 * as AIP and AFL only.
 */
export async function kernel3Gpo(io: CardIo, store: EmvDataStore): Promise<Kernel3Gpo> {
  const pdolData = pdolDataOf(store);
  const r = await io.send('initiate', CommandApdu.getProcessingOptions(pdolData));
  if (r.sw === 0x6985) return { ok: false, outcome: 'select-next', seePhone: false, sw: r.swHex };
  if (r.sw === 0x6984) return { ok: false, outcome: 'try-another-interface', seePhone: false, sw: r.swHex };
  if (r.sw === 0x6986) return { ok: false, outcome: 'try-again', seePhone: true, sw: r.swHex };
  if (!r.isOk) return { ok: false, outcome: 'end-application', seePhone: false, sw: r.swHex };
  const nodes = io.decode('initiate', r.data);
  const top = nodes[0];
  let aip: Uint8Array | undefined;
  let afl: Uint8Array | undefined;
  if (top?.tag === 0x80 && nodes.length === 1 && top.value.length >= 2) {
    aip = top.value.slice(0, 2);
    afl = top.value.slice(2);
  } else if (top?.tag === 0x77 && nodes.length === 1) {
    for (const n of top.children) store.replaceCard(n.tag, n.value);
    aip = findTlv(top.children, 0x82)?.value;
    afl = findTlv(top.children, 0x94)?.value;
  } else {
    throw new EmvError('EMV_CARD_DATA_INVALID', 'initiate', 'GPO response is neither format 1 (80) nor format 2 (77)');
  }
  if (!aip || aip.length !== 2) throw new EmvError('EMV_MISSING_DATA', 'initiate', 'GPO response lacks the AIP');
  store.replaceCard(0x82, aip);
  // Book C-3 §5.4: the AFL is optional — a card that put everything in its GPO answer has no records to read.
  return { ok: true, aip, afl: afl && afl.length > 0 ? parseAfl(afl) : [], pdolData };
}
