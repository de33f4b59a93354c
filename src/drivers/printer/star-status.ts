import { PrinterError } from './errors.js';
import type { PrinterStatus } from './types.js';

/**
 * Star printers in Star mode (StarPRNT, Star Line Mode) have no DLE EOT: that is ESC/POS. Their status is the
 * "automatic status" (ASB) block, asked for in real time with ESC ACK SOH (Star Line Mode / StarPRNT command
 * specifications, "Real time status request"). The block is 7-63 bytes; its first byte says how many.
 */
export function starStatusRequest(): Uint8Array {
  return Uint8Array.of(0x1b, 0x06, 0x01);
}

/**
 * The length of an ASB block from its first byte (header 1): bits 1-3 and 5 hold the byte count, bit 0 is 1 and
 * bits 4 and 7 are 0; null when the byte is not an ASB header.
 */
export function starAsbLength(header: number): number | null {
  if ((header & 0x91) !== 0x01) return null;
  const n = ((header >> 1) & 0x07) | ((header >> 2) & 0x08);
  return n >= 7 ? n : null;
}

/** The ASB header byte for a block of `n` bytes (7-15). */
export function starAsbHeader(n: number): number {
  return 0x01 | ((n & 0x07) << 1) | ((n & 0x08) << 2);
}

/**
 * The status from an ASB block: status 1 (byte 3) bit 3 offline, bit 5 cover open, bit 2 the drawer's compulsion
 * switch (pin 3: read as "open", as DLE EOT 1 bit 2 is); status 4 (byte 6) bit 3 receipt paper empty, bits 1-2
 * receipt paper near empty (outer, inner sensor). PRINTER_STATUS_INVALID for a malformed block.
 */
export function parseStarAsb(block: Uint8Array): PrinterStatus {
  const n = block.length > 0 ? starAsbLength(block[0]) : null;
  if (n === null || block.length < n) {
    throw new PrinterError('PRINTER_STATUS_INVALID', `not a Star automatic status block: ${Buffer.from(block).toString('hex') || '(empty)'}`, { bytes: Buffer.from(block).toString('hex') });
  }
  const s1 = block[2];
  const s4 = block[5];
  return {
    online: (s1 & 0x08) === 0,
    coverOpen: (s1 & 0x20) !== 0,
    drawerOpen: (s1 & 0x04) !== 0,
    paper: (s4 & 0x08) !== 0 ? 'end' : (s4 & 0x06) !== 0 ? 'near-end' : 'ok',
  };
}

/** The 9-byte ASB block a Star printer in `status` answers (for emulators and tests). */
export function starAsbBytes(status: PrinterStatus): Uint8Array {
  const s1 = (status.online ? 0 : 0x08) | (status.coverOpen ? 0x20 : 0) | (status.drawerOpen ? 0x04 : 0);
  const s4 = status.paper === 'end' ? 0x0c : status.paper === 'near-end' ? 0x04 : 0;
  return Uint8Array.of(starAsbHeader(9), 0x02, s1, 0, 0, s4, 0, 0, 0);
}
