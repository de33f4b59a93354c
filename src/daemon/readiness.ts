// /readyz: whether this till can take a payment now — the journal open, the host reachable (or its messages queued
// in the journal to go later), every lane's readers present. Readers are followed from the driver's events.
import type { Db } from '../journal/database.js';
import type { HostChannel } from '../host/channel.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { LaneConfig } from './config.js';

/** One readiness check's result: whether it passes and what it found. */
export interface ReadyCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/** The answer of /readyz: ready when every check passes; the checks by name (journal, host, readers). */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly journal: ReadyCheck; readonly host: ReadyCheck; readonly readers: ReadyCheck };
}

/** Follows the readers the driver reports (attached, detached, the PC/SC service lost) for the readers check. */
export class ReaderPresence {
  private readonly present = new Set<string>();
  private readonly unsubscribe: () => void;

  /** Starts following `driver`'s events (the driver tells a late listener the readers already there). */
  constructor(driver: ReaderDriver) {
    this.unsubscribe = driver.subscribe((e) => {
      if (e.type === 'reader-attached') this.present.add(e.reader);
      else if (e.type === 'reader-detached') this.present.delete(e.reader);
      else if (e.type === 'service-lost') this.present.clear(); // the service finds them again when it is back
    });
  }

  /** Marks the readers a listing found (at start, before any event came). */
  seed(names: readonly string[]): void {
    for (const n of names) this.present.add(n);
  }

  /** True when `reader` is attached now. */
  has(reader: string): boolean {
    return this.present.has(reader);
  }

  /** Stops following the driver. */
  close(): void {
    this.unsubscribe();
  }
}

/** What the readiness checks look at. */
export interface ReadinessParts {
  readonly db: Db;
  readonly channel: Pick<HostChannel, 'connected'>;
  readonly readers: ReaderPresence;
  readonly lanes: readonly LaneConfig[];
}

/**
 * The readiness checks. The host passes when connected, and also when not: an authorisation then connects anew, and
 * reversals and advices wait in the journal (store and forward), so a host link down is a metric and an alert, not a
 * till taken out of service; it fails only with the journal closed (nothing could be queued).
 */
export function readiness(p: ReadinessParts): Readiness {
  const open = p.db.open;
  const journal: ReadyCheck = open ? { ok: true, detail: 'open' } : { ok: false, detail: 'closed' };
  const host: ReadyCheck = p.channel.connected ? { ok: true, detail: 'connected' } : open ? { ok: true, detail: 'not connected: queueing in the journal' } : { ok: false, detail: 'not connected and the journal is closed' };
  const missing = p.lanes.flatMap((l) => [l.reader, ...(l.contactless ? [l.contactless] : [])].filter((r) => !p.readers.has(r)).map((r) => `lane ${l.name}: "${r}"`));
  const readers: ReadyCheck = missing.length === 0 ? { ok: true, detail: 'all present' } : { ok: false, detail: `missing: ${missing.join(', ')}` };
  return { ready: journal.ok && host.ok && readers.ok, checks: { journal, host, readers } };
}
