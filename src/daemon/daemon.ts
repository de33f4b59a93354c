import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ClientRegistry } from '../api/clients.js';
import { paymentMethods, paymentView } from '../api/payment-methods.js';
import { adminMethods } from '../api/admin-methods.js';
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
import { backupJournal } from '../journal/backup.js';
import { PaymentFlow } from '../payments/payment-flow.js';
import { followReversals } from '../payments/reversal-outcomes.js';
import { notifyPaymentUpdates } from '../api/payment-updates.js';
import { PaymentStore } from '../payments/payment-store.js';
import type { DaemonConfig } from './config.js';
import { textReceipt } from '../receipts/text-receipt.js';
import { deviceMethods } from '../api/device-methods.js';
import { lanePinPad, laneStripe } from './config.js';
import { openLaneStripe, stripeStatus, type LaneStripe } from './lane-stripe.js';
import { CardPresence } from './card-presence.js';
import { LaneDevices } from './lane-devices.js';
import { capabilitiesFor, createLanePinPad, type LanePinPad } from './lane-pinpad.js';
import type { TerminalConfig } from '../emv/types.js';
import type { PinPadConfig } from './config.js';
import type { EscPosEmulator } from '../sim/printer/escpos-emulator.js';
import type { CardSlot } from './sim-methods.js';
import { VirtualPinPads } from './virtual-pin-pads.js';
import { refuseSimulators } from './demo-only.js';
import { field41, field42 } from '../config/terminal-identity.js';

/** A running daemon. */
export interface RunningDaemon {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** Pairs an API client (the demo prints a token this way). */
  pair(name: string, role: 'cashier' | 'supervisor' | 'admin'): string;
  /** Stops in reverse order: API, lanes (finishing or parking the running payments), host link, driver, journal. */
  stop(): Promise<void>;
}

/**
 * The one composition root: reads the config, builds each part, starts them in order (journal → recovery → host
 * link → readers → lanes → API) and stops them in reverse. No module-level singletons: the logger and clock go in.
 */
export async function startDaemon(config: DaemonConfig, logger: Logger, clock: () => number = Date.now, demoSlots?: ReadonlyMap<string, CardSlot>, demoPrinter?: EscPosEmulator): Promise<RunningDaemon> {
  const dataDir = config.dataDir ?? defaultDataDir();
  refuseSimulators(config);
  // What stands in the way is said before anything starts; a failure later closes what had started, so a daemon
  // that cannot start exits at once instead of lingering with half its parts running.
  checkDataDir(dataDir);
  await checkPortFree(config.port);
  const started = new StartedParts();
  try {
    return await buildDaemon(config, dataDir, logger, clock, started, demoSlots, demoPrinter);
  } catch (err) {
    await started.closeAll((what, e) => logger.error(`start-up failed: closing the ${what} failed too`, { err: e }));
    throw err;
  }
}

async function buildDaemon(config: DaemonConfig, dataDir: string, logger: Logger, clock: () => number, started: StartedParts, demoSlots?: ReadonlyMap<string, CardSlot>, demoPrinter?: EscPosEmulator): Promise<RunningDaemon> {
  // The simulators are reached only through this import, and only in demo mode: a production run never loads src/sim.
  const demo = config.demo ? await import('./demo-parts.js') : null;
  const sim = demo && config.host === 'simulator' ? new demo.HostSimulator({ port: 0, logger }) : null;
  const simPort = sim ? await sim.start() : 0;
  if (sim) started.add('host simulator', () => sim.stop());
  const target = config.host === 'simulator' ? { host: '127.0.0.1', port: simPort } : config.host;
  // One terminal identity, from the config: fields 41/42 here, 9F1C in the kernel below, the receipt and the journal.
  const identity = { terminalId: field41(config.merchant.terminalId), merchantId: field42(config.merchant.merchantId) };
  const stack: HostStack = createHostStack({ host: target.host, port: target.port, dataDir, logger, autoForward: true, purpose: 'posbridge daemon', identity, ...(config.host !== 'simulator' && config.host.tls ? { channel: { tls: config.host.tls } } : {}) });
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

  const virtual = demo && config.readers === 'virtual' ? new demo.InProcessReaderDriver(config.lanes.map((l) => l.reader)) : null;
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
  let server: ApiServer | null = null;
  const devices = new LaneDevices(config, stack.db, config.merchant, (id) => store.get(id), (o) => server?.notify('receipt.printed', { ...o }), logger);
  // autoPrint: the receipts are queued in the journal transaction that ends the payment (printed right after).
  if ((config.autoPrint ?? 'none') !== 'none') store.setFinalHook((p) => devices.queueAutoPrint(p, clock()));
  const pinPads = new Map<string, LanePinPad>();
  const terminal = defaultTerminalConfig([...PUBLISHED_CA_KEYS, ...(demo ? demo.simCaKeys() : [])], { terminalId: config.merchant.terminalId });
  const laneTerminalConfig = (kind: PinPadConfig): TerminalConfig => ({ ...terminal, capabilities: capabilitiesFor(kind, terminal.capabilities) });
  const stripes = new Map<string, LaneStripe>();
  for (const l of config.lanes) {
    const spec = laneStripe(config, l);
    if (spec) {
      const st = await openLaneStripe(spec, l.name, logger, 3000, demo ? () => new demo.SimulatedHidBinding() : undefined);
      stripes.set(l.name, st);
      started.add(`stripe reader of lane ${l.name}`, async () => st.reader?.close());
    }
  }
  const lanes = new Map<string, { flow: PaymentFlow; reader: string }>();
  for (const l of config.lanes) {
    const display = devices.displayFor(l.name);
    const pinPad = createLanePinPad(lanePinPad(config, l), {
      lane: l.name,
      reader: l.reader,
      driver,
      falsePinPadReaders: config.falsePinPadReaders ?? [],
      logger,
      onPrompt: (prompt) => server?.notify('payment.progress', { lane: l.name, step: 'pin-entry', message: `Enter PIN${prompt.triesLeft !== undefined ? ` (${prompt.triesLeft} tries left)` : ''}` }),
      virtualPin: (prompt) => {
        const entry = presence.forEntry(l.reader, prompt);
        return entry.wait(pads.next(l.name, 60_000, entry.signal));
      },
      presence,
      onCancelKey: () => lanes.get(l.name)?.flow.cancelByCardholder(),
      ...(demo ? { simulatedEntry: (supplier) => new demo.SimulatedPinEntry(supplier) } : {}),
    });
    pinPads.set(l.name, pinPad);
    started.add(`PIN pad of lane ${l.name}`, () => pinPad.close());
    const flow = new PaymentFlow({
      lane: l.name,
      reader: l.reader,
      store,
      driver,
      link: stack.link,
      config: laneTerminalConfig(lanePinPad(config, l)),
      pin: pinPad.entry,
      stripe: stripes.get(l.name)?.reader ?? null,
      clock,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      cardTimeoutMs: 120_000,
      onProgress: (p) => {
        server?.notify('payment.progress', { ...p, lane: l.name });
        if (p.step === 'waiting-for-card') pads.clear(l.name);
        const payment = store.get(p.paymentId);
        display?.progress(p.step, payment);
        pinPad.progress(p.step, payment);
      },
      onCompleted: (p) => {
        display?.completed(p);
        pinPad.progress('completed', p);
        server?.notify('payment.completed', {
          ...paymentView(p),
          scheme: schemeOf(p.aid),
          receipt: p.state === 'completed' || p.state === 'declined' ? textReceipt(p, config.merchant, 'customer').join('\n') : null,
        });
        devices.printQueued(l.name, clock()); // autoPrint's receipts, queued with the final state
      },
      logger,
    });
    lanes.set(l.name, { flow, reader: l.reader });
  }
  // Demo on in-process readers: a lane with pinpad "reader" gets a class-3 reader whose keypad is sim.enterPin.
  if (virtual && config.demo) for (const l of config.lanes) if (lanePinPad(config, l) === 'reader') virtual.setPinPad(l.reader, (p) => pads.next(l.name, p.timeoutS * 1000, p.signal));
  const readersByLane = new Map(config.lanes.map((l) => [l.name, l.reader]));
  const methods = new Map<string, MethodSpec>([
    ...paymentMethods({ store, lanes, driver, refundLimitForCashier: config.refundLimitForCashier, merchant: config.merchant, clock, printingFor: (lane) => devices.printingFor(lane) }),
    ...adminMethods({ store, host: stack, driver, readers: readersByLane, diagEnabled: config.diagTransmit, clock }),
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
    demoSlots ?? (virtual && demo ? new Map(config.lanes.map((l) => [l.name, { insert: (profile: string) => virtual.insertCard(l.reader, demo.createCard(profile)), remove: () => virtual.removeCard(l.reader) }])) : undefined);
  if (demo && slots) for (const [k, v] of demo.simMethods(slots, pads, sim, demoPrinter ?? null, () => pollPrinters(), new Map([...stripes].flatMap(([lane, st]) => (st.simulated ? [[lane, st.simulated] as const] : []))))) methods.set(k, v);
  server = new ApiServer({ port: config.port, allowedOrigins: config.allowedOrigins, clients, methods, logger, lanes: () => config.lanes.map((l) => ({ lane: l.name, reader: l.reader })) });
  started.add('printers and displays', () => devices.close());
  const port = await server.start();
  const unsubscribe = driver.subscribe((e) => {
    const lane = 'reader' in e ? config.lanes.find((l) => l.reader === e.reader)?.name : undefined;
    if (e.type === 'card-inserted' || e.type === 'card-removed') server?.notify(e.type === 'card-inserted' ? 'card.inserted' : 'card.removed', { lane: lane ?? null });
    else server?.notify('device.changed', { event: e.type, lane: lane ?? null });
  });
  const backups = config.backup
    ? setInterval(() => {
        backupJournal(stack.db, join(dataDir, 'backups'), config.backup?.keep ?? 7, new Date(clock())).then(
          (file) => logger.info('journal backed up', { file }),
          (err: unknown) => logger.error('journal backup failed', { err }),
        );
      }, config.backup.everyHours * 3600_000)
    : null;
  backups?.unref();
  // Queued receipts (paper out, printer off) print by themselves once the printer can: checked every 2 s. Printer
  // status changes (paper, cover, drawer, reachability) are announced as device.changed, polled every 5 s.
  const printTimer = setInterval(() => {
    for (const p of devices.allPrinters()) {
      if (p.printing.pendingCount() > 0) p.printing.tick(clock()).catch((err: unknown) => logger.error('receipt print retry failed', { printer: p.name, err }));
    }
  }, 2000);
  printTimer.unref();
  devices.resumePrinting(clock()); // receipts queued before a restart print at once
  const pollPrinters = async (): Promise<void> => {
    for (const p of devices.allPrinters()) {
      const before = JSON.stringify(p.lastStatus);
      const now = await devices.readStatus(p);
      if (JSON.stringify(now) !== before) for (const lane of devices.lanesOf(p.name)) server?.notify('device.changed', { event: 'printer-status', lane, device: 'printer', status: now });
    }
  };
  let polling = false;
  const statusTimer = devices.allPrinters().length
    ? setInterval(() => {
        if (polling) return; // a silent printer's status read takes seconds: never pile polls up
        polling = true;
        pollPrinters()
          .catch((err: unknown) => logger.error('printer status poll failed', { err }))
          .finally(() => (polling = false));
      }, 5000)
    : null;
  statusTimer?.unref();
  // Every change after a payment's end is told (payment.updated).
  const stopUpdates = notifyPaymentUpdates(store, (p) => lanes.get(p.lane)?.flow.owns(p.id) === true, (m, params) => server?.notify(m, params));
  logger.info('daemon ready', { port, lanes: config.lanes.map((l) => l.name), host: config.host === 'simulator' ? 'simulator' : `${target.host}:${target.port}` });
  return {
    port,
    url: `ws://127.0.0.1:${port}/v1`,
    dataDir,
    pair: (name, role) => clients.pair(name, role, clock()).token,
    async stop() {
      stopUpdates();
      clearInterval(printTimer);
      if (statusTimer) clearInterval(statusTimer);
      if (backups) clearInterval(backups);
      unsubscribe();
      unwatchCards();
      await server?.stop();
      // SIGTERM: payments not yet at the host are cancelled; the others finish (bounded by the kernel's own timeouts).
      for (const l of lanes.values()) l.flow.park();
      for (const l of lanes.values()) await l.flow.idle();
      // Each part is closed even when one before it fails: the journal last, always.
      const closing: [string, () => Promise<void>][] = [
        ...[...pinPads].map(([lane, p]): [string, () => Promise<void>] => [`PIN pad of lane ${lane}`, () => p.close()]),
        ...[...stripes].map(([lane, st]): [string, () => Promise<void>] => [`stripe reader of lane ${lane}`, async () => st.reader?.close()]),
        ['printers and displays', () => devices.close()],
        ['reader driver', () => driver.close()],
        ['host link and journal', () => stack.close()],
        ['host simulator', async () => sim?.stop()],
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

/** The card scheme from the AID's registered application provider (first 5 bytes). */
export function schemeOf(aid: string | null): string | null {
  if (!aid) return null;
  const rid = aid.slice(0, 10).toUpperCase();
  const names: Readonly<Record<string, string>> = {
    A000000003: 'visa',
    A000000004: 'mastercard',
    A000000025: 'amex',
    A000000042: 'cb',
    A000000065: 'jcb',
    A000000152: 'discover',
    A000000333: 'unionpay',
    A000000277: 'interac',
  };
  return names[rid] ?? null;
}
