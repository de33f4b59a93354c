import { join } from 'node:path';
import { ClientRegistry } from '../api/clients.js';
import { paymentMethods } from '../api/payment-methods.js';
import { adminMethods } from '../api/admin-methods.js';
import { reportMethods } from '../api/report-methods.js';
import { ShiftDesk } from '../reports/shift-desk.js';
import type { MethodSpec } from '../api/rpc.js';
import { ApiServer } from '../api/server.js';
import { defaultDataDir } from '../config/paths.js';
import { IsolatedPcscDriver } from '../drivers/pcsc/isolated-pcsc-driver.js';
import { checkDataDir, checkPortFree, StartedParts } from './preflight.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { PUBLISHED_CA_KEYS } from '../emv/ca-keys.js';
import { defaultTerminalConfig } from '../emv/terminal-defaults.js';
import { createHostStack, type HostStack } from '../host/stack.js';
import type { Logger } from '../log/logger.js';
import { loadKeyFile } from '../journal/sealed.js';
import { followReversals } from '../payments/reversal-outcomes.js';
import { notifyPaymentUpdates } from '../api/payment-updates.js';
import { PaymentStore } from '../payments/payment-store.js';
import type { DaemonConfig } from './config.js';
import { deviceMethods } from '../api/device-methods.js';
import { lanePinPad, laneStripe } from './config.js';
import { STRIPE_KINDS, stripeStatus, type LaneStripe } from './lane-stripe.js';
import { kindOf } from './device-kind.js';
import { CardPresence } from './card-presence.js';
import { LaneDevices } from './lane-devices.js';
import { buildLanes } from './lanes.js';
import { forwardReaderEvents, Notifier } from './notifier.js';
import { startSchedules } from './schedules.js';
import type { DemoPrinter } from './demo-parts.js';
import type { CardSlot } from './sim-methods.js';
import { VirtualPinPads } from './virtual-pin-pads.js';
import { refuseSimulators } from './demo-only.js';
import { field41, field42 } from '../config/terminal-identity.js';
import type { RunningNexo } from '../nexo/nexo-endpoint.js';
import { lanePoiId } from '../nexo/nexo-config.js';
import { autoCard } from './auto-card.js';
import type { RunningMetrics } from './metrics.js';
import { resolveHostTls } from './host-tls.js';
import { startInvoicing } from './invoicing.js';

/** A running daemon. */
export interface RunningDaemon {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** The nexo endpoint (Adyen Terminal API, local mode), when configured: its URL, certificate and lanes' POIIDs. */
  readonly nexo: { readonly url: string; readonly port: number; readonly certificatePath: string; readonly poiIds: readonly string[] } | null;
  /** The Prometheus endpoint (/metrics, /healthz, /readyz), when configured: its URL and port. */
  readonly metrics: { readonly url: string; readonly port: number } | null;
  /** Pairs an API client (the demo prints a token this way). */
  pair(name: string, role: 'cashier' | 'supervisor' | 'admin'): string;
  /** Stops in reverse order: API, lanes (finishing or parking the running payments), host link, driver, journal. */
  stop(): Promise<void>;
}

/**
 * The one composition root: reads the config, builds each part, starts them in order (journal → recovery → host
 * link → readers → lanes → API) and stops them in reverse. No module-level singletons: the logger and clock go in.
 */
export async function startDaemon(config: DaemonConfig, logger: Logger, clock: () => number = Date.now, demoSlots?: ReadonlyMap<string, CardSlot>, demoPrinter?: DemoPrinter): Promise<RunningDaemon> {
  const dataDir = config.dataDir ?? defaultDataDir();
  refuseSimulators(config);
  // What stands in the way is said before anything starts; a failure later closes what had started, so a daemon
  // that cannot start exits at once instead of lingering with half its parts running.
  checkDataDir(dataDir);
  await checkPortFree(config.port);
  const started = new StartedParts();
  // The invoice QR template rides with the shop's details to every receipt (printed, previewed, sent as text).
  if (config.invoice?.qrUrl) config = { ...config, merchant: { ...config.merchant, invoiceQrUrl: config.invoice.qrUrl } };
  try {
    return await buildDaemon(config, dataDir, logger, clock, started, demoSlots, demoPrinter);
  } catch (err) {
    await started.closeAll((what, e) => logger.error(`start-up failed: closing the ${what} failed too`, { err: e }));
    throw err;
  }
}

async function buildDaemon(config: DaemonConfig, dataDir: string, logger: Logger, clock: () => number, started: StartedParts, demoSlots?: ReadonlyMap<string, CardSlot>, demoPrinter?: DemoPrinter): Promise<RunningDaemon> {
  // The simulators are reached only through this import, and only in demo mode: a production run never loads src/sim.
  const demo = config.demo ? await import('./demo-parts.js') : null;
  const sim = demo && config.host === 'simulator' ? new demo.HostSimulator({ port: 0, logger }) : null;
  const simPort = sim ? await sim.start() : 0;
  if (sim) started.add('host simulator', () => sim.stop());
  const target = config.host === 'simulator' ? { host: '127.0.0.1', port: simPort } : config.host;
  // One terminal identity, from the config: fields 41/42 here, 9F1C in the kernel below, the receipt and the journal.
  const identity = { terminalId: field41(config.merchant.terminalId), merchantId: field42(config.merchant.merchantId) };
  const stack: HostStack = createHostStack({ host: target.host, port: target.port, dataDir, logger, autoForward: true, purpose: 'posbridge daemon', identity, ...(config.host !== 'simulator' && config.host.tls ? { channel: { tls: resolveHostTls(config.host.tls) } } : {}) });
  started.add('host link and journal', () => stack.close());
  // The PAN look-up hash is keyed with a secret of the shop's own (HMAC), so the hashes are useless elsewhere.
  const store = new PaymentStore(stack.db, new Uint8Array(loadKeyFile(join(dataDir, 'pan-hash.key'))), config.merchant.terminalId);
  const recovered = store.recover(clock());
  const requeued = stack.queue.recover(clock());
  if (recovered.length || requeued) logger.warn('recovered after a restart', { payments: recovered, queued: requeued });
  store.onListenerError = (err, c) => logger.error('payment change listener failed', { paymentId: c.payment.id, err });
  // A reversal-pending payment moves on the worker's word that its reversal ended (no poll); before the worker starts.
  const stopReversals = followReversals({ store, queue: stack.queue, worker: stack.worker, clock, logger });
  stack.worker.start(5000);
  stack.network.start(60_000);

  const virtual = demo && config.readers === 'virtual' ? new demo.InProcessReaderDriver(config.lanes.flatMap((l) => (l.contactless ? [l.reader, l.contactless] : [l.reader]))) : null;
  const driver: ReaderDriver = virtual ?? (await IsolatedPcscDriver.create({ logger }));
  started.add('reader driver', () => driver.close());
  const pads = new VirtualPinPads();
  // A PIN entry ends the moment its card leaves the reader (not at the PIN timeout).
  const presence = new CardPresence();
  const unwatchCards = driver.subscribe((e) => {
    if (e.type === 'card-inserted') presence.inserted(e.reader);
    else if (e.type === 'card-removed') presence.removed(e.reader);
  });
  const clients = new ClientRegistry(stack.db);
  const notifier = new Notifier();
  const devices = new LaneDevices(config, stack.db, config.merchant, (id) => store.get(id), (o) => notifier.notify('receipt.printed', { ...o }), logger);
  // autoPrint: the receipts are queued in the journal transaction that ends the payment (printed right after).
  if ((config.autoPrint ?? 'none') !== 'none') store.setFinalHook((p) => devices.queueAutoPrint(p, clock()));
  const terminal = defaultTerminalConfig([...PUBLISHED_CA_KEYS, ...(demo ? demo.simCaKeys() : [])], { terminalId: config.merchant.terminalId });
  const stripes = new Map<string, LaneStripe>();
  for (const l of config.lanes) {
    const spec = laneStripe(config, l);
    if (spec) {
      const st = await kindOf(STRIPE_KINDS, spec, `lanes.${l.name}.stripe`).open(spec, l.name, logger, 3000, demo ? () => new demo.SimulatedHidBinding() : undefined);
      stripes.set(l.name, st);
      started.add(`stripe reader of lane ${l.name}`, async () => st.reader?.close());
    }
  }
  const { lanes, pinPads } = buildLanes({
    config,
    driver,
    store,
    link: stack.link,
    terminal,
    devices,
    stripes,
    presence,
    pads,
    notifier,
    logger,
    clock,
    started: (what, close) => started.add(what, close),
    ...(demo ? { simulatedEntry: (supplier) => new demo.SimulatedPinEntry(supplier) } : {}),
  });
  const invoiceSim = demo && config.invoice?.endpoint === 'simulator' ? new demo.InvoiceEndpointSimulator() : null;
  const invoiceSimUrl = invoiceSim ? await invoiceSim.start() : undefined;
  if (invoiceSim) started.add('invoicing-service simulator', () => invoiceSim.stop());
  const invoicing = startInvoicing({ config, db: stack.db, payments: store, notifier, logger, clock, ...(invoiceSimUrl ? { simulatorUrl: invoiceSimUrl } : {}) });
  started.add('invoice delivery', () => invoicing.stop());
  const schedules = startSchedules({ config, dataDir, db: stack.db, devices, notifier, logger, clock });
  started.add('schedules', async () => schedules.stop());
  // Demo on in-process readers: a lane with pinpad "reader" gets a class-3 reader whose keypad is sim.enterPin.
  if (virtual && config.demo) for (const l of config.lanes) if (lanePinPad(config, l) === 'reader') virtual.setPinPad(l.reader, (p) => pads.next(l.name, p.timeoutS * 1000, p.signal));
  const readersByLane = new Map(config.lanes.map((l) => [l.name, l.reader]));
  const desk = new ShiftDesk(stack.db, stack.batches, config.merchant, (lane) => devices.printingFor(lane));
  const methods = new Map<string, MethodSpec>([
    ...paymentMethods({ store, lanes, driver, refundLimitForCashier: config.refundLimitForCashier, merchant: config.merchant, clock, printingFor: (lane) => devices.printingFor(lane) }),
    ...adminMethods({ store, host: stack, driver, readers: readersByLane, diagEnabled: config.diagTransmit, clock, desk }),
    ...reportMethods({ db: stack.db, batches: stack.batches, merchant: config.merchant, lanes: config.lanes.map((l) => l.name), desk, printingFor: (lane) => devices.printingFor(lane), clock }),
    ...invoicing.methods,
    ...deviceMethods({
      driver,
      readers: readersByLane,
      devices: async (lane) => {
        const stripe = stripes.get(lane);
        return { ...(await devices.status(lane, (await pinPads.get(lane)?.status()) ?? null)), stripe: stripe ? stripeStatus(stripe) : null };
      },
      openDrawer: (lane) => devices.openDrawer(lane),
    }),
  ]);
  // Demo mode: cards go into the in-process readers, or into the vpcd slots the caller gives (real pcscd).
  const slots: ReadonlyMap<string, CardSlot> | undefined =
    demoSlots ?? (virtual && demo ? demo.virtualSlots(virtual, config.lanes) : undefined);
  if (demo) for (const [k, v] of demo.invoiceSimMethods(invoiceSim)) methods.set(k, v);
  // sim.alterHost names a payment by its reference; the simulator knows it by terminal id and STAN.
  const stanOf = (reference: string): { terminalId: string; stan: string } | null => {
    const p = store.byReference(reference);
    const stan = p ? stack.batches.stanOf(p.id) : null;
    return stan ? { terminalId: identity.terminalId, stan } : null;
  };
  const simStripes = new Map([...stripes].flatMap(([lane, st]) => (st.simulated ? [[lane, st.simulated] as const] : [])));
  if (demo && slots) for (const [k, v] of demo.simMethods(slots, pads, sim, demoPrinter ?? null, () => schedules.pollPrinters(), simStripes, stanOf)) methods.set(k, v);
  const server = new ApiServer({ port: config.port, allowedOrigins: config.allowedOrigins, clients, methods, logger, lanes: () => config.lanes.map((l) => ({ lane: l.name, reader: l.reader })) });
  started.add('printers and displays', () => devices.close());
  const port = await server.start();
  started.add('API server', () => server.stop());
  notifier.bind((m, params) => server.notify(m, params));
  // The nexo endpoint: the same payment methods behind Adyen's local Terminal API (docs/nexo.md).
  // The nexo endpoint (and its TLS and crypto) is loaded only when it is configured.
  const nexo: RunningNexo | null = config.nexo ? await (await import('../nexo/nexo-endpoint.js')).startNexo({ config: config.nexo, lanes: config.lanes, dataDir, methods, store, merchant: config.merchant, receiptWidth: (lane) => devices.printingFor(lane)?.layout.cpl ?? 42, logger }) : null;
  if (nexo) started.add('nexo endpoint', () => nexo.stop());
  // Demo: --auto-card presents a virtual card (and types its PIN) to every payment that waits for one.
  const auto = demo && config.autoCard ? autoCard({ methods, profile: config.autoCard.profile, pin: demo.profileInfo(config.autoCard.profile).pin, delayMs: config.autoCard.delayMs, logger }) : null;
  const untap = auto ? notifier.tap(auto.listener) : () => undefined;
  const unsubscribe = forwardReaderEvents(driver, config.lanes, notifier);
  // The Prometheus endpoint, on a server of its own; prom-client is loaded only when it is configured.
  const metrics: RunningMetrics | null = config.metrics
    ? await (await import('./metrics.js')).startMetrics({ metrics: config.metrics, config, dataDir, db: stack.db, store, channel: stack.channel, driver, devices, pinPads, stripes, logger, clock })
    : null;
  if (metrics) started.add('metrics endpoint', () => metrics.stop());
  devices.resumePrinting(clock()); // receipts queued before a restart print at once
  // Every change after a payment's end is told (payment.updated).
  const stopUpdates = notifyPaymentUpdates(store, (p) => lanes.get(p.lane)?.flow.owns(p.id) === true, (m, params) => notifier.notify(m, params));
  logger.info('daemon ready', { port, lanes: config.lanes.map((l) => l.name), host: config.host === 'simulator' ? 'simulator' : `${target.host}:${target.port}` });
  return {
    port,
    url: `ws://127.0.0.1:${port}/v1`,
    dataDir,
    metrics: metrics ? { url: metrics.url, port: metrics.port } : null,
    nexo: nexo ? { url: nexo.url, port: nexo.port, certificatePath: nexo.certificatePath, poiIds: config.lanes.map(lanePoiId) } : null,
    pair: (name, role) => clients.pair(name, role, clock()).token,
    async stop() {
      stopUpdates();
      schedules.stop();
      unsubscribe();
      unwatchCards();
      untap();
      auto?.stop();
      await metrics?.stop();
      await nexo?.stop(); // before the API: no new payment comes in by either face
      await server.stop();
      // SIGTERM: payments not yet at the host are cancelled; the others finish (bounded by the kernel's own timeouts).
      for (const l of lanes.values()) l.flow.park();
      for (const l of lanes.values()) await l.flow.idle();
      // Each part is closed even when one before it fails: the journal last, always.
      const closing: [string, () => Promise<void>][] = [
        ...[...pinPads].map(([lane, p]): [string, () => Promise<void>] => [`PIN pad of lane ${lane}`, () => p.close()]),
        ...[...stripes].map(([lane, st]): [string, () => Promise<void>] => [`stripe reader of lane ${lane}`, async () => st.reader?.close()]),
        ['printers and displays', () => devices.close()],
        ['reader driver', () => driver.close()],
        ['invoice delivery', () => invoicing.stop()],
        ['host link and journal', () => stack.close()],
        ['host simulator', async () => sim?.stop()],
        ['invoicing-service simulator', async () => invoiceSim?.stop()],
      ];
      for (const [what, close] of closing) {
        try {
          await close();
        } catch (err) {
          logger.error(`stopping: closing the ${what} failed`, { err });
        }
      }
      stopReversals(); // after the host link stopped: a reversal acknowledged while stopping still moved its payment
    },
  };
}

