// The optional header before the MTI. The usual one is the 5-byte TPDU of dial-up/IP terminal links:
// id 0x60 (transaction TPDU), 2-byte destination address (the NII of the host), 2-byte origin address.
import { Iso8583Error } from './errors.js';
import type { ByteReader } from './reader.js';
import type { HeaderSpec } from './spec.js';

/** TPDU id byte for a transaction TPDU. */
export const TPDU_ID = 0x60;

/** The three parts of a TPDU; addresses are 16-bit numbers (often NIIs written as BCD, e.g. 0x0003). */
export interface Tpdu {
  readonly id: number;
  readonly destination: number;
  readonly origin: number;
}

/** The 5 bytes of a transaction TPDU to `destination` from `origin`. */
export function encodeTpdu(destination: number, origin: number): Uint8Array {
  if (!isU16(destination) || !isU16(origin)) {
    throw new Iso8583Error('ISO8583_HEADER_INVALID', 'TPDU addresses must be integers 0..0xFFFF', { field: 'header' });
  }
  return Uint8Array.of(TPDU_ID, destination >> 8, destination & 0xff, origin >> 8, origin & 0xff);
}

/** The parts of 5 TPDU bytes (not checked: decodeHeader does that for messages). */
export function parseTpdu(bytes: Uint8Array): Tpdu {
  if (bytes.length !== 5) throw new Iso8583Error('ISO8583_HEADER_INVALID', `a TPDU is 5 bytes, not ${bytes.length}`, { field: 'header' });
  return { id: bytes[0], destination: (bytes[1] << 8) | bytes[2], origin: (bytes[3] << 8) | bytes[4] };
}

/** The TPDU a host answers with: same id, destination and origin swapped. */
export function responseTpdu(request: Uint8Array): Uint8Array {
  const t = parseTpdu(request);
  return Uint8Array.of(t.id, t.origin >> 8, t.origin & 0xff, t.destination >> 8, t.destination & 0xff);
}

/** Bytes a header of this spec takes (0 without one). */
export function headerLength(spec: HeaderSpec | undefined): number {
  if (spec === undefined) return 0;
  return spec.kind === 'tpdu' ? 5 : spec.length;
}

/** Checks a message's header bytes against the spec before packing (length; TPDU id 0x60). */
export function checkHeader(spec: HeaderSpec | undefined, header: Uint8Array, offset?: number): void {
  const want = headerLength(spec);
  if (header.length !== want) {
    throw new Iso8583Error('ISO8583_HEADER_INVALID', `header is ${header.length} byte(s), the spec wants ${want}`, { field: 'header' });
  }
  if (spec?.kind === 'tpdu' && header[0] !== TPDU_ID) {
    const where = offset === undefined ? {} : { offset };
    throw new Iso8583Error('ISO8583_HEADER_INVALID', `TPDU id is 0x${header[0].toString(16).padStart(2, '0')}, not 0x60`, { field: 'header', ...where });
  }
}

/** Reads and checks the header at the reader's position; a copy of its bytes. */
export function decodeHeader(spec: HeaderSpec | undefined, reader: ByteReader): Uint8Array {
  const offset = reader.pos;
  const bytes = reader.take(headerLength(spec), 'header', 'header').slice();
  checkHeader(spec, bytes, offset);
  return bytes;
}

function isU16(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffff;
}
