import { CommandApdu } from '../apdu/command-apdu.js';
import { bytesEqual, fromHex, toHex } from '../apdu/hex.js';
import { findTlv, type TlvNode } from '../apdu/tlv.js';
import type { CardIo } from './card-io.js';
import { EmvError } from './errors.js';
import type { AidConfig } from './types.js';

/** An application the card and terminal both support (EMV Book 1 §12.3). */
export interface Candidate {
  /** The card's ADF name (DF name), hex. */
  readonly aid: string;
  readonly label: string | null;
  readonly preferredName: string | null;
  /** Priority 1 (highest) … 15; null when the card gives none. */
  readonly priority: number | null;
  /** Tag 87 bit 8: the cardholder must confirm this application. */
  readonly confirmationRequired: boolean;
  /** The terminal application it matched. */
  readonly config: AidConfig;
  /** Contactless: kernel identifier (9F2A), hex. */
  readonly kernelId?: string;
}

const PSE = new TextEncoder().encode('1PAY.SYS.DDF01');
const PPSE = new TextEncoder().encode('2PAY.SYS.DDF01');

function text(node: TlvNode | undefined): string | null {
  if (!node) return null;
  return String.fromCharCode(...node.value).replace(/[^\x20-\x7e]/g, '?');
}

/** The terminal application matching a card AID: exact, or by prefix when partial selection is allowed. */
export function matchAid(apps: readonly AidConfig[], cardAid: Uint8Array): AidConfig | undefined {
  const exact = apps.find((a) => bytesEqual(fromHex(a.aid), cardAid));
  if (exact) return exact;
  return apps.find((a) => {
    const t = fromHex(a.aid);
    return a.partialSelection && cardAid.length > t.length && bytesEqual(cardAid.subarray(0, t.length), t);
  });
}

function candidateFrom(entry: readonly TlvNode[], apps: readonly AidConfig[]): Candidate | null {
  const adf = findTlv(entry, 0x4f);
  if (!adf) return null;
  const config = matchAid(apps, adf.value);
  if (!config) return null;
  const p = findTlv(entry, 0x87)?.value[0];
  const kernel = findTlv(entry, 0x9f2a);
  return {
    aid: toHex(adf.value),
    label: text(findTlv(entry, 0x50)),
    preferredName: text(findTlv(entry, 0x9f12)),
    priority: p === undefined || (p & 0x0f) === 0 ? null : p & 0x0f,
    confirmationRequired: p !== undefined && (p & 0x80) !== 0,
    config,
    ...(kernel ? { kernelId: toHex(kernel.value) } : {}),
  };
}

/** Sorts candidates by priority (1 first; none last), keeping the card's order otherwise (Book 1 §12.4). */
export function orderCandidates(list: readonly Candidate[]): Candidate[] {
  return [...list].sort((a, b) => (a.priority ?? 16) - (b.priority ?? 16));
}

/**
 * Candidates from the PSE directory (Book 1 §12.3.2): SELECT 1PAY.SYS.DDF01, READ RECORD from its SFI until 6A83.
 * Resolves null when the card has no usable PSE (6A82, other errors, malformed FCI): the caller falls back to
 * the list of AIDs. A blocked card (6A81) ends the transaction.
 */
export async function candidatesFromPse(io: CardIo, apps: readonly AidConfig[]): Promise<Candidate[] | null> {
  const r = await io.send('selection', CommandApdu.select(PSE));
  if (r.sw === 0x6a81) throw new EmvError('EMV_CARD_BLOCKED', 'selection', 'the card is blocked (6A81 on SELECT PSE)');
  if (!r.isOk) return null;
  let sfi: number | undefined;
  try {
    sfi = findTlv(io.decode('selection', r.data), 0x88)?.value[0];
  } catch {
    return null; // a malformed PSE FCI makes the terminal use the list of AIDs (Book 1 §12.3.2 step 1)
  }
  if (sfi === undefined || sfi < 1 || sfi > 10) return null;
  const out: Candidate[] = [];
  for (let rec = 1; rec <= 254; rec++) {
    const rr = await io.send('selection', CommandApdu.readRecord(sfi, rec));
    if (rr.sw === 0x6a83) break;
    if (!rr.isOk) return out.length ? out : null;
    const nodes = io.decode('selection', rr.data);
    const record = nodes.find((n) => n.tag === 0x70);
    if (!record) throw new EmvError('EMV_CARD_DATA_INVALID', 'selection', `PSE record ${rec} is not a 70 template`);
    for (const entry of record.children.filter((n) => n.tag === 0x61)) {
      const c = candidateFrom(entry.children, apps);
      if (c) out.push(c);
    }
  }
  return out;
}

/**
 * Candidates by the list of AIDs (Book 1 §12.3.3): SELECT each terminal AID; with partial selection, SELECT
 * next occurrence (P2=02) until the card says 6A82. Blocked applications (6283) are skipped.
 */
export async function candidatesFromAidList(io: CardIo, apps: readonly AidConfig[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const app of apps) {
    const aid = fromHex(app.aid);
    let occurrence: 'first' | 'next' = 'first';
    for (let n = 0; n < 16; n++) {
      const r = await io.send('selection', CommandApdu.select(aid, occurrence));
      if (r.sw === 0x6a81) throw new EmvError('EMV_CARD_BLOCKED', 'selection', 'the card is blocked (6A81 on SELECT)');
      if (!r.isOk && r.sw !== 0x6283) break;
      const fci = io.decode('selection', r.data);
      const df = findTlv(fci, 0x84);
      if (!df) break;
      const exact = bytesEqual(df.value, aid);
      const partial = app.partialSelection && df.value.length > aid.length && bytesEqual(df.value.subarray(0, aid.length), aid);
      if ((exact || partial) && r.sw === 0x9000) {
        const p = findTlv(fci, 0x87)?.value[0];
        out.push({
          aid: toHex(df.value),
          label: text(findTlv(fci, 0x50)),
          preferredName: text(findTlv(fci, 0x9f12)),
          priority: p === undefined || (p & 0x0f) === 0 ? null : p & 0x0f,
          confirmationRequired: p !== undefined && (p & 0x80) !== 0,
          config: app,
        });
      }
      if (!app.partialSelection || exact) break;
      occurrence = 'next';
    }
  }
  return out;
}

/** Contactless candidates from the PPSE's FCI (EMV Book B §3.3): the BF0C directory entries, no records. */
export async function candidatesFromPpse(io: CardIo, apps: readonly AidConfig[]): Promise<Candidate[]> {
  const r = await io.send('selection', CommandApdu.select(PPSE));
  if (!r.isOk) throw new EmvError('EMV_NO_APPLICATION', 'selection', `the card has no PPSE (SW ${r.swHex})`, { sw: r.swHex });
  const fci = io.decode('selection', r.data);
  const dir = findTlv(fci, 0xbf0c);
  if (!dir) throw new EmvError('EMV_CARD_DATA_INVALID', 'selection', 'PPSE FCI has no BF0C directory');
  return dir.children.filter((n) => n.tag === 0x61).flatMap((e) => candidateFrom(e.children, apps) ?? []);
}
