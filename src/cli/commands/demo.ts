// `posbridge demo`: the daemon on simulated devices. Its own module, imported only when the command runs, so the
// simulators it starts are never loaded by `posbridge daemon`.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID } from '../../config/terminal-identity.js';
import type { DaemonConfig } from '../../daemon/config.js';
import { startDaemon } from '../../daemon/daemon.js';
import { createLogger } from '../../log/logger.js';
import { PcscdStack } from '../../sim/pcscd-stack.js';
import { EscPosEmulator } from '../../sim/printer/escpos-emulator.js';
import { WorkerCardSlot } from '../../sim/worker-card-slot.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { waitForStop } from './daemon.js';
import { DEMO_CASHIERS, DEMO_LANES, DEMO_NEXO, demoMetrics, nexoPort, parseAutoCard, type DemoOptions } from './demo-options.js';
import { listProfiles } from '../../sim/emv/catalog.js';

/** A free TCP port whose successor is free too (vpcd opens two slots: port and port+1). */
async function freePortPair(): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let i = 0; i < 20; i++) {
    const p = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (p > 0 && p < 65535 && (await free(p + 1))) return p;
  }
  throw new UsageError('no free pair of TCP ports for the vpcd reader');
}

/**
 * `posbridge demo [--port N] [--json]`: the daemon in demo mode — a virtual reader and card, a virtual PIN pad and
 * the host simulator — with a demo token; `--json` prints one line {"url","token","cashiers","lanes","page",…} once ready.
 */
export async function demoCommand(ctx: CliContext, opts: DemoOptions, signal?: AbortSignal): Promise<number> {
  const port = opts.port === undefined ? 17620 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got "${opts.port}"`);
  const ownDir = process.env.POSBRIDGE_DATA_DIR === undefined;
  const dataDir = process.env.POSBRIDGE_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'posbridge-demo-'));
  // A demo's journal is throw-away: removed at the end, also when the process is ended by a second signal.
  const removeDir = (): void => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', removeDir);
  const parts: (() => Promise<void>)[] = [];
  try {
    return await runDemoDaemon(ctx, opts, port, dataDir, ownDir, parts, signal);
  } finally {
    // Each part is closed even when one before it fails: pcscd and the data directory must not stay behind.
    for (const close of parts.reverse()) {
      await close().catch((err: unknown) => ctx.err(`posbridge demo: stopping: ${err instanceof Error ? err.message : String(err)}`));
    }
    removeDir();
    process.removeListener('exit', removeDir);
  }
}

async function runDemoDaemon(ctx: CliContext, opts: DemoOptions, port: number, dataDir: string, ownDir: boolean, parts: (() => Promise<void>)[], signal?: AbortSignal): Promise<number> {
  // --pcsc: the virtual card goes into a vpcd reader of a private pcscd (this process must run in a mount namespace
  // with its own /run/pcscd: npm run demo arranges it), so the daemon drives the real PC/SC stack.
  // --pcsc: lane A's contact and contactless readers are the two slots of one vpcd reader of a private pcscd (vpcd
  // serves one reader per pcscd: with two reader.conf entries a card shows in both). In-process: lanes A and B.
  const stack = opts.pcsc ? await PcscdStack.start({ port: await freePortPair(), readerName: 'Posbridge Virtual PCD' }) : null;
  if (stack) parts.push(() => stack.stop());
  const laneNames = stack ? DEMO_LANES.slice(0, 1) : DEMO_LANES;
  const lanes = laneNames.map((name) => {
    const [reader, contactless] = stack ? stack.readers : [`Posbridge Virtual Reader ${name}`, `Posbridge Virtual Contactless Reader ${name}`];
    // The virtual card answers pcscd from a thread of its own, never from the loop of the daemon that waits on it;
    // the second vpcd slot is the lane's contactless reader (taps: sim.tapCard).
    const cardSlot = stack ? new WorkerCardSlot(stack.ports[0]) : null;
    const tapSlot = stack ? new WorkerCardSlot(stack.ports[1]) : null;
    if (cardSlot) parts.push(() => cardSlot.close());
    if (tapSlot) parts.push(() => tapSlot.close());
    return { name, reader, contactless, cardSlot, tapSlot };
  });
  // A software receipt printer on a free port: receipt.print works in the demo and its output is visible.
  const printer = new EscPosEmulator();
  const printerUrl = `tcp://127.0.0.1:${await printer.listen(0)}`;
  parts.push(() => printer.close());
  const autoCard = parseAutoCard(opts.autoCard, listProfiles());
  // --nexo: Adyen's local Terminal API beside the WebSocket API, with the demo's published key (never for a shop).
  const nexo = opts.nexo ? { port: nexoPort(opts.nexoPort), bind: '127.0.0.1', keyIdentifier: DEMO_NEXO.keyIdentifier, keyVersion: DEMO_NEXO.keyVersion, passphrase: DEMO_NEXO.passphrase } : undefined;
  // Invoice requests: the QR code on customer receipts, and the simulated invoicing service as the endpoint.
  const DEMO_INVOICE = { qrUrl: 'https://invoice.example/issue?ref={reference}&amount={amount}&currency={currency}&date={date}&tid={terminalId}', endpoint: 'simulator' } as const;
  const metrics = demoMetrics(opts.metrics);
  const config: DaemonConfig = { ...(metrics ? { metrics } : {}), ...(nexo ? { nexo } : {}), ...(autoCard ? { autoCard } : {}), port, dataDir, allowedOrigins: [], host: 'simulator', readers: stack ? 'pcsc' : 'virtual', lanes: lanes.map((l) => ({ name: l.name, reader: l.reader, contactless: l.contactless, ...(l.name === 'A' ? { poiId: DEMO_NEXO.poiId } : {}) })), refundLimitForCashier: 5000, demo: true, diagTransmit: true, backup: null, printer: printerUrl, printerEncoding: 'cp858', merchant: { name: 'posbridge demo shop', address: ['1 Demo Street', '75001 Paris'], terminalId: DEFAULT_TERMINAL_ID, merchantId: DEFAULT_MERCHANT_ID }, invoice: DEMO_INVOICE };
  const logger = createLogger({ dataDir, consoleLevel: opts.json ? 'silent' : 'warn' });
  const slots = stack
    ? new Map(
        lanes.flatMap(({ name, cardSlot, tapSlot }) => (cardSlot && tapSlot ? [[name, { insert: (p: string) => cardSlot.insert(p), remove: () => cardSlot.remove(), contactless: tapSlot }] as const] : [])),
      )
    : undefined;
  const d = await startDaemon(config, logger, Date.now, slots, printer);
  parts.push(() => d.stop());
  const token = d.pair('demo', 'supervisor');
  // Two cashiers (API clients of the cashier role) beside the supervisor: reports and shifts are per cashier.
  const cashiers = DEMO_CASHIERS.map((name) => ({ name, token: d.pair(name, 'cashier') }));
  const nexoInfo = d.nexo ? { url: d.nexo.url, poiId: DEMO_NEXO.poiId, keyIdentifier: DEMO_NEXO.keyIdentifier, keyVersion: DEMO_NEXO.keyVersion, passphrase: DEMO_NEXO.passphrase, certificate: d.nexo.certificatePath } : null;
  const info = { url: d.url, token, cashiers, lanes: laneNames, page: `http://127.0.0.1:${d.port}/`, dataDir, pid: process.pid, ...(nexoInfo ? { nexo: nexoInfo } : {}), ...(d.metrics ? { metrics: d.metrics.url } : {}) };
  if (opts.json) ctx.out(JSON.stringify(info));
  else {
    ctx.out(`posbridge demo ready: ${info.url} (card reader: ${stack ? 'pcscd + vpcd' : 'in-process'})`);
    // The token rides in the fragment: browsers never send it to a server, and the served page carries no secret.
    ctx.out(`  page: ${info.page}#token=${encodeURIComponent(token)}  (open it in a browser: the cashier demo)`);
    ctx.out(`  token (supervisor): ${token}`);
    for (const c of cashiers) ctx.out(`  token (cashier "${c.name}"): ${c.token}`);
    ctx.out(`  lanes: ${laneNames.join(', ')} (each a contact and a contactless reader; one emulated printer)`);
    ctx.out(`  data: ${dataDir}${ownDir ? ' (removed at Ctrl-C)' : ''} — more clients: POSBRIDGE_DATA_DIR=${dataDir} posbridge pair --role cashier`);
    ctx.out(`  receipt printer (emulated): ${printerUrl} — receipt.print {paymentId}; sim.printed {lane} shows what it printed`);
    ctx.out('  try: sim.insertCard {lane:"A", profile:"visa-sda-pse"}, payment.start {lane:"A", type:"sale", amount:1234, currency:"EUR", reference:"r1"}, sim.enterPin {lane:"A", pin:"1234"}');
    ctx.out('  or tap: payment.start {…}, then sim.tapCard {lane:"A", profile:"visa-qvsdc-fdda"} (a phone: "visa-qvsdc-phone")');
    if (nexoInfo) ctx.out(`  nexo (Adyen local Terminal API): ${nexoInfo.url} POIID ${nexoInfo.poiId}, key ${nexoInfo.keyIdentifier} v${nexoInfo.keyVersion} passphrase "${nexoInfo.passphrase}", certificate ${nexoInfo.certificate} (docs/nexo.md)`);
    if (d.metrics) ctx.out(`  metrics (Prometheus): ${d.metrics.url}/metrics, ${d.metrics.url}/healthz, ${d.metrics.url}/readyz (docs/operations.md)`);
    if (autoCard) ctx.out(`  auto card: ${autoCard.profile} presented ${autoCard.delayMs} ms after each payment starts waiting for a card`);
    ctx.out('  invoices: the customer receipt of a sale carries the invoice QR code; invoice.request {paymentId, buyer:{name:"…"}} goes to the simulated invoicing service (sim.invoiceEndpoint shows what it received)');
    ctx.out('  Ctrl-C stops it.');
  }
  await waitForStop(signal);
  return EXIT.OK;
}
