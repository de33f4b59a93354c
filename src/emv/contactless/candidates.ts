// Combination selection, step 1 (EMV Contactless Book B §3.3.2): SELECT the PPSE (2PAY.SYS.DDF01) and build the
// candidate list from its directory entries (61 in BF0C): the ADF name (4F) must match an allowed combination's
// AID and the kernel identifier (9F2A) its kernel — the RID's default kernel when the card gives none (§3.3.2.5).
import { CommandApdu } from '../../apdu/command-apdu.js';
import { bytesEqual, fromHex, toHex } from '../../apdu/hex.js';
import { findTlv, type TlvNode } from '../../apdu/tlv.js';
import type { CardIo } from '../card-io.js';
import type { PreProcessed } from './pre-processing.js';

const PPSE = new TextEncoder().encode('2PAY.SYS.DDF01');

/** Default kernel per RID when the directory entry has no 9F2A (Book B §3.3.2.5, Table 3-4). */
const DEFAULT_KERNEL: ReadonlyMap<string, number> = new Map([
  ['A000000004', 2], // Mastercard
  ['A000000003', 3], // Visa
  ['A000000025', 4], // American Express
  ['A000000065', 5], // JCB
  ['A000000152', 6], // Discover
  ['A000000333', 7], // UnionPay
]);

/** One entry of the candidate list: a directory entry matched to a pre-processed combination. */
export interface ContactlessCandidate {
  /** ADF name, hex. */
  readonly aid: string;
  readonly label: string | null;
  /** Application Priority Indicator b4-b1 (1 highest), null when absent or zero. */
  readonly priority: number | null;
  readonly kernelId: number;
  readonly combination: PreProcessed;
  /** Position in the PPSE directory (ties keep the card's order, §3.3.3.3). */
  readonly order: number;
}

/** Why the PPSE gave no list: the card has none, or its FCI is unusable. */
export type PpseResult = { readonly ok: true; readonly candidates: ContactlessCandidate[] } | { readonly ok: false; readonly reason: string };

/** The requested kernel of a 9F2A value: the short kernel ID of byte 1 for an international kernel (b8-b7 = 00). */
export function requestedKernel(kernel9F2A: Uint8Array | undefined, adfName: Uint8Array): number | null {
  if (!kernel9F2A || kernel9F2A.length === 0) return DEFAULT_KERNEL.get(toHex(adfName.subarray(0, 5))) ?? null;
  const b1 = kernel9F2A[0];
  // §3.3.2.5: b8-b7 of byte 1 say international (00), or domestic (10, 11) — domestic kernels are not supported.
  if ((b1 & 0xc0) !== 0) return null;
  return b1 === 0 ? (DEFAULT_KERNEL.get(toHex(adfName.subarray(0, 5))) ?? null) : b1 & 0x3f;
}

function aidMatches(config: string, partial: boolean, adf: Uint8Array): boolean {
  const t = fromHex(config);
  if (bytesEqual(t, adf)) return true;
  return partial && adf.length > t.length && bytesEqual(adf.subarray(0, t.length), t);
}

function text(node: TlvNode | undefined): string | null {
  return node ? String.fromCharCode(...node.value).replace(/[^\x20-\x7e]/g, '?') : null;
}

/** Candidates from one directory entry: every allowed combination with the same AID and kernel (§3.3.2.5 step C-E). */
function fromEntry(entry: readonly TlvNode[], allowed: readonly PreProcessed[], order: number): ContactlessCandidate[] {
  const adf = findTlv(entry, 0x4f)?.value;
  if (!adf || adf.length < 5 || adf.length > 16) return [];
  const kernelId = requestedKernel(findTlv(entry, 0x9f2a)?.value, adf);
  if (kernelId === null) return [];
  const p = findTlv(entry, 0x87)?.value[0];
  const priority = p === undefined || (p & 0x0f) === 0 ? null : p & 0x0f;
  return allowed
    .filter((c) => c.combination.kernelId === kernelId && aidMatches(c.combination.aid, c.combination.partialSelection, adf))
    .slice(0, 1)
    .map((combination) => ({ aid: toHex(adf), label: text(findTlv(entry, 0x50)), priority, kernelId, combination, order }));
}

/** SELECT PPSE and the candidate list of the allowed combinations (Book B §3.3.2). */
export async function ppseCandidates(io: CardIo, allowed: readonly PreProcessed[]): Promise<PpseResult> {
  const r = await io.send('selection', CommandApdu.select(PPSE));
  if (!r.isOk) return { ok: false, reason: `SELECT PPSE answered ${r.swHex}` };
  let nodes: TlvNode[];
  try {
    nodes = io.decode('selection', r.data);
  } catch (err) {
    return { ok: false, reason: `PPSE FCI malformed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const dir = findTlv(nodes, 0xbf0c);
  if (!dir) return { ok: false, reason: 'PPSE FCI has no BF0C directory' };
  const entries = dir.children.filter((n) => n.tag === 0x61);
  return { ok: true, candidates: entries.flatMap((e, i) => fromEntry(e.children, allowed, i)) };
}

/** The candidate Entry Point selects: the highest priority, the card's order among equals (§3.3.3). */
export function bestCandidate(list: readonly ContactlessCandidate[]): ContactlessCandidate | null {
  let best: ContactlessCandidate | null = null;
  for (const c of list) {
    if (!best || (c.priority ?? 16) < (best.priority ?? 16) || ((c.priority ?? 16) === (best.priority ?? 16) && c.order < best.order)) best = c;
  }
  return best;
}
