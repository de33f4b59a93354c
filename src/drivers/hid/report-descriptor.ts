/**
 * Input report sizes from a USB HID report descriptor (USB HID 1.11 §6.2.2). Pure: bytes in, numbers out.
 * Used only to recognise a vendor-defined device (usage page 0xFF00) whose input report has the MagTek swipe
 * layout's size; nothing here touches a device.
 *
 * Short items: prefix byte = bTag (4 bits) | bType (2 bits: 0 main, 1 global, 2 local) | bSize (2 bits: 0, 1, 2
 * or 4 data bytes). Long items (prefix 0xFE, §6.2.2.3) are skipped. Global state: Report Size (tag 7), Report ID
 * (tag 8), Report Count (tag 9), Push (tag 10), Pop (tag 11); each main Input item (tag 8) adds
 * size × count bits to the current report ID's input report.
 *
 * Untrusted input: a truncated item, a Pop without Push, a push stack deeper than 16 or a descriptor over 4 KiB
 * gives null ("unknown"), never an exception.
 */

const MAX_DESCRIPTOR = 4096;
const MAX_PUSH_DEPTH = 16;

interface GlobalState {
  reportSize: number;
  reportCount: number;
  reportId: number;
}

/** Little-endian unsigned value of an item's data bytes. */
function itemValue(bytes: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[at + i];
  return v;
}

/**
 * The length in bytes of each input report, keyed by report ID (0 when the device uses no report IDs; the ID
 * byte itself is not counted); null when the descriptor is malformed.
 */
export function inputReportLengths(descriptor: Uint8Array): Map<number, number> | null {
  if (descriptor.length > MAX_DESCRIPTOR) return null;
  const bits = new Map<number, number>();
  let g: GlobalState = { reportSize: 0, reportCount: 0, reportId: 0 };
  const stack: GlobalState[] = [];
  let i = 0;
  while (i < descriptor.length) {
    const prefix = descriptor[i];
    if (prefix === 0xfe) {
      // Long item: 0xFE, bDataSize, bLongItemTag, data.
      if (i + 2 >= descriptor.length) return null;
      i += 3 + descriptor[i + 1];
      if (i > descriptor.length) return null;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 0x03];
    const type = (prefix >> 2) & 0x03;
    const tag = prefix >> 4;
    if (i + 1 + size > descriptor.length) return null;
    const value = itemValue(descriptor, i + 1, size);
    i += 1 + size;
    if (type === 1) {
      if (tag === 7) g.reportSize = value;
      else if (tag === 8) g.reportId = value;
      else if (tag === 9) g.reportCount = value;
      else if (tag === 10) {
        if (stack.length >= MAX_PUSH_DEPTH) return null;
        stack.push({ ...g });
      } else if (tag === 11) {
        const top = stack.pop();
        if (!top) return null;
        g = top;
      }
    } else if (type === 0 && tag === 8) {
      bits.set(g.reportId, (bits.get(g.reportId) ?? 0) + g.reportSize * g.reportCount);
    }
  }
  const out = new Map<number, number>();
  for (const [id, n] of bits) out.set(id, Math.ceil(n / 8));
  return out;
}
