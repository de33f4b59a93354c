import { ApduError } from './errors.js';
import { byteHex, toHex } from './hex.js';

/** Transmission protocols an ATR can offer (T=15 is the global-parameters marker, not a protocol). */
export type AtrProtocol = `T=${number}`;

/** One compact-TLV object of the historical bytes (ISO 7816-4 §8.1.1). */
export interface CompactTlv {
  readonly tag: number;
  readonly name: string;
  readonly value: string;
  /** Set when the object's length runs past the historical bytes. */
  readonly truncated?: boolean;
}

/** A parsed Answer-To-Reset (ISO 7816-3 §8.2). */
export interface Atr {
  /** The ATR bytes, uppercase hex. */
  readonly atr: string;
  readonly convention: 'direct' | 'inverse';
  /** Offered protocols in order of appearance; no TD1 means T=0 only. */
  readonly protocols: AtrProtocol[];
  /** Interface bytes by name, e.g. { TA1: '11', TD1: '81' }. */
  readonly interfaceBytes: Record<string, string>;
  readonly historicalBytes: string;
  /** Category indicator and compact-TLV objects when the historical bytes use them (category 00 or 80). */
  readonly historical: { readonly category: string | null; readonly objects: CompactTlv[]; readonly status: string | null };
  /** True/false when a TCK byte is present; null when the ATR carries none. */
  readonly tckValid: boolean | null;
  /** True when ISO 7816-3 requires a TCK (a protocol other than T=0 is indicated). */
  readonly tckExpected: boolean;
  /** Readable notes on the interface bytes (Fi/Di, guard time, IFSC…). */
  readonly notes: string[];
}

/** The longest ATR ISO 7816-3 allows: TS plus 32 bytes. */
export const MAX_ATR_LENGTH = 33;

// ISO 7816-3 §8.3 Table 7 and 8.
const FI: ReadonlyArray<number | null> = [372, 372, 558, 744, 1116, 1488, 1860, null, null, 512, 768, 1024, 1536, 2048, null, null];
const FMAX: ReadonlyArray<number | null> = [4, 5, 6, 8, 12, 16, 20, null, null, 5, 7.5, 10, 15, 20, null, null];
const DI: ReadonlyArray<number | null> = [null, 1, 2, 4, 8, 16, 32, 64, 12, 20, null, null, null, null, null, null];

const COMPACT_TAGS: ReadonlyMap<number, string> = new Map([
  [0x1, 'country code'],
  [0x2, 'issuer identification number'],
  [0x3, 'card service data'],
  [0x4, 'initial access data'],
  [0x5, "card issuer's data"],
  [0x6, 'pre-issuing data'],
  [0x7, 'card capabilities'],
  [0x8, 'status indicator'],
  [0xf, 'application identifier'],
]);

/** Parses an ATR strictly: ATR_INVALID for a bad TS, ATR_TRUNCATED / ATR_TRAILING with offsets for wrong lengths. */
export function parseAtr(bytes: Uint8Array): Atr {
  if (bytes.length < 2) throw new ApduError('ATR_TRUNCATED', `ATR needs TS and T0, got ${bytes.length} byte(s)`, { offset: bytes.length });
  if (bytes.length > MAX_ATR_LENGTH) {
    throw new ApduError('ATR_TRAILING', `ATR is ${bytes.length} bytes, longer than ${MAX_ATR_LENGTH}`, { offset: MAX_ATR_LENGTH });
  }
  const ts = bytes[0];
  if (ts !== 0x3b && ts !== 0x3f) throw new ApduError('ATR_INVALID', `TS ${byteHex(ts)} is neither 3B (direct) nor 3F (inverse)`, { offset: 0 });
  const t0 = bytes[1];
  const k = t0 & 0x0f;
  const interfaceBytes: Record<string, string> = {};
  const protocols: AtrProtocol[] = [];
  const notes: string[] = [];
  let y = t0 >> 4;
  let pos = 2;
  let i = 1;
  let tckExpected = false;
  let lastT = 0;
  for (;;) {
    for (const [bit, letter] of [[1, 'A'], [2, 'B'], [4, 'C'], [8, 'D']] as const) {
      if ((y & bit) === 0) continue;
      if (pos >= bytes.length) {
        throw new ApduError('ATR_TRUNCATED', `ATR ends before T${letter}${i} (offset ${pos})`, { offset: pos });
      }
      const b = bytes[pos++];
      interfaceBytes[`T${letter}${i}`] = byteHex(b);
      const note = describeInterfaceByte(letter, i, b, lastT);
      if (note) notes.push(note);
    }
    if ((y & 8) === 0) break;
    const td = bytes[pos - 1];
    const t = td & 0x0f;
    lastT = t;
    if (t !== 0) tckExpected = true;
    if (t !== 15 && !protocols.includes(`T=${t}`)) protocols.push(`T=${t}`);
    y = td >> 4;
    i++;
  }
  if (!('TD1' in interfaceBytes)) protocols.push('T=0');
  const remaining = bytes.length - pos;
  if (remaining < k) {
    throw new ApduError('ATR_TRUNCATED', `ATR announces ${k} historical bytes, ${remaining} present`, { offset: bytes.length });
  }
  if (remaining > k + 1) {
    throw new ApduError('ATR_TRAILING', `${remaining - k - 1} byte(s) after the historical bytes and TCK`, { offset: pos + k + 1 });
  }
  const hist = bytes.subarray(pos, pos + k);
  // A byte after the historical bytes is a TCK, as readers deliver it (ATR_analysis reads it the same way).
  let tckValid: boolean | null = null;
  if (remaining === k + 1) {
    let x = 0;
    for (let j = 1; j < bytes.length; j++) x ^= bytes[j];
    tckValid = x === 0;
  } else if (tckExpected) {
    notes.push('TCK missing although a protocol other than T=0 is indicated');
  }
  return {
    atr: toHex(bytes),
    convention: ts === 0x3b ? 'direct' : 'inverse',
    protocols,
    interfaceBytes,
    historicalBytes: toHex(hist),
    historical: parseHistorical(hist),
    tckValid,
    tckExpected,
    notes,
  };
}

function describeInterfaceByte(letter: 'A' | 'B' | 'C' | 'D', i: number, b: number, lastT: number): string | null {
  if (letter === 'A' && i === 1) {
    const fi = FI[b >> 4];
    const di = DI[b & 15];
    return `TA1 = ${byteHex(b)}: Fi=${fi ?? 'RFU'}, Di=${di ?? 'RFU'}, fmax=${FMAX[b >> 4] ?? 'RFU'} MHz`;
  }
  if (letter === 'C' && i === 1) return `TC1 = ${byteHex(b)}: extra guard time ${b === 255 ? '(minimum, 12 ETU for T=0, 11 for T=1)' : `${b} ETU`}`;
  if (letter === 'C' && i === 2 && lastT === 0) return `TC2 = ${byteHex(b)}: work waiting time integer WI=${b}`;
  if (letter === 'A' && i === 2) return `TA2 = ${byteHex(b)}: specific mode, protocol T=${b & 15}${b & 0x80 ? ', not changeable' : ''}`;
  if (letter === 'A' && i >= 3 && lastT === 1) return `TA${i} = ${byteHex(b)}: IFSC ${b}`;
  if (letter === 'B' && i >= 3 && lastT === 1) return `TB${i} = ${byteHex(b)}: BWI ${b >> 4}, CWI ${b & 15}`;
  if (letter === 'C' && i >= 3 && lastT === 1) return `TC${i} = ${byteHex(b)}: error detection ${b & 1 ? 'CRC' : 'LRC'}`;
  return null;
}

function parseHistorical(hist: Uint8Array): Atr['historical'] {
  if (hist.length === 0) return { category: null, objects: [], status: null };
  const category = hist[0];
  if (category !== 0x00 && category !== 0x80) return { category: byteHex(category), objects: [], status: null };
  // Category 00: compact-TLV then a 3-byte status indicator at the end; 80: compact-TLV only (ISO 7816-4 §8.1.1.1).
  const end = category === 0x00 ? Math.max(1, hist.length - 3) : hist.length;
  const objects: CompactTlv[] = [];
  let pos = 1;
  while (pos < end) {
    const tag = hist[pos] >> 4;
    const len = hist[pos] & 15;
    // Historical bytes are informative: a cut object is shown with what is there and flagged, not fatal.
    const truncated = pos + 1 + len > end;
    const value = toHex(hist.subarray(pos + 1, Math.min(end, pos + 1 + len)));
    objects.push({ tag, name: COMPACT_TAGS.get(tag) ?? 'proprietary', value, ...(truncated ? { truncated } : {}) });
    pos += 1 + len;
  }
  const status = category === 0x00 && hist.length >= 4 ? toHex(hist.subarray(hist.length - 3)) : null;
  return { category: byteHex(category), objects, status };
}
