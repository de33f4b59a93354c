// Lanes with devices of their own: two tills, each with its reader and its ESC/POS printer (TCP emulators), lane A
// with a customer display on a socat pty. A sale on B prints on B's printer only; A's display follows its payment;
// devices.list reports each lane's devices; a printer running out of paper is announced as device.changed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { PoleDisplayEmulator, type EmulatorLink } from '../../src/sim/display/pole-emulator.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';
import { noSocat, PtyPair } from '../helpers/pty.js';

const skip = noSocat();

describe('lanes with their own printer and customer display', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-lanes-'));
  const printerA = new EscPosEmulator();
  const printerB = new EscPosEmulator();
  const pty = new PtyPair(join(dir, 'display-dev'), join(dir, 'display'));
  const screen = new PoleDisplayEmulator();
  const screens: string[] = [];
  let link: EmulatorLink;
  let d: RunningDaemon;
  let client: PosbridgeClient;
  let autoPin = true;

  before(async () => {
    const [pa, pb] = [await printerA.listen(), await printerB.listen()];
    await pty.start();
    const feed = screen.feed.bind(screen);
    // Byte by byte: two screens may arrive in one read, and each must be seen.
    screen.feed = (bytes) => {
      for (const b of bytes) {
        feed(Uint8Array.of(b));
        const now = screen.lines().map((l) => l.trim()).join(' | ');
        if (screens.at(-1) !== now) screens.push(now);
      }
    };
    link = await screen.attachToPath(pty.a);
    const config = parseConfig({
      port: 0,
      dataDir: dir,
      readers: 'virtual',
      demo: true,
      printers: { front: { url: `tcp://127.0.0.1:${pa}` }, back: { url: `tcp://127.0.0.1:${pb}`, charactersPerLine: 32 } },
      lanes: [
        { name: 'A', reader: 'Virtual A', printer: 'front', display: `serial://${pty.b}?baud=9600` },
        { name: 'B', reader: 'Virtual B', printer: 'back' },
      ],
    });
    d = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }), Date.now, undefined, printerA);
    client = new PosbridgeClient({ url: d.url, token: d.pair('till', 'cashier'), WebSocket: WebSocket as unknown as WebSocketFactory });
    await client.connect();
    client.on('payment.progress', (m) => {
      if (m.step === 'pin-entry' && autoPin) void client.call('sim.enterPin', { lane: m.lane, pin: '1234' });
    });
  });
  after(async () => {
    client.close();
    await d.stop();
    await link.close();
    await pty.stop();
    await printerA.close();
    await printerB.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('devices.list: each lane with its PIN pad, printer status and display', async () => {
    const { lanes } = await client.devices();
    assert.deepEqual(
      lanes.map((l) => [l.lane, l.reader, l.pinpad?.kind, l.printer, l.display]),
      [
        ['A', 'Virtual A', 'virtual', { name: 'front', online: true, coverOpen: false, paper: 'ok', drawerOpen: false }, { kind: 'serial', connected: true }],
        ['B', 'Virtual B', 'virtual', { name: 'back', online: true, coverOpen: false, paper: 'ok', drawerOpen: false }, null],
      ],
    );
  });

  test("a sale on lane B prints on B's printer only, laid out for its 32 columns", async () => {
    await client.call('sim.insertCard', { lane: 'B', profile: 'visa-sda-pse' });
    const paid = await client.pay({ lane: 'B', type: 'sale', amount: 500, currency: 'EUR', reference: 'lanes-b-1' });
    assert.equal(paid.result, 'approved');
    const [a, b] = [printerA.events.length, printerB.events.length];
    const r = await client.printReceipt(paid.paymentId);
    assert.equal(r.state, 'printed');
    assert.equal(printerA.events.length, a, 'nothing on lane A’s printer');
    const lines = printerB.events.slice(b).flatMap((e) => (e.kind === 'line' ? [e.text] : []));
    assert.ok(lines.some((l) => l.includes('5.00 EUR')), lines.join('\n'));
    assert.ok(Math.max(...lines.map((l) => l.length)) <= 32, 'laid out for 32 characters per line');
  });

  test('a card declined offline still shows its masked PAN and entry mode (receipt and API)', async () => {
    await client.call('sim.insertCard', { lane: 'B', profile: 'visa-decline-offline' });
    const paid = await client.pay({ lane: 'B', type: 'sale', amount: 700, currency: 'EUR', reference: 'lanes-b-decline' });
    assert.deepEqual([paid.result, paid.maskedPan, paid.entryMode], ['declined', '476173******0119', 'chip']);
    assert.match((await client.receipt(paid.paymentId)).text, /476173\*{6}0119/);
    await client.call('sim.removeCard', { lane: 'B' });
  });

  test('the card pulled while the PIN is asked: the payment fails at once (card removed), not at the PIN timeout', async () => {
    const pinAsked = new Promise<void>((resolve) => {
      const off = client.on('payment.progress', (m) => {
        if (m.lane === 'B' && m.step === 'pin-entry') {
          off();
          resolve();
        }
      });
    });
    await client.call('sim.insertCard', { lane: 'B', profile: 'visa-sda-pse' });
    autoPin = false; // nobody types this PIN
    const started = await client.startPayment({ lane: 'B', type: 'sale', amount: 650, currency: 'EUR', reference: 'lanes-b-pulled' });
    await pinAsked;
    const t0 = Date.now();
    await client.call('sim.removeCard', { lane: 'B' });
    let p = await client.paymentStatus({ paymentId: started.paymentId });
    while (!p.result && Date.now() - t0 < 10_000) {
      await new Promise((r) => setTimeout(r, 20));
      p = await client.paymentStatus({ paymentId: started.paymentId });
    }
    assert.ok(Date.now() - t0 < 3000, `ended ${Date.now() - t0} ms after the card left`);
    assert.deepEqual([p.state, p.result], ['failed', 'failed']);
    assert.match(p.reason ?? '', /EMV_CARD_REMOVED/);
    autoPin = true;
  });

  test("lane A's customer display follows its payment: amount and INSERT CARD, ENTER PIN, APPROVED", async () => {
    const done = client.pay({ lane: 'A', type: 'sale', amount: 1234, currency: 'EUR', reference: 'lanes-a-1' });
    await waitFor(() => screens.some((s) => s.startsWith('INSERT CARD'))).catch((e: unknown) => {
      throw new Error(`${String(e)}: screens ${JSON.stringify(screens)}, bytes ${screen.received}`);
    });
    await client.call('sim.insertCard', { lane: 'A', profile: 'visa-sda-pse' });
    assert.equal((await done).result, 'approved');
    await waitFor(() => screens.at(-1)?.startsWith('APPROVED') === true);
    const seen = screens.map((s) => s.split(' | ')[0]);
    assert.deepEqual(
      seen.filter((s, i) => ['INSERT CARD', 'ENTER PIN', 'APPROVED'].includes(s) && seen.indexOf(s) === i),
      ['INSERT CARD', 'ENTER PIN', 'APPROVED'],
    );
    assert.ok(screens.some((s) => s === 'INSERT CARD | 12.34 EUR'), screens.join('\n'));
  });

  test("drawer.open kicks the drawer on the lane's printer (ESC p pin 2), even with the paper out (real-time pulse)", async () => {
    const n = printerA.events.length;
    const r = await client.openDrawer('A');
    assert.deepEqual([r.lane, r.drawerOpen, r.realtime], ['A', true, false]);
    const kicks = printerA.events.slice(n).filter((e) => e.kind === 'drawer');
    assert.equal(kicks.length, 1);
    assert.equal(printerB.events.filter((e) => e.kind === 'drawer').length, 0, 'not on lane B');
    await client.call('sim.setPrinter', { lane: 'A', status: 'drawer-closed' });
    await client.call('sim.setPrinter', { lane: 'A', status: 'paper-end' });
    const r2 = await client.openDrawer('A');
    assert.deepEqual([r2.drawerOpen, r2.realtime], [true, true]);
    await client.call('sim.setPrinter', { lane: 'A', status: 'drawer-closed' });
    await client.call('sim.setPrinter', { lane: 'A', status: 'ready' });
  });

  test('paper end on the front printer is announced as device.changed for lane A', async () => {
    const changed = new Promise<{ lane: string | null; status?: unknown }>((resolve) => {
      const off = client.on('device.changed', (e) => {
        if (e.event === 'printer-status') {
          off();
          resolve(e);
        }
      });
    });
    await client.call('sim.setPrinter', { lane: 'A', status: 'paper-end' });
    const e = await changed;
    assert.equal(e.lane, 'A');
    assert.deepEqual(e.status, { online: true, coverOpen: false, paper: 'end', drawerOpen: false });
    await client.call('sim.setPrinter', { lane: 'A', status: 'ready' });
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
