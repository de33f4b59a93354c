import { CommandApdu } from '../apdu/command-apdu.js';
import { buildDolData, parseDol } from '../apdu/dol.js';
import { fromHex, toHex } from '../apdu/hex.js';
import { findTlv } from '../apdu/tlv.js';
import type { CardIo } from './card-io.js';
import { dolFormatOf, type EmvDataStore } from './data-store.js';
import { EmvError } from './errors.js';
import type { Candidate } from './selection.js';

/** One Application File Locator entry (EMV Book 3 §10.2): records first..last of SFI, the first `oda` of them signed. */
export interface AflEntry {
  readonly sfi: number;
  readonly first: number;
  readonly last: number;
  readonly oda: number;
}

/** The final selection's FCI data the kernel keeps. */
export interface SelectedApplication {
  readonly candidate: Candidate;
  /** DF name from the FCI (84), hex. */
  readonly dfName: string;
}

/** Final SELECT of the chosen application (Book 1 §12.4); its FCI data go to the store. Null when the card refuses. */
export async function finalSelect(io: CardIo, store: EmvDataStore, c: Candidate): Promise<SelectedApplication | null> {
  const r = await io.send('selection', CommandApdu.select(fromHex(c.aid)));
  if (!r.isOk) return null;
  const fci = io.decode('selection', r.data);
  const df = findTlv(fci, 0x84);
  if (!df || toHex(df.value) !== c.aid) {
    throw new EmvError('EMV_CARD_DATA_INVALID', 'selection', `FCI DF name ${df ? toHex(df.value) : 'missing'} does not match ${c.aid}`);
  }
  store.replaceCard(0x84, df.value);
  store.setTerminal(0x4f, df.value);
  for (const tag of [0x50, 0x87, 0x9f38, 0x5f2d, 0x9f11, 0x9f12, 0xbf0c]) {
    const n = findTlv(fci, tag);
    if (n) store.replaceCard(tag, n.value);
  }
  return { candidate: c, dfName: c.aid };
}

/** Parses an AFL (4 bytes an entry); EMV_CARD_DATA_INVALID for an entry that breaks Book 3 §10.2's rules. */
export function parseAfl(bytes: Uint8Array): AflEntry[] {
  if (bytes.length === 0 || bytes.length % 4 !== 0) throw new EmvError('EMV_CARD_DATA_INVALID', 'initiate', `AFL length ${bytes.length} is not a multiple of 4`);
  const out: AflEntry[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const sfi = bytes[i] >> 3;
    const [first, last, oda] = [bytes[i + 1], bytes[i + 2], bytes[i + 3]];
    if ((bytes[i] & 7) !== 0 || sfi < 1 || sfi > 30 || first < 1 || last < first || oda > last - first + 1) {
      throw new EmvError('EMV_CARD_DATA_INVALID', 'initiate', `AFL entry ${toHex(bytes.subarray(i, i + 4))} is invalid`);
    }
    out.push({ sfi, first, last, oda });
  }
  return out;
}

/** The GPO command's data: the card's PDOL (9F38) filled from the store; empty without a PDOL; EMV_CARD_DATA_INVALID when it is malformed. */
export function pdolDataOf(store: EmvDataStore): Uint8Array {
  const pdol = store.getCard(0x9f38);
  if (!pdol) return new Uint8Array(0);
  try {
    return buildDolData(parseDol(pdol), (t) => store.get(t), dolFormatOf);
  } catch (err) {
    throw new EmvError('EMV_CARD_DATA_INVALID', 'initiate', `PDOL is malformed: ${err instanceof Error ? err.message : String(err)}`, {}, err);
  }
}

/** The result of GET PROCESSING OPTIONS. */
export type GpoResult = { readonly ok: true; readonly aip: Uint8Array; readonly afl: AflEntry[]; readonly pdolData: Uint8Array } | { readonly ok: false; readonly sw: string };

/**
 * Initiate application processing (Book 3 §10.1): PDOL filled from the store, GPO, response format 1 (80) or 2 (77).
 * 6985 (conditions not satisfied) resolves `{ok: false}`: the caller drops the application and selects again.
 */
export async function getProcessingOptions(io: CardIo, store: EmvDataStore): Promise<GpoResult> {
  const pdolData = pdolDataOf(store);
  const gpo = CommandApdu.getProcessingOptions(pdolData);
  let r = await io.send('initiate', gpo);
  // Field quirk: some cards refuse GPO as case 4 with 6700 (wrong length); they take it without Le (case 3).
  if (r.sw === 0x6700) r = await io.send('initiate', gpo.withNe(0));
  if (r.sw === 0x6985) return { ok: false, sw: r.swHex };
  if (!r.isOk) throw new EmvError('EMV_CARD_REFUSED', 'initiate', `GET PROCESSING OPTIONS refused (SW ${r.swHex})`, { sw: r.swHex });
  const nodes = io.decode('initiate', r.data);
  const top = nodes[0];
  let aip: Uint8Array | undefined;
  let afl: Uint8Array | undefined;
  if (top?.tag === 0x80 && nodes.length === 1) {
    if (top.value.length < 2) throw new EmvError('EMV_CARD_DATA_INVALID', 'initiate', 'GPO format 1 response shorter than the AIP');
    aip = top.value.slice(0, 2);
    afl = top.value.slice(2);
  } else if (top?.tag === 0x77 && nodes.length === 1) {
    for (const n of top.children) if (n.tag !== 0x82 && n.tag !== 0x94) store.replaceCard(n.tag, n.value);
    aip = findTlv(top.children, 0x82)?.value;
    afl = findTlv(top.children, 0x94)?.value;
  } else {
    throw new EmvError('EMV_CARD_DATA_INVALID', 'initiate', 'GPO response is neither format 1 (80) nor format 2 (77)');
  }
  if (!aip || aip.length !== 2 || !afl) throw new EmvError('EMV_MISSING_DATA', 'initiate', 'GPO response lacks the AIP or the AFL');
  store.replaceCard(0x82, aip);
  store.replaceCard(0x94, afl);
  return { ok: true, aip, afl: parseAfl(afl), pdolData };
}
