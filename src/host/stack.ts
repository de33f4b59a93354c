// Wiring of the real host link and settlement (framer, channel, matcher, steps), for the tests and the
// daemon's composition root: TcpHostChannel → RequestMatcher (codec bound to the spec) → HostLink + SafWorker over
// the journal in `dataDir`. Nothing here is simulated: point it at the simulator or at a real acquirer.
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, field41, field42 } from '../config/terminal-identity.js';
import { existsSync, mkdirSync } from 'node:fs';
import { JournalError } from '../journal/errors.js';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { TcpHostChannel, type TcpChannelOptions } from './channel.js';
import { DEFAULT_SPEC, encodeTpdu, pack, unpack, type Iso8583Spec } from './iso8583/index.js';
import { HostLink, type LinkPolicy } from './link.js';
import { RequestMatcher, type MessageCodec } from './matcher.js';
import type { TerminalIdentity } from './messages.js';
import { SafWorker, type SafPolicy } from './saf-worker.js';
import { openDatabase, type Db } from '../journal/database.js';
import { acquireLease } from '../journal/lease.js';
import { HostQueue } from '../journal/host-queue.js';
import { Sealer } from '../journal/sealed.js';
import { Batches } from '../journal/batches.js';
import { Settlement, type SettlementPolicy } from './settlement.js';
import { NetworkManager } from './echo.js';

/** Where the host is, where the journal lives, and the link's rules (every part optional but the first three). */
export interface HostStackOptions {
  readonly host?: string;
  readonly port: number;
  /** Holds `journal.db` and the queue's sealing key `saf.key` (mode 0600). */
  readonly dataDir: string;
  readonly spec?: Iso8583Spec;
  readonly identity?: Partial<TerminalIdentity>;
  readonly link?: Partial<LinkPolicy>;
  readonly saf?: Partial<SafPolicy>;
  readonly settlement?: Partial<SettlementPolicy>;
  /** Transport tuning (backoff, connect timeout, TLS). */
  readonly channel?: Omit<Partial<TcpChannelOptions>, 'host' | 'port'>;
  /** Clock, ms since the epoch (tests move it to pass backoffs and expiry). */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Who holds the journal lease (shown to a second process that is refused). */
  readonly purpose?: string;
  /** Kick the store-and-forward worker whenever something is queued (the daemon does); default false. */
  readonly autoForward?: boolean;
}

/** The wired parts; `close` releases them in reverse order. */
export interface HostStack {
  readonly channel: TcpHostChannel;
  readonly matcher: RequestMatcher;
  readonly db: Db;
  readonly queue: HostQueue;
  readonly link: HostLink;
  readonly worker: SafWorker;
  readonly batches: Batches;
  readonly settlement: Settlement;
  /** Sign-on and the echo test; the daemon starts its timer. */
  readonly network: NetworkManager;
  readonly spec: Iso8583Spec;
  readonly identity: TerminalIdentity;
  close(): Promise<void>;
}

/** Defaults of an attended shop terminal: 30 s to answer an authorisation, a day to deliver a reversal. */
export const DEFAULT_LINK_POLICY: LinkPolicy = { authTimeoutMs: 30_000, queueTtlMs: 24 * 3600_000 };

/** Store-and-forward defaults: 30 s per answer, backoff 5 s doubling to 5 min, 10 attempts before a person looks. */
export const DEFAULT_SAF_POLICY: SafPolicy = { responseTimeoutMs: 30_000, initialBackoffMs: 5_000, maxBackoffMs: 300_000, maxAttempts: 10 };

/** Settlement defaults: 60 s per answer; upload and re-settle when the host does not agree. */
export const DEFAULT_SETTLEMENT_POLICY: SettlementPolicy = { responseTimeoutMs: 60_000, uploadOnMismatch: true };

/** The journal database file in `dataDir`. */
export function journalPath(dataDir: string): string {
  return join(dataDir, 'journal.db');
}

/** The queue's sealing key file in `dataDir`. */
export function sealKeyPath(dataDir: string): string {
  return join(dataDir, 'saf.key');
}

/** The lease file of `dataDir` held by the process that drives its host link (the daemon). */
export function hostLeasePath(dataDir: string): string {
  return join(dataDir, 'host-link.lock');
}

/** A codec bound to `spec`, as the matcher takes it. */
export function codecFor(spec: Iso8583Spec): MessageCodec {
  return { pack: (m) => pack(spec, m), unpack: (b) => unpack(spec, b) };
}

/** Opens the journal and wires channel → matcher → link and worker. */
export function createHostStack(o: HostStackOptions): HostStack {
  const spec = o.spec ?? DEFAULT_SPEC;
  const now = o.now ?? Date.now;
  const identity: TerminalIdentity = { terminalId: field41(DEFAULT_TERMINAL_ID), merchantId: field42(DEFAULT_MERCHANT_ID), header: encodeTpdu(0x0001, 0x0000), ...o.identity };
  const channel = new TcpHostChannel({ ...o.channel, host: o.host ?? '127.0.0.1', port: o.port, ...(o.logger ? { logger: o.logger } : {}) });
  const matcher = new RequestMatcher(channel, codecFor(spec), o.logger);
  // One process at a time recovers and forwards the host queue of a data directory (see lease.ts).
  mkdirSync(o.dataDir, { recursive: true });
  const lease = acquireLease(hostLeasePath(o.dataDir), o.purpose ?? 'host link');
  let db: Db;
  try {
    db = openDatabase(journalPath(o.dataDir));
  } catch (err) {
    lease.release();
    throw err;
  }
  if (!existsSync(sealKeyPath(o.dataDir)) && db.prepare(`SELECT 1 FROM host_queue WHERE length(payload) > 0 LIMIT 1`).get() !== undefined) {
    db.close();
    lease.release();
    throw new JournalError('JOURNAL_SEAL_FAILED', `the queue's key file ${sealKeyPath(o.dataDir)} is missing while sealed items wait: restore it from backup`);
  }
  const sealer = Sealer.fromKeyFile(sealKeyPath(o.dataDir));
  const queue = new HostQueue(db, sealer);
  const batches = new Batches(db, sealer);
  const worker = new SafWorker(queue, matcher, spec, { ...DEFAULT_SAF_POLICY, ...o.saf }, now, o.logger);
  const onQueued = o.autoForward ? () => worker.kick() : () => undefined;
  const link = new HostLink(matcher, spec, db, queue, identity, { ...DEFAULT_LINK_POLICY, ...o.link }, () => new Date(now()), onQueued, o.logger, batches);
  const network = new NetworkManager(matcher, db, identity, () => new Date(now()), 10_000, o.logger);
  const settlement = new Settlement(matcher, batches, db, spec, identity, { ...DEFAULT_SETTLEMENT_POLICY, ...o.settlement }, () => new Date(now()), o.logger);
  return {
    channel,
    matcher,
    db,
    queue,
    link,
    worker,
    batches,
    settlement,
    network,
    spec,
    identity,
    async close() {
      // Stop the worker first (no new step), then fail what is in flight, then wait for the step to end.
      network.stop();
      const stopping = worker.stop();
      matcher.close();
      await stopping;
      await channel.close();
      db.close();
      lease.release();
    },
  };
}
