// The daemon's timed work, where no event can say when: journal backups, retries of queued receipts (a printer that
// had no paper says nothing when it gets some), and the printers' status (read, never pushed by the printer).
import { backupKeyPath, runBackup } from './backups.js';
import type { Db } from '../journal/database.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConfig } from './config.js';
import type { LaneDevices } from './lane-devices.js';
import type { Notifier } from './notifier.js';

/** What the schedules work on. */
export interface ScheduleParts {
  readonly config: DaemonConfig;
  readonly dataDir: string;
  readonly db: Db;
  readonly devices: LaneDevices;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly clock: () => number;
}

/** The running schedules. */
export interface Schedules {
  /** Reads every printer's status now and announces each change as device.changed. */
  pollPrinters(): Promise<void>;
  /** Stops every timer. */
  stop(): void;
}

/** How often queued receipts are retried and printer status is read. */
const PRINT_RETRY_MS = 2000;
const PRINTER_STATUS_MS = 5000;

/** Starts the backups (when configured), the receipt retries and the printer status reads. */
export function startSchedules(o: ScheduleParts): Schedules {
  const { devices, logger, clock } = o;
  const backup = o.config.backup;
  const backups = backup
    ? setInterval(() => {
        // Encrypted and copied as `posbridge backup now` does; runBackup logs the result and a failed copy.
        runBackup({ db: o.db, dataDir: o.dataDir, keep: backup.keep, ...(backup.copyTo ? { copyTo: backup.copyTo } : {}), keyFile: backupKeyPath(backup), now: new Date(clock()), logger }).catch((err: unknown) =>
          logger.error('backup failed', { err }),
        );
      }, backup.everyHours * 3600_000)
    : null;
  backups?.unref();
  // Queued receipts (paper out, printer off) print by themselves once the printer can.
  const printTimer = setInterval(() => {
    for (const p of devices.allPrinters()) {
      if (p.printing.pendingCount() > 0) p.printing.tick(clock()).catch((err: unknown) => logger.error('receipt print retry failed', { printer: p.name, err }));
    }
  }, PRINT_RETRY_MS);
  printTimer.unref();
  const pollPrinters = async (): Promise<void> => {
    for (const p of devices.allPrinters()) {
      const before = JSON.stringify(p.lastStatus);
      const now = await devices.readStatus(p);
      if (JSON.stringify(now) !== before) for (const lane of devices.lanesOf(p.name)) o.notifier.notify('device.changed', { event: 'printer-status', lane, device: 'printer', status: now });
    }
  };
  let polling = false;
  const statusTimer = devices.allPrinters().length
    ? setInterval(() => {
        if (polling) return; // a silent printer's status read takes seconds: never pile reads up
        polling = true;
        pollPrinters()
          .catch((err: unknown) => logger.error('printer status poll failed', { err }))
          .finally(() => (polling = false));
      }, PRINTER_STATUS_MS)
    : null;
  statusTimer?.unref();
  return {
    pollPrinters,
    stop() {
      clearInterval(printTimer);
      if (statusTimer) clearInterval(statusTimer);
      if (backups) clearInterval(backups);
    },
  };
}
