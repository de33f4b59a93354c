import { ApduError } from './errors.js';
import { tagHex } from './tlv.js';

/** One entry of a Data Object List: a tag and the length the card wants (EMV Book 3 §5.4). */
export interface DolEntry {
  readonly tag: number;
  readonly length: number;
}

/** Format hints DOL building needs: numeric (n) is left-padded/left-truncated, cn padded with FF. */
export type DolFormat = 'n' | 'cn' | 'other';

/** Parses DOL bytes (tag, length pairs, no values); DOL_TRUNCATED names the offset of a cut entry. */
export function parseDol(bytes: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    let tag = bytes[pos++];
    if ((tag & 0x1f) === 0x1f) {
      let n = 1;
      for (;;) {
        if (pos >= bytes.length) throw new ApduError('DOL_TRUNCATED', `DOL tag truncated at offset ${pos}`, { offset: pos });
        const b = bytes[pos++];
        tag = tag * 256 + b;
        n++;
        if ((b & 0x80) === 0) break;
        if (n >= 4) throw new ApduError('TLV_BAD_TAG', `DOL tag at offset ${start} is longer than 4 bytes`, { offset: start });
      }
    }
    if (pos >= bytes.length) throw new ApduError('DOL_TRUNCATED', `DOL entry for tag ${tagHex(tag)} has no length (offset ${pos})`, { offset: pos });
    const length = bytes[pos++];
    if (length & 0x80) throw new ApduError('TLV_BAD_LENGTH', `DOL length byte at offset ${pos - 1} uses the long form`, { offset: pos - 1 });
    out.push({ tag, length });
  }
  return out;
}

/**
 * Builds the DOL-related data (EMV Book 3 §5.4): for each entry, the value from `lookup` fitted to the length.
 * Missing, unknown or constructed-tag values are zeros; a longer numeric value loses its leftmost bytes, any
 * other its rightmost; a shorter numeric value is padded with leading zeros, cn with trailing FF, others with
 * trailing zeros. A tag repeated in the DOL is filled each time.
 */
export function buildDolData(
  dol: readonly DolEntry[],
  lookup: (tag: number) => Uint8Array | undefined,
  formatOf: (tag: number) => DolFormat,
): Uint8Array {
  let total = 0;
  for (const e of dol) total += e.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const e of dol) {
    const constructed = (firstTagByte(e.tag) & 0x20) !== 0;
    const value = constructed ? undefined : lookup(e.tag);
    if (value !== undefined) out.set(fit(value, e.length, formatOf(e.tag)), off);
    off += e.length;
  }
  return out;
}

function firstTagByte(tag: number): number {
  let t = tag;
  while (t > 0xff) t = Math.floor(t / 256);
  return t;
}

function fit(value: Uint8Array, len: number, format: DolFormat): Uint8Array {
  if (value.length === len) return value;
  if (value.length > len) return format === 'n' ? value.subarray(value.length - len) : value.subarray(0, len);
  const out = new Uint8Array(len);
  if (format === 'n') {
    out.set(value, len - value.length);
  } else {
    out.set(value, 0);
    if (format === 'cn') out.fill(0xff, value.length);
  }
  return out;
}
