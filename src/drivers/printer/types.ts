/**
 * A byte pipe to a printer (TCP 9100, serial, /dev/usb/lp*). Rules: `write` resolves when the bytes are handed to
 * the OS; `read` resolves with what arrived within `waitMs` (possibly nothing) — network printers answer in pieces,
 * so callers read with a timeout rather than expecting one read per answer; `close` is idempotent.
 */
export interface PrinterTransport {
  write(bytes: Uint8Array): Promise<void>;
  read(count: number, waitMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** What a printer reports through DLE EOT (ESC/POS real-time status). */
export interface PrinterStatus {
  readonly online: boolean;
  readonly coverOpen: boolean;
  readonly paper: 'ok' | 'near-end' | 'end';
  readonly drawerOpen: boolean;
}
