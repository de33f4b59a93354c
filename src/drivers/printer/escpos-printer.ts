import { DEFAULT_KICK, drawerKickBytes, realtimeKickBytes, type DrawerKick } from './drawer.js';
import { PrinterError } from './errors.js';
import { dleEot, notReadyReasons, parseStatus } from './escpos-status.js';
import type { CommandSet, PrinterProfile } from './printer-profile.js';
import { transportFromUrl } from './printer-url.js';
import { renderJob, renderSvg } from './render.js';
import { parseStarAsb, starAsbLength, starStatusRequest } from './star-status.js';
import type { PrinterStatus, PrinterTransport } from './types.js';

export type { CommandSet, PrinterProfile } from './printer-profile.js';
export type { DrawerKick } from './drawer.js';
export { renderSvg };

/** A receiptline document as the printer's bytes (text, or a raster image for Chinese without a Chinese font). */
export function renderEscPos(doc: string, profile: PrinterProfile): Uint8Array {
  return renderJob(doc, profile);
}

/** What a drawer kick did: the status before it, and whether the real-time pulse was used (printer offline). */
export interface DrawerKickResult {
  readonly status: PrinterStatus;
  readonly realtime: boolean;
}

/**
 * A receipt printer: real-time status (ESC/POS DLE EOT 1/2/4, or Star's ESC ACK SOH automatic status), printing
 * that refuses when the printer cannot print, and the cash drawer kick.
 */
export class EscPosPrinter {
  /** Binds to a transport; answers are awaited for `timeoutMs` each. */
  constructor(
    private readonly transport: PrinterTransport,
    private readonly timeoutMs = 1500,
    private readonly jobTimeoutMs = 15_000,
    private readonly commandSet: CommandSet = 'escpos',
  ) {}

  /** The printer's status; PRINTER_TIMEOUT when it does not answer. */
  async status(): Promise<PrinterStatus> {
    const answers: number[] = [];
    // Answers still buffered (GS r 1 after the last job, a late answer) would be read as this status: drop them.
    await this.transport.read(4096, 0);
    if (this.commandSet === 'star') return this.starStatus();
    for (const n of [1, 2, 4] as const) {
      await this.transport.write(dleEot(n));
      const b = await this.transport.read(1, this.timeoutMs);
      // `silent`: not one status byte came back (no back channel), as against a printer that stopped mid-way.
      if (b.length === 0) throw new PrinterError('PRINTER_TIMEOUT', `no answer to DLE EOT ${n} within ${this.timeoutMs} ms`, { silent: answers.length === 0 });
      answers.push(b[0]);
    }
    return parseStatus(answers[0], answers[1], answers[2]);
  }

  /** Star mode has no DLE EOT: ESC ACK SOH, then the ASB block whose first byte gives its length (it may come in pieces). */
  private async starStatus(): Promise<PrinterStatus> {
    await this.transport.write(starStatusRequest());
    const head = await this.transport.read(1, this.timeoutMs);
    if (head.length === 0) throw new PrinterError('PRINTER_TIMEOUT', `no answer to ESC ACK SOH (Star status) within ${this.timeoutMs} ms`, { silent: true });
    const n = starAsbLength(head[0]);
    if (n === null) return parseStarAsb(head); // throws PRINTER_STATUS_INVALID naming the byte
    const rest = await this.transport.read(n - 1, this.timeoutMs);
    return parseStarAsb(Uint8Array.from([...head, ...rest]));
  }

  /**
   * Opens the cash drawer. When the printer can print, the kick goes in the print stream (ESC p; Star ESC BEL + BEL/SUB)
   * so it follows a receipt being printed. A drawer must open even with the paper out or the cover open (the cashier
   * still has to give change): then an ESC/POS printer gets the real-time pulse DLE DC4 1, which it executes while
   * offline, where a buffered ESC p would wait for the paper. Star and generic printers have no such command:
   * PRINTER_NOT_READY then. Nothing is sent when the status cannot be read.
   */
  async openDrawer(kick: Partial<DrawerKick> = {}): Promise<DrawerKickResult> {
    const k: DrawerKick = { ...DEFAULT_KICK, ...kick };
    const bytes = drawerKickBytes(k, this.commandSet); // validates before any I/O
    const s = await this.status();
    const ready = notReadyReasons(s).length === 0;
    if (ready) {
      await this.transport.write(bytes);
      return { status: s, realtime: false };
    }
    if (this.commandSet !== 'escpos') throw new PrinterError('PRINTER_NOT_READY', `the drawer cannot be kicked: the printer is ${notReadyReasons(s).join(', ')} and ${this.commandSet} has no real-time pulse`, { status: s });
    await this.transport.write(realtimeKickBytes(k));
    return { status: s, realtime: true };
  }

  /**
   * Prints bytes after checking the printer can (PRINTER_NOT_READY with the status, nothing sent); resolves once the
   * job is confirmed when it asks for confirmation. A printer that takes data but answers no status request at all
   * (a print server or a one-way port: no back channel) gets the job without a check or a confirmation: resolves
   * with null then, as the job cannot be known printed. `beforeSend` runs after the check and right before the
   * first byte of the job is written (nothing is awaited in between): the caller commits there that the job may
   * have started leaving (write-ahead), so a crash from then on can never make it send the job again unawares.
   */
  async print(bytes: Uint8Array, beforeSend?: () => void): Promise<PrinterStatus | null> {
    let s: PrinterStatus | null;
    try {
      s = await this.status();
    } catch (err) {
      if (!(err instanceof PrinterError && err.code === 'PRINTER_TIMEOUT' && err.details.silent === true)) throw err;
      s = null;
    }
    if (s) {
      const why = notReadyReasons(s);
      if (why.length) throw new PrinterError('PRINTER_NOT_READY', `the printer cannot print: ${why.join(', ')}`, { status: s });
    }
    beforeSend?.();
    try {
      await this.sendJob(bytes, s !== null);
    } catch (err) {
      // Past the status check some bytes may have reached the printer: callers must not resend blindly.
      if (err instanceof PrinterError) throw new PrinterError(err.code, err.message, { ...err.details, sent: true });
      throw err;
    }
    return s;
  }

  private async sendJob(bytes: Uint8Array, confirm: boolean): Promise<void> {
    await this.transport.write(bytes);
    if (!confirm) return;
    // A job ending in GS r 1 (receiptline ends every job so) is answered once printed: wait for that answer, so
    // the job is known complete and the byte is never read later as a status answer.
    const n = bytes.length;
    if (n >= 3 && bytes[n - 3] === 0x1d && bytes[n - 2] === 0x72 && (bytes[n - 1] === 0x31 || bytes[n - 1] === 0x01)) {
      const done = await this.transport.read(1, this.jobTimeoutMs);
      if (done.length === 0) throw new PrinterError('PRINTER_TIMEOUT', `the printer did not confirm the job within ${this.jobTimeoutMs} ms (it may still print)`);
    }
  }

  /** Closes the transport. */
  close(): Promise<void> {
    return this.transport.close();
  }
}

/** A printer from a URL: tcp://HOST[:PORT], serial:///dev/ttyX?baud=N or file:///dev/usb/lpN. */
export function printerFromUrl(url: string, commandSet: CommandSet = 'escpos'): EscPosPrinter {
  return new EscPosPrinter(transportFromUrl(url), undefined, undefined, commandSet);
}

/** The status of the printer at `url`, connecting for the question only. */
export async function printerStatusAt(url: string, commandSet: CommandSet = 'escpos'): Promise<PrinterStatus> {
  const p = printerFromUrl(url, commandSet);
  try {
    return await p.status();
  } finally {
    await p.close();
  }
}
