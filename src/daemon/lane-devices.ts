import type { LaneDeviceStatus } from '../api/device-methods.js';
import type { PrinterProfile } from '../drivers/printer/escpos-printer.js';
import { PrinterError } from '../drivers/printer/errors.js';
import type { PrinterStatus } from '../drivers/printer/types.js';
import type { Db } from '../journal/database.js';
import type { Logger } from '../log/logger.js';
import type { Payment } from '../payments/payment-store.js';
import { ReceiptPrinting, settleInterruptedJobs, type PrintOutcome } from '../receipts/receipt-printing.js';
import type { Merchant, ReceiptCopy } from '../receipts/text-receipt.js';
import { allPrinters, lanePrinter, type DaemonConfig, type PrinterConfig } from './config.js';
import { kindOf } from './device-kind.js';
import { DISPLAY_KINDS, type LaneDisplay } from './lane-display.js';
import { PRINTER_KINDS } from './printer-kinds.js';

/** One configured printer with its durable queue. */
export interface NamedPrinter {
  readonly name: string;
  readonly config: PrinterConfig;
  readonly printing: ReceiptPrinting;
  /** The last status read (null before the first). */
  lastStatus: PrinterStatus | { readonly error: string } | null;
}

/** The printers and displays of every lane, built from the config; `close` releases them. */
export class LaneDevices {
  private readonly printers = new Map<string, NamedPrinter>();
  private readonly displays = new Map<string, LaneDisplay>();
  private readonly printerOfLane = new Map<string, string>();

  /** Opens nothing yet: transports connect on first use and reconnect by themselves. */
  constructor(
    private readonly config: DaemonConfig,
    db: Db,
    merchant: Merchant,
    payment: (id: string) => Payment,
    onPrinted: (o: PrintOutcome) => void,
    private readonly logger?: Logger,
  ) {
    for (const [name, p] of Object.entries(allPrinters(config))) {
      const printer = kindOf(PRINTER_KINDS, p.url, `printers.${name}.url`).open(p.url, p.commandSet);
      const profile: PrinterProfile = { cpl: p.charactersPerLine, encoding: p.encoding, commandSet: p.commandSet, chineseFont: p.chineseFont };
      const printing = new ReceiptPrinting(db, name, printer, merchant, profile, payment, onPrinted);
      this.printers.set(name, { name, config: p, printing, lastStatus: null });
    }
    for (const lane of config.lanes) {
      const named = lanePrinter(config, lane);
      if (named) this.printerOfLane.set(lane.name, named.name);
      if (lane.display) this.displays.set(lane.name, kindOf(DISPLAY_KINDS, lane.display, `lanes.${lane.name}.display`).open(lane.display, lane.name, logger));
    }
    // Before any job prints: what the last run was printing when it stopped is never resent by itself.
    for (const j of settleInterruptedJobs(db)) {
      if (j.paymentId === null) logger?.warn('a document was printing when the daemon stopped: unconfirmed, not resent (print it again if it did not come out)', { job: j.id, title: j.title, printer: j.printer });
      else logger?.warn('a receipt was printing when the daemon stopped: unconfirmed, not resent (a reprint is marked COPY)', { job: j.id, paymentId: j.paymentId, copy: j.copy, printer: j.printer });
    }
    this.adoptOrphanJobs(db, logger);
  }

  /** Prints the receipts queued before a restart now, rather than at the first 2 s retry. */
  resumePrinting(now: number): void {
    for (const p of this.printers.values()) {
      if (p.printing.pendingCount() > 0) p.printing.tick(now).catch((err: unknown) => this.logger?.error('receipt print failed', { printer: p.name, err }));
    }
  }

  /**
   * Queued receipts whose printer is no longer configured (renamed, removed; jobs from before named printers were
   * the "default" printer's) move to the printer of their payment's lane, so none waits forever unseen.
   */
  private adoptOrphanJobs(db: Db, logger?: Logger): void {
    const rows = db.prepare(`SELECT j.id AS id, j.printer AS printer, p.lane AS lane FROM print_jobs j JOIN payments p ON p.id = j.payment_id WHERE j.state = 'pending'`).all() as { id: number; printer: string; lane: string }[];
    for (const r of rows.filter((x) => !this.printers.has(x.printer))) {
      const to = this.printerOfLane.get(r.lane);
      if (to) db.prepare(`UPDATE print_jobs SET printer = ? WHERE id = ?`).run(to, r.id);
      logger?.warn(to ? 'a queued receipt moved to its lane\'s printer' : 'a queued receipt has no printer any more: it waits until one is configured', { job: r.id, from: r.printer, to: to ?? null, lane: r.lane });
    }
  }

  /** The lane's receipt printing, when it has a printer. */
  printingFor(lane: string): ReceiptPrinting | undefined {
    const name = this.printerOfLane.get(lane);
    return name ? this.printers.get(name)?.printing : undefined;
  }

  /**
   * autoPrint: queues the receipts of a payment that ends approved or declined (called inside the journal
   * transaction of that state, so a crash keeps both or neither); `printQueued` then prints them. Nothing when
   * autoPrint is "none" or the lane has no printer.
   */
  queueAutoPrint(p: Payment, now: number): void {
    const copies: readonly ReceiptCopy[] = this.config.autoPrint === 'both' ? ['customer', 'merchant'] : this.config.autoPrint === 'customer' ? ['customer'] : [];
    const printing = this.printingFor(p.lane);
    if (!printing || copies.length === 0) return;
    for (const copy of copies) printing.enqueue(p, copy, now);
  }

  /** Prints what is queued for the lane's printer now (else the 2 s retry does, once the printer can). */
  printQueued(lane: string, now: number): void {
    const printing = this.printingFor(lane);
    if (printing && printing.pendingCount() > 0) printing.tick(now).catch((err: unknown) => this.logger?.error('receipt print failed', { lane, err }));
  }

  /** The lane's customer display, when it has one. */
  displayFor(lane: string): LaneDisplay | undefined {
    return this.displays.get(lane);
  }

  /** Every printer (for the retry tick and the status poll). */
  allPrinters(): readonly NamedPrinter[] {
    return [...this.printers.values()];
  }

  /** Reads a printer's status between jobs; `{error}` with the printer's code when it cannot be read. */
  async readStatus(p: NamedPrinter): Promise<PrinterStatus | { readonly error: string }> {
    let status: PrinterStatus | { readonly error: string };
    try {
      status = await p.printing.status();
    } catch (err) {
      if (!(err instanceof PrinterError)) throw err;
      status = { error: err.code };
    }
    p.lastStatus = status;
    return status;
  }

  /** The lanes that print on `printer`. */
  lanesOf(printer: string): string[] {
    return [...this.printerOfLane].filter(([, p]) => p === printer).map(([lane]) => lane);
  }

  /** The status of a lane's PIN pad, printer and display for devices.list. */
  async status(lane: string, pinpad: LaneDeviceStatus['pinpad']): Promise<LaneDeviceStatus> {
    const name = this.printerOfLane.get(lane);
    const p = name ? this.printers.get(name) : undefined;
    const printer = p ? { name: p.name, ...(await this.readStatus(p)) } : null;
    const display = this.displays.get(lane);
    return { pinpad, printer, display: display ? { kind: 'serial', connected: display.connected } : null };
  }

  /**
   * Kicks the cash drawer on the lane's printer (drawer port pin 2, between print jobs), then reads the drawer
   * sensor once the pulse is over; `realtime` when the printer was not ready and got the real-time pulse.
   */
  async openDrawer(lane: string): Promise<{ readonly drawerOpen: boolean | null; readonly realtime: boolean }> {
    const printing = this.printingFor(lane);
    if (!printing) throw new PrinterError('PRINTER_UNREACHABLE', `lane ${lane} has no receipt printer, so no cash drawer`, { lane });
    return printing.withPrinter(async (printer) => {
      const kick = { pin: 2 as const, onMs: 100, offMs: 100 };
      const r = await printer.openDrawer(kick);
      await new Promise((res) => setTimeout(res, kick.onMs + 50));
      const after = await printer.status().then(
        (s) => s.drawerOpen,
        (err: unknown) => {
          if (!(err instanceof PrinterError)) throw err;
          return null; // kicked; the sensor could not be read
        },
      );
      return { drawerOpen: after, realtime: r.realtime };
    });
  }

  /** Waits for pending display writes and closes every transport. */
  async close(): Promise<void> {
    for (const d of this.displays.values()) await d.close();
    for (const p of this.printers.values()) await p.printing.withPrinter((printer) => printer.close());
  }
}
