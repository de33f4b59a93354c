// bench/api: the daemon's API costs, against baselines measured in the same run.
// - diag.transmit over the WebSocket vs the same reader's transmit called directly (added latency, target <= 0.2 ms);
// - a notification's fan-out to 100 connected clients (time to the last one, target <= 5 ms);
// - the daemon's RSS idle and during payments (target <= 80 MB), and start to ready (target <= 500 ms), on a child
//   process running `posbridge demo` (virtual readers: no pcscd needed).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { fromHex } from '../src/apdu/hex.js';
import { createCard } from '../src/sim/emv/catalog.js';
import { InProcessReaderDriver } from '../src/sim/in-process-reader.js';
import { median, report } from './stats.js';

const BIN = join(process.cwd(), 'dist', 'bin', 'posbridge.js');

class Conn {
  private seq = 0;
  private readonly waiting = new Map<number, (v: unknown) => void>();
  readonly notes: { method: string; at: bigint }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { id?: number; method?: string; result?: unknown; error?: unknown };
      if (m.method) this.notes.push({ method: m.method, at: process.hrtime.bigint() });
      else if (m.id !== undefined) this.waiting.get(m.id)?.(m.result ?? m.error);
    });
  }
  static async open(url: string): Promise<Conn> {
    const ws = new WebSocket(url);
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    return new Conn(ws);
  }
  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The Node flags the systemd unit in docs/security.md starts the daemon with: a small young generation, one V8 worker thread. */
export const SERVICE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];

/**
 * Runs the API benchmarks against a daemon started as the systemd unit in docs/security.md starts it
 * (SERVICE_FLAGS), and reports the RSS of a daemon with Node's default flags as well.
 */
export async function benchApi(): Promise<void> {
  await benchApiWith(SERVICE_FLAGS, 'service flags');
  await benchApiWith([], 'node defaults', true);
}

async function benchApiWith(flags: readonly string[], label: string, rssOnly = false): Promise<void> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...flags, BIN, 'demo', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const info = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; token: string });
    });
    child.once('exit', (c) => reject(new Error(`demo exited ${c}`)));
  });
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  try {
    // Start to ready includes Node's own start-up; the baseline is a bare `node -e ''` in the same run.
    const b0 = process.hrtime.bigint();
    await new Promise((r) => spawn(process.execPath, ['-e', '']).once('exit', r));
    const nodeMs = Number(process.hrtime.bigint() - b0) / 1e6;
    if (!rssOnly) report('bench/api-start', { readyMs, bareNodeMs: nodeMs, oursMs: readyMs - nodeMs }, (readyMs - nodeMs) / 500, '(ready - bare node)/500ms <= 1', readyMs - nodeMs <= 500);
    const idle = process.platform === 'linux' && child.pid ? rssMb(child.pid) : NaN;

    const main = await Conn.open(info.url);
    await main.call('session.hello', { token: info.token });
    await main.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });

    // diag.transmit over the WebSocket vs the same virtual card's transmit called directly in this process.
    await main.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });
    const apdu = '00A404000E325041592E5359532E444446303100';
    const viaApi: number[] = [];
    for (let i = 0; i < 400; i++) {
      const t = process.hrtime.bigint();
      await main.call('diag.transmit', { lane: 'A', apdu });
      if (i >= 50) viaApi.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const driver = new InProcessReaderDriver(['direct']);
    driver.insertCard('direct', createCard('visa-contactless'));
    const conn = await driver.connect('direct');
    const direct: number[] = [];
    for (let i = 0; i < 400; i++) {
      const t = process.hrtime.bigint();
      await conn.transmit(fromHex(apdu));
      if (i >= 50) direct.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    await conn.disconnect();
    const added = median(viaApi) - median(direct);
    if (!rssOnly) report('bench/api-diag-transmit', { apdus: viaApi.length, apiMedianMs: median(viaApi), directMedianMs: median(direct), addedMs: added }, added / 0.2, 'addedMs/0.2 <= 1', added <= 0.2);

    // Payments while measuring RSS (contactless profile: no PIN).
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      await main.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });
      await main.call('payment.start', { lane: 'A', type: 'sale', amount: 1000 + i, currency: 'EUR', reference: `bench-${Date.now()}-${i}` });
      for (let k = 0; k < 200 && !main.notes.some((n) => n.method === 'payment.completed'); k++) await new Promise((r) => setTimeout(r, 5));
      main.notes.length = 0;
      if (process.platform === 'linux' && child.pid) peak = Math.max(peak, rssMb(child.pid));
    }
    report(`bench/api-rss[${label}]`, { idleMb: idle, peakDuringPaymentsMb: peak }, peak / 80, 'MB/80 <= 1', peak <= 80);
    // Fan-out: 100 authenticated clients, one card event, time until the last of them has it.
    const clients = await Promise.all(Array.from({ length: 100 }, () => Conn.open(info.url)));
    await Promise.all(clients.map((c) => c.call('session.hello', { token: info.token })));
    const fan: number[] = [];
    const firstAt: number[] = [];
    // Measured on card removals: the event itself is cheap to make, so the time is the fan-out (an insertion first
    // personalises a virtual card, milliseconds of RSA work that have nothing to do with notifications).
    for (let round = 0; round < 20; round++) {
      await main.call('sim.insertCard', { lane: 'A', profile: 'visa-contactless' });
      for (let i = 0; i < 500 && clients.some((c) => !c.notes.some((n) => n.method === 'card.inserted')); i++) await new Promise((r) => setTimeout(r, 1));
      for (const c of clients) c.notes.length = 0;
      const start = process.hrtime.bigint();
      await main.call('sim.removeCard', { lane: 'A' });
      for (let i = 0; i < 500 && clients.some((c) => !c.notes.some((n) => n.method === 'card.removed')); i++) await new Promise((r) => setTimeout(r, 1));
      const at = clients.map((c) => c.notes.find((n) => n.method === 'card.removed')?.at ?? process.hrtime.bigint());
      const last = at.reduce((a, b) => (a > b ? a : b));
      const first = at.reduce((a, b) => (a < b ? a : b));
      fan.push(Number(last - start) / 1e6);
      firstAt.push(Number(first - start) / 1e6);
    }
    // First arrival shows the daemon's part (request, event, first send); first to last, the 100 sends and this
    // process receiving 100 frames on its one thread.
    if (!rssOnly) report('bench/api-fanout', { clients: 100, medianMsToFirst: median(firstAt), medianMsToLast: median(fan) }, median(fan) / 5, 'ms/5 <= 1', median(fan) <= 5);
    for (const c of clients) c.ws.close();

    main.ws.close();
  } finally {
    child.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchApi();
