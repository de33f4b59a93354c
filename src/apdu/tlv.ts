import { ApduError } from './errors.js';
import { toHex } from './hex.js';

/** One BER-TLV data object (ISO/IEC 8825-1 as profiled by EMV Book 3 Annex B). */
export interface TlvNode {
  /** The tag as a number, e.g. 0x9F26. */
  readonly tag: number;
  /** True when bit 6 of the first tag byte is set: the value is itself a list of TLVs. */
  readonly constructed: boolean;
  /** The value bytes (for constructed objects: the encoded children). */
  readonly value: Uint8Array;
  /** Children, decoded, for constructed objects; empty for primitive ones. */
  readonly children: readonly TlvNode[];
  /** Offset of the tag's first byte in the decoded input. */
  readonly offset: number;
}

/** Bounds for untrusted input. */
export interface TlvLimits {
  /** Constructed nesting deeper than this is refused (TLV_TOO_DEEP). */
  readonly maxDepth: number;
  /** A declared length above this is refused (TLV_OVERLONG). */
  readonly maxLength: number;
  /** Skip 00 and FF bytes before, between and after objects (EMV Book 3 Annex B1). */
  readonly allowPadding: boolean;
}

/** Default limits: EMV records never nest more than a few levels nor exceed 64 KiB. */
export const DEFAULT_TLV_LIMITS: TlvLimits = { maxDepth: 16, maxLength: 65535, allowPadding: true };

/** Uppercase hex of a numeric tag, in whole bytes (0x5A → '5A', 0x9F26 → '9F26'). */
export function tagHex(tag: number): string {
  let h = tag.toString(16).toUpperCase();
  if (h.length % 2) h = '0' + h;
  return h;
}

/** The numeric tag of hex text like '9F26'. */
export function tagFromHex(hex: string): number {
  const v = Number.parseInt(hex, 16);
  if (!/^[0-9a-fA-F]{2,8}$/.test(hex) || hex.length % 2 !== 0) {
    throw new ApduError('TLV_BAD_TAG', `'${hex}' is not a tag in hex`);
  }
  return v;
}

/**
 * Decodes a sequence of TLV objects filling all of `bytes`, recursing into constructed ones.
 * Strict: a tag, length or value running past its bounds is TLV_TRUNCATED (outermost level) or
 * TLV_OVERLONG (a child running past its parent); every error names the byte offset.
 */
export function decodeTlv(bytes: Uint8Array, limits: Partial<TlvLimits> = {}): TlvNode[] {
  const lim = limits === DEFAULT_TLV_LIMITS ? DEFAULT_TLV_LIMITS : { ...DEFAULT_TLV_LIMITS, ...limits };
  return decodeRange(bytes, 0, bytes.length, 0, lim, 0);
}

/** Decodes exactly one TLV object; extra non-padding bytes after it are TLV_TRAILING. */
export function decodeSingleTlv(bytes: Uint8Array, limits: Partial<TlvLimits> = {}): TlvNode {
  const lim = { ...DEFAULT_TLV_LIMITS, ...limits };
  let start = 0;
  if (lim.allowPadding) while (start < bytes.length && isPadding(bytes[start])) start++;
  if (start >= bytes.length) throw new ApduError('TLV_TRUNCATED', 'no TLV object in the input', { offset: start });
  const end = readObjectEnd(bytes, start, bytes.length, 0, 0);
  let after = end;
  if (lim.allowPadding) while (after < bytes.length && isPadding(bytes[after])) after++;
  if (after !== bytes.length) {
    throw new ApduError('TLV_TRAILING', `${bytes.length - after} byte(s) after the TLV object at offset ${after}`, { offset: after });
  }
  return decodeRange(bytes, start, end, 0, lim, 0)[0];
}

function isPadding(b: number): boolean {
  return b === 0x00 || b === 0xff;
}

/** Parses the header at `pos`; returns [tag, constructed, valueStart, valueEnd]. */
function readHeader(bytes: Uint8Array, pos: number, end: number, depth: number, base: number): [number, boolean, number, number] {
  const start = pos;
  const first = bytes[pos++];
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 1;
    for (;;) {
      if (pos >= end) throw truncatedOrOverlong(depth, `tag truncated at offset ${pos}`, base + pos);
      const b = bytes[pos++];
      if (n === 1 && b === 0x80) {
        throw new ApduError('TLV_BAD_TAG', `tag at offset ${start} has a non-minimal subsequent byte 80`, { offset: base + start });
      }
      tag = tag * 256 + b;
      n++;
      if ((b & 0x80) === 0) break;
      if (n >= 4) throw new ApduError('TLV_BAD_TAG', `tag at offset ${start} is longer than 4 bytes`, { offset: base + start });
    }
  }
  if (pos >= end) throw truncatedOrOverlong(depth, `length missing at offset ${pos}`, base + pos);
  let len = bytes[pos++];
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0) throw new ApduError('TLV_BAD_LENGTH', `indefinite length at offset ${pos - 1} is not allowed`, { offset: base + pos - 1 });
    if (count > 3) throw new ApduError('TLV_BAD_LENGTH', `length of ${count} bytes at offset ${pos - 1} is too long`, { offset: base + pos - 1 });
    if (pos + count > end) throw truncatedOrOverlong(depth, `length truncated at offset ${pos}`, base + pos);
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + bytes[pos++];
  }
  if (pos + len > end) {
    throw truncatedOrOverlong(depth, `value of tag ${tagHex(tag)} at offset ${start} declares ${len} bytes, ${end - pos} left`, base + start, tag);
  }
  return [tag, (first & 0x20) !== 0, pos, pos + len];
}

function truncatedOrOverlong(depth: number, message: string, offset: number, tag?: number): ApduError {
  const details: Record<string, unknown> = { offset };
  if (tag !== undefined) details.tag = tagHex(tag);
  return depth === 0
    ? new ApduError('TLV_TRUNCATED', `TLV truncated: ${message}`, details)
    : new ApduError('TLV_OVERLONG', `TLV object runs past its parent: ${message}`, details);
}

function readObjectEnd(bytes: Uint8Array, pos: number, end: number, depth: number, base: number): number {
  return readHeader(bytes, pos, end, depth, base)[3];
}

function decodeRange(bytes: Uint8Array, pos: number, end: number, depth: number, lim: TlvLimits, base: number): TlvNode[] {
  if (depth > lim.maxDepth) throw new ApduError('TLV_TOO_DEEP', `TLV nesting deeper than ${lim.maxDepth} at offset ${pos}`, { offset: base + pos });
  const out: TlvNode[] = [];
  while (pos < end) {
    if (lim.allowPadding && isPadding(bytes[pos])) {
      pos++;
      continue;
    }
    const offset = pos;
    const [tag, constructed, vStart, vEnd] = readHeader(bytes, pos, end, depth, base);
    if (vEnd - vStart > lim.maxLength) {
      throw new ApduError('TLV_OVERLONG', `tag ${tagHex(tag)} at offset ${offset} declares ${vEnd - vStart} bytes, limit ${lim.maxLength}`, { offset: base + offset });
    }
    const value = bytes.subarray(vStart, vEnd);
    const children = constructed ? decodeRange(bytes, vStart, vEnd, depth + 1, lim, base) : [];
    out.push({ tag, constructed, value, children, offset: base + offset });
    pos = vEnd;
  }
  return out;
}

/** Encodes a length in BER minimal form (EMV Book 3 Annex B2). */
export function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  if (len <= 0xff) return Uint8Array.of(0x81, len);
  if (len <= 0xffff) return Uint8Array.of(0x82, len >> 8, len & 0xff);
  if (len <= 0xffffff) return Uint8Array.of(0x83, len >> 16, (len >> 8) & 0xff, len & 0xff);
  throw new ApduError('TLV_BAD_LENGTH', `length ${len} cannot be encoded`);
}

function encodeTag(tag: number): Uint8Array {
  const out: number[] = [];
  let t = tag;
  do {
    out.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  return Uint8Array.from(out);
}

/** Input for encoding: a primitive value or constructed children. */
export type TlvInput = { readonly tag: number; readonly value: Uint8Array } | { readonly tag: number; readonly children: readonly TlvInput[] };

/** Encodes objects to BER-TLV bytes; constructed inputs are encoded from their children. */
export function encodeTlv(objects: readonly TlvInput[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const o of objects) {
    const value = 'children' in o ? encodeTlv(o.children) : o.value;
    const head = encodeTag(o.tag);
    const len = encodeLength(value.length);
    parts.push(head, len, value);
    total += head.length + len.length + value.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Turns decoded nodes back into encoder input (children kept for constructed nodes). */
export function toTlvInput(nodes: readonly TlvNode[]): TlvInput[] {
  return nodes.map((n) => (n.constructed ? { tag: n.tag, children: toTlvInput(n.children) } : { tag: n.tag, value: n.value }));
}

/** Depth-first search for the first object with `tag`. */
export function findTlv(nodes: readonly TlvNode[], tag: number): TlvNode | undefined {
  for (const n of nodes) {
    if (n.tag === tag) return n;
    const hit = findTlv(n.children, tag);
    if (hit) return hit;
  }
  return undefined;
}

/** A printable view of a node: tag hex, length, value hex, children. */
export interface TlvView {
  readonly tag: string;
  readonly length: number;
  readonly value: string;
  readonly children?: TlvView[];
}

/** Converts nodes to plain objects for JSON output. */
export function tlvToView(nodes: readonly TlvNode[]): TlvView[] {
  return nodes.map((n) => ({
    tag: tagHex(n.tag),
    length: n.value.length,
    value: toHex(n.value),
    ...(n.constructed ? { children: tlvToView(n.children) } : {}),
  }));
}
