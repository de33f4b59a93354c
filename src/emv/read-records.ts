import { CommandApdu } from '../apdu/command-apdu.js';
import { concatBytes } from '../apdu/hex.js';
import { encodeLength, tagHex, type TlvNode } from '../apdu/tlv.js';
import type { CardIo } from './card-io.js';
import type { EmvDataStore } from './data-store.js';
import { EmvError } from './errors.js';
import type { AflEntry } from './initiate.js';

/** Card data objects a terminal cannot go on without (EMV Book 3 §7.2). */
export const MANDATORY_TAGS: readonly number[] = [0x5f24, 0x5a, 0x8c, 0x8d];

/** What reading the records yields for offline data authentication. */
export interface RecordsRead {
  /** Static data to authenticate (Book 3 §10.3): records marked in the AFL, then the AIP when 9F4A asks. */
  readonly staticData: Uint8Array;
  /** False when a signed record was not a 70 template or 9F4A lists more than the AIP: ODA must fail. */
  readonly staticDataValid: boolean;
  readonly records: number;
}

/**
 * Read application data (Book 3 §10.2): every record the AFL names. Records of SFI 1–10 must be 70 templates;
 * a data object seen twice ends the transaction; records counted for ODA are collected per §10.3 (SFI 1–10 the
 * value of the 70 template, SFI 11–30 the whole record). Missing mandatory data (`mandatory`: the contact flow's
 * list by default; Kernel 3 checks its own after GPO) ends it too.
 */
export async function readRecords(io: CardIo, store: EmvDataStore, afl: readonly AflEntry[], aip: Uint8Array, mandatory: readonly number[] = MANDATORY_TAGS): Promise<RecordsRead> {
  const oda: Uint8Array[] = [];
  let staticDataValid = true;
  let records = 0;
  for (const e of afl) {
    for (let rec = e.first; rec <= e.last; rec++) {
      const r = await io.send('read-records', CommandApdu.readRecord(e.sfi, rec));
      if (!r.isOk) {
        throw new EmvError('EMV_CARD_REFUSED', 'read-records', `READ RECORD SFI ${e.sfi} record ${rec} refused (SW ${r.swHex})`, { sw: r.swHex });
      }
      records++;
      const signed = rec - e.first < e.oda;
      const nodes = io.decode('read-records', r.data);
      const template = nodes.length === 1 && nodes[0].tag === 0x70 ? nodes[0] : null;
      if (!template && e.sfi <= 10) {
        throw new EmvError('EMV_CARD_DATA_INVALID', 'read-records', `record ${rec} of SFI ${e.sfi} is not a 70 template`);
      }
      if (signed) {
        if (e.sfi <= 10 && template) oda.push(template.value);
        else if (template) oda.push(r.data);
        else staticDataValid = false;
      }
      if (template) storeRecord(store, template.children, e.sfi, rec);
    }
  }
  for (const tag of mandatory) {
    if (!store.hasCard(tag)) throw new EmvError('EMV_MISSING_DATA', 'read-records', `mandatory data object ${tagHex(tag)} is missing`, { tag: tagHex(tag) });
  }
  const sdaTagList = store.getCard(0x9f4a);
  if (sdaTagList) {
    // Book 3 §10.3: the Static Data Authentication Tag List may only name the AIP (82).
    if (sdaTagList.length === 1 && sdaTagList[0] === 0x82) oda.push(aip);
    else staticDataValid = false;
  }
  return { staticData: concatBytes(...oda), staticDataValid, records };
}

function storeRecord(store: EmvDataStore, children: readonly TlvNode[], sfi: number, rec: number): void {
  for (const n of children) {
    if (!store.setCard(n.tag, n.value)) {
      throw new EmvError('EMV_CARD_DATA_INVALID', 'read-records', `data object ${tagHex(n.tag)} appears twice (SFI ${sfi} record ${rec})`, { tag: tagHex(n.tag) });
    }
  }
}

/** The TLV encoding of one object (for field 55 and hashes). */
export function tlvBytes(tag: number, value: Uint8Array): Uint8Array {
  const t = tagHex(tag);
  const tb = new Uint8Array(t.length / 2);
  for (let i = 0; i < tb.length; i++) tb[i] = Number.parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return concatBytes(tb, encodeLength(value.length), value);
}
