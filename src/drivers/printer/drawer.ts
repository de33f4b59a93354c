import { PrinterError } from './errors.js';
import type { CommandSet } from './printer-profile.js';

/** Which drawer kick-out connector pin to pulse, and for how long. */
export interface DrawerKick {
  /** Pin 2 (drawer 1) or pin 5 (drawer 2) of the kick-out connector. */
  readonly pin: 2 | 5;
  /** Pulse ON time in ms (ESC/POS: 2-510 in 2 ms steps; Star: 10-2550 in 10 ms steps). */
  readonly onMs: number;
  /** OFF time after the pulse in ms (ESC/POS: at least the ON time; the printer raises it if lower). */
  readonly offMs: number;
}

/** The usual kick: pin 2, 100 ms on, 100 ms off (most drawers need 50-200 ms). */
export const DEFAULT_KICK: DrawerKick = { pin: 2, onMs: 100, offMs: 100 };

function steps(ms: number, unit: number, what: string): number {
  const n = Math.round(ms / unit);
  if (!Number.isFinite(ms) || n < 1 || n > 255) throw new PrinterError('PRINTER_DRAWER_INVALID', `${what} must be ${unit}-${255 * unit} ms, got ${ms}`, { ms });
  return n;
}

/**
 * The drawer kick for a command set. ESC/POS (Epson reference): `ESC p m t1 t2`, m = 0 pin 2 / 1 pin 5, t1 and t2
 * in 2 ms units. Star (Line Mode / StarPRNT specs): `ESC BEL n1 n2` sets the pulse (n1 ON, n2 delay, 10 ms units),
 * then BEL drives drawer 1 (pin 2) or SUB drawer 2 (pin 5).
 */
export function drawerKickBytes(k: DrawerKick, set: CommandSet): Uint8Array {
  if (k.pin !== 2 && k.pin !== 5) throw new PrinterError('PRINTER_DRAWER_INVALID', `pin must be 2 or 5, got ${String(k.pin)}`, { pin: k.pin });
  if (set === 'star') return Uint8Array.of(0x1b, 0x07, steps(k.onMs, 10, 'onMs'), steps(k.offMs, 10, 'offMs'), k.pin === 2 ? 0x07 : 0x1a);
  return Uint8Array.of(0x1b, 0x70, k.pin === 2 ? 0 : 1, steps(k.onMs, 2, 'onMs'), steps(k.offMs, 2, 'offMs'));
}

/**
 * The real-time pulse `DLE DC4 1 m t` (Epson ESC/POS reference): executed at once even while the printer is offline
 * (paper end, cover open), where a buffered ESC p would wait; t in 100 ms units (1-8), so ON times round up.
 */
export function realtimeKickBytes(k: DrawerKick): Uint8Array {
  if (k.pin !== 2 && k.pin !== 5) throw new PrinterError('PRINTER_DRAWER_INVALID', `pin must be 2 or 5, got ${String(k.pin)}`, { pin: k.pin });
  const t = Math.min(8, Math.max(1, Math.ceil(k.onMs / 100)));
  return Uint8Array.of(0x10, 0x14, 0x01, k.pin === 2 ? 0 : 1, t);
}
