import { PrinterError } from './errors.js';
import type { PrinterStatus } from './types.js';

/** DLE EOT n: transmit real-time status (ESC/POS; n = 1 printer, 2 offline cause, 4 roll paper sensor). */
export function dleEot(n: 1 | 2 | 4): Uint8Array {
  return Uint8Array.of(0x10, 0x04, n);
}

/** A status byte has bit 1 and bit 4 set, bits 0 and 7 clear (ESC/POS DLE EOT response format). */
export function validStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

/**
 * The printer status from the answers to DLE EOT 1, 2 and 4: offline (n=1 bit 3), drawer pin 3 high (n=1 bit 2,
 * read as "open"), cover open (n=2 bit 2), roll paper near end (n=4 bits 2-3) and end (n=4 bits 5-6).
 */
export function parseStatus(printer: number, offline: number, paper: number): PrinterStatus {
  for (const [name, b] of [
    ['printer', printer],
    ['offline cause', offline],
    ['paper', paper],
  ] as const) {
    if (!validStatusByte(b)) throw new PrinterError('PRINTER_STATUS_INVALID', `the ${name} status byte ${b.toString(16)} is not an ESC/POS status`, { byte: b });
  }
  return {
    online: (printer & 0x08) === 0,
    drawerOpen: (printer & 0x04) !== 0,
    coverOpen: (offline & 0x04) !== 0,
    paper: (paper & 0x60) === 0x60 ? 'end' : (paper & 0x0c) === 0x0c ? 'near-end' : 'ok',
  };
}

/** The three status bytes a printer in `status` answers (for emulators and tests). */
export function statusBytes(status: PrinterStatus): [number, number, number] {
  return [
    0x12 | (status.online ? 0 : 0x08) | (status.drawerOpen ? 0x04 : 0),
    0x12 | (status.coverOpen ? 0x04 : 0) | (status.paper === 'end' ? 0x20 : 0),
    0x12 | (status.paper === 'near-end' || status.paper === 'end' ? 0x0c : 0) | (status.paper === 'end' ? 0x60 : 0),
  ];
}

/** Why a printer in `s` cannot print ("offline", "cover open", "paper end"); empty when it can. */
export function notReadyReasons(s: PrinterStatus): string[] {
  return [!s.online && 'offline', s.coverOpen && 'cover open', s.paper === 'end' && 'paper end'].filter((r): r is string => typeof r === 'string');
}
