// The Prometheus metrics of one till (docs/operations.md lists each name, type and label). Loaded by the daemon only
// when `metrics` is configured (a dynamic import: prom-client costs start-up time otherwise). Counters move on events
// (a payment's committed change, the host channel's state); depths, ages and device states are read at scrape time.
// Label values come from closed sets only — lane and printer names from the config, outcome, entry mode, scheme,
// payment type, device kind — never a reference, card number, token or client name.
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ReaderError } from '../drivers/pcsc/errors.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { KNOWN_SCHEMES, schemeOfPayment } from '../emv/scheme.js';
import type { HostChannel } from '../host/channel.js';
import type { Db } from '../journal/database.js';
import type { Logger } from '../log/logger.js';
import type { PaymentChange, PaymentStore } from '../payments/payment-store.js';
import { allPrinters, lanePrinter, type DaemonConfig } from './config.js';
import type { LaneDevices } from './lane-devices.js';
import type { LanePinPad } from './lane-pinpad.js';
import { stripeStatus, type LaneStripe } from './lane-stripe.js';
import { backupFacts, hostQueueFacts, journalSizeBytes, printQueueDepths, QUEUE_KINDS, type QueueFacts } from './metrics-facts.js';
import { startMetricsServer } from './metrics-server.js';
import { metricsExposed, type MetricsConfig } from './metrics-config.js';
import { ReaderPresence, readiness } from './readiness.js';

/** What the metrics watch: the daemon's parts, as its composition root built them. */
export interface MetricsParts {
  readonly metrics: MetricsConfig;
  readonly config: DaemonConfig;
  readonly dataDir: string;
  readonly db: Db;
  readonly store: PaymentStore;
  readonly channel: HostChannel;
  readonly driver: ReaderDriver;
  readonly devices: LaneDevices;
  readonly pinPads: ReadonlyMap<string, LanePinPad>;
  readonly stripes: ReadonlyMap<string, LaneStripe>;
  readonly logger: Logger;
  readonly clock: () => number;
}

/** The running endpoint: where it listens; `stop` closes it and stops following events. */
export interface RunningMetrics {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** How a payment's flow ended, as the `outcome` label says it. */
type Outcome = 'approved' | 'declined' | 'cancelled' | 'failed' | 'reversed';

/** The outcome a committed state change ends a payment's flow with, or null when it ends none. */
function outcomeOf(c: PaymentChange): Outcome | null {
  if (c.kind !== 'state') return null;
  switch (c.payment.state) {
    case 'completed':
      return 'approved';
    case 'declined':
    case 'cancelled':
    case 'failed':
      return c.payment.state;
    case 'reversal-pending':
      // From the authorisation (no answer, or the card refused after approval); a completed sale's void is not an end.
      return c.from === 'completed' ? null : 'reversed';
    default:
      return null;
  }
}

/** Seconds an authorisation waits for the host: most answer within 1–3 s; 30 s is the link's timeout. */
const AUTH_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];

/** Counts payments by outcome and times their authorisations, from the store's committed changes; returns the unsubscribe. */
function followPayments(registry: Registry, store: PaymentStore): () => void {
  const schemes = new Set(KNOWN_SCHEMES);
  const payments = new Counter({ name: 'posbridge_payments_total', help: 'Payments whose flow ended, by outcome, entry mode, scheme, type and lane', labelNames: ['outcome', 'entry_mode', 'scheme', 'type', 'lane'], registers: [registry] });
  const authDuration = new Histogram({ name: 'posbridge_authorisation_duration_seconds', help: 'Time from a payment entering authorizing to its next state (the host answer or its absence)', labelNames: ['lane'], buckets: AUTH_BUCKETS, registers: [registry] });
  const authorizingSince = new Map<string, number>();
  return store.onChange((c) => {
    const pay = c.payment;
    if (c.kind !== 'state') return;
    if (pay.state === 'authorizing') authorizingSince.set(pay.id, pay.updatedAt);
    else if (c.from === 'authorizing') {
      const since = authorizingSince.get(pay.id);
      authorizingSince.delete(pay.id);
      // A payment found authorizing after a restart has no start here: not observed rather than observed wrong.
      if (since !== undefined) authDuration.observe({ lane: pay.lane }, Math.max(0, (pay.updatedAt - since) / 1000));
    }
    const outcome = outcomeOf(c);
    if (!outcome) return;
    // The application's scheme (its AID), else the card number's range (a swipe): a closed set, else "other".
    const found = schemeOfPayment(pay);
    const scheme = found === null ? (pay.maskedPan || pay.aid ? 'other' : 'none') : schemes.has(found) ? found : 'other';
    payments.inc({ outcome, entry_mode: pay.entryMode ?? 'none', scheme, type: pay.type, lane: pay.lane });
  });
}

/** The host connection's state and its reconnects, from the channel's state events; returns the unsubscribe. */
function followHostLink(registry: Registry, channel: HostChannel): () => void {
  const linkUp = new Gauge({ name: 'posbridge_host_link_up', help: '1 while the connection to the acquirer host is open', registers: [registry] });
  const reconnects = new Counter({ name: 'posbridge_host_reconnects_total', help: 'Connections to the acquirer host made again after one was lost', registers: [registry] });
  const disconnects = new Counter({ name: 'posbridge_host_disconnects_total', help: 'Connections to the acquirer host lost or closed', registers: [registry] });
  linkUp.set(channel.connected ? 1 : 0);
  let everConnected = channel.connected;
  return channel.onState((s) => {
    linkUp.set(s === 'connected' ? 1 : 0);
    if (s === 'disconnected') disconnects.inc();
    else if (everConnected) reconnects.inc();
    else everConnected = true;
  });
}

/** The host queue, print queue, journal and backup gauges, read from the journal and the disk at scrape time. */
function registerStorageGauges(registry: Registry, p: MetricsParts): void {
  const queueGauge = (name: string, help: string, pick: (f: QueueFacts) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        if (!p.db.open) return;
        const facts = hostQueueFacts(p.db, p.clock());
        for (const k of QUEUE_KINDS) this.set({ kind: k }, pick(facts[k]));
      },
    });
  };
  queueGauge('posbridge_host_queue_depth', 'Host messages waiting to go (due or in flight), by kind: reversal, advice (store-and-forward)', (f) => f.waiting);
  queueGauge('posbridge_host_queue_oldest_age_seconds', 'Age of the oldest host message waiting to go, by kind (0 when none waits)', (f) => f.oldestAgeSeconds);
  queueGauge('posbridge_host_queue_manual', 'Host messages that expired or ran out of retries and wait for a person (posbridge host queue), by kind', (f) => f.manual);
  const printerNames = Object.keys(allPrinters(p.config));
  new Gauge({
    name: 'posbridge_print_queue_depth',
    help: 'Receipts queued and not yet printed, by printer',
    labelNames: ['printer'],
    registers: [registry],
    collect() {
      if (!p.db.open) return;
      for (const [printer, n] of printQueueDepths(p.db, printerNames)) this.set({ printer }, n);
    },
  });
  const journalFile = join(p.dataDir, 'journal.db');
  new Gauge({ name: 'posbridge_journal_size_bytes', help: 'Size of the journal database and its write-ahead log', registers: [registry], collect() { this.set(journalSizeBytes(journalFile)); } });
  const backupDir = join(p.dataDir, 'backups');
  new Gauge({ name: 'posbridge_backup_files', help: 'Journal backups kept in <dataDir>/backups', registers: [registry], collect() { this.set(backupFacts(backupDir).files); } });
  new Gauge({
    name: 'posbridge_backup_age_seconds',
    help: 'Age of the newest journal backup (+Inf while there is none)',
    registers: [registry],
    collect() {
      const { newestMs } = backupFacts(backupDir);
      this.set(newestMs === null ? Infinity : Math.max(0, (p.clock() - newestMs) / 1000));
    },
  });
}

/** Each lane's devices up or down, read at scrape time (readers from the driver's events, the rest asked). */
function registerDeviceGauge(registry: Registry, p: MetricsParts, readers: ReaderPresence): void {
  new Gauge({
    name: 'posbridge_device_up',
    help: "1 when a lane's device is usable, by lane and device: reader, contactless, pinpad, printer, display, stripe",
    labelNames: ['lane', 'device'],
    registers: [registry],
    async collect() {
      // The PIN pads are asked at once (a serial pad answers within 1.5 s, or counts as down).
      const padUp = new Map(await Promise.all(p.config.lanes.map(async (l) => [l.name, (await p.pinPads.get(l.name)?.status())?.connected] as const)));
      this.reset();
      for (const l of p.config.lanes) {
        const set = (device: string, up: boolean): void => void this.set({ lane: l.name, device }, up ? 1 : 0);
        set('reader', readers.has(l.reader));
        if (l.contactless) set('contactless', readers.has(l.contactless));
        const pad = padUp.get(l.name);
        if (pad !== undefined) set('pinpad', pad);
        const named = lanePrinter(p.config, l);
        const st = named ? p.devices.allPrinters().find((x) => x.name === named.name)?.lastStatus : undefined;
        // Until the first status read there is nothing to say: the series appears with the first read (5 s).
        if (st) set('printer', !('error' in st) && st.online && !st.coverOpen && st.paper !== 'end');
        const display = p.devices.displayFor(l.name);
        if (display) set('display', display.connected);
        const stripe = p.stripes.get(l.name);
        if (stripe) set('stripe', stripeStatus(stripe).connected);
      }
    },
  });
}

/** Builds the registry, follows the daemon's events and starts the endpoint's own HTTP server. */
export async function startMetrics(p: MetricsParts): Promise<RunningMetrics> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry }); // process_* and nodejs_*: CPU, memory, event loop lag, handles
  const stops: (() => void)[] = [];
  const unfollow = (): void => stops.splice(0).forEach((stop) => stop());
  try {
    stops.push(followPayments(registry, p.store), followHostLink(registry, p.channel));
    const readers = new ReaderPresence(p.driver);
    stops.push(() => readers.close());
    // Without the PC/SC service the list is empty: the readers check fails until the service is back and says so.
    const listed = await p.driver.listReaders().catch((err: unknown) => {
      if (!(err instanceof ReaderError)) throw err;
      p.logger.warn("metrics: the readers could not be listed at start; following the service's events", { code: err.code });
      return [];
    });
    readers.seed(listed.map((r) => r.name));
    registerStorageGauges(registry, p);
    registerDeviceGauge(registry, p, readers);
    const readyParts = { db: p.db, channel: p.channel, readers, lanes: p.config.lanes };
    new Gauge({ name: 'posbridge_ready', help: '1 when /readyz answers 200 (journal open, host reachable or queueing, readers present)', registers: [registry], collect() { this.set(readiness(readyParts).ready ? 1 : 0); } });
    new Gauge({ name: 'posbridge_lanes', help: 'Lanes configured', registers: [registry], collect() { this.set(p.config.lanes.length); } });
    const server = await startMetricsServer({ bind: p.metrics.bind, port: p.metrics.port, registry, readiness: () => readiness(readyParts), logger: p.logger });
    if (metricsExposed(p.metrics)) p.logger.warn('metrics endpoint reachable from other machines: let only the Prometheus server reach it (firewall)', { bind: p.metrics.bind, port: server.port });
    return {
      url: server.url,
      port: server.port,
      async stop() {
        unfollow();
        await server.close();
      },
    };
  } catch (err) {
    unfollow();
    throw err;
  }
}
