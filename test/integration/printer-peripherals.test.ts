// Issue 6 §1, the printer pieces: cash drawer, Star command set, Chinese printed as an image, over TCP to the
// emulator; and the real `posbridge print` binary against `posbridge sim printer --pty` (a socat pty pair).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PrinterError } from '../../src/drivers/printer/errors.js';
import { EscPosPrinter, printerFromUrl, renderEscPos } from '../../src/drivers/printer/escpos-printer.js';
import { TcpPrinterTransport } from '../../src/drivers/printer/tcp-transport.js';
import { EscPosEmulator, SIM_PRINTER_STATES } from '../../src/sim/printer/escpos-emulator.js';
import { printoutPng, printoutSvg } from '../../src/sim/printer/printout.js';
import { noSocat } from '../helpers/pty.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'dist', 'bin', 'posbridge.js');
const CHINESE_DOC = '^^收据 Receipt\n-\n咖啡 Coffee | 3.50\n茶 Tea | 2.80\n-\nTOTAL | 6.30\n';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isCode = (code: string) => (e: unknown) => e instanceof PrinterError && e.code === code;

async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('cash drawer over TCP (ESC/POS emulator)', () => {
  const emu = new EscPosEmulator();
  let printer: EscPosPrinter;
  before(async () => {
    printer = printerFromUrl(`tcp://127.0.0.1:${await emu.listen(0)}`);
  });
  after(async () => {
    await printer.close();
    await emu.close();
  });

  test('ESC p kicks pin 5 with the times asked; DLE EOT 1 then says open, until set closed', async () => {
    assert.equal((await printer.status()).drawerOpen, false);
    const n = emu.events.length;
    const r = await printer.openDrawer({ pin: 5, onMs: 120, offMs: 240 });
    assert.equal(r.realtime, false);
    await until(() => emu.events.length > n, 'the kick');
    assert.deepEqual(emu.events.slice(n), [{ kind: 'drawer', pin: 5, onMs: 120, offMs: 240, realtime: false }]);
    assert.equal((await printer.status()).drawerOpen, true);
    emu.setStatus(SIM_PRINTER_STATES['drawer-closed']);
    assert.equal((await printer.status()).drawerOpen, false);
  });

  test('with the paper out the drawer still opens, by the real-time DLE DC4 pulse', async () => {
    emu.setStatus(SIM_PRINTER_STATES['paper-end']);
    try {
      const n = emu.events.length;
      const r = await printer.openDrawer();
      assert.equal(r.realtime, true);
      assert.equal(r.status.paper, 'end');
      await until(() => emu.events.length > n, 'the kick');
      assert.deepEqual(emu.events.slice(n), [{ kind: 'drawer', pin: 2, onMs: 100, offMs: 100, realtime: true }]);
      await assert.rejects(printer.openDrawer({ pin: 3 as 2 }), isCode('PRINTER_DRAWER_INVALID'));
    } finally {
      emu.setStatus({ ...SIM_PRINTER_STATES.ready, drawerOpen: false });
    }
  });

  test('an emulator whose drawer closes by itself 50 ms after a kick', async () => {
    const auto = new EscPosEmulator(undefined, { drawerClosesAfterMs: 50 });
    const p = printerFromUrl(`tcp://127.0.0.1:${await auto.listen(0)}`);
    try {
      await p.openDrawer();
      await until(() => auto.currentStatus.drawerOpen, 'the drawer to open');
      await sleep(120);
      assert.equal((await p.status()).drawerOpen, false);
    } finally {
      await p.close();
      await auto.close();
    }
  });
});

describe('Star printers over TCP (StarPRNT emulator)', () => {
  const emu = new EscPosEmulator(undefined, { commandSet: 'star' });
  let port: number;
  let printer: EscPosPrinter;
  before(async () => {
    port = await emu.listen(0);
    printer = printerFromUrl(`tcp://127.0.0.1:${port}`, 'star');
  });
  after(async () => {
    await printer.close();
    await emu.close();
  });

  test('status through ESC ACK SOH (ASB), print refused on paper end, printed text and cut otherwise', async () => {
    assert.deepEqual(await printer.status(), { online: true, coverOpen: false, paper: 'ok', drawerOpen: false });
    emu.setStatus(SIM_PRINTER_STATES['paper-end']);
    const job = renderEscPos('Star Café\n', { cpl: 42, encoding: 'cp858', commandSet: 'star' });
    await assert.rejects(printer.print(job), isCode('PRINTER_NOT_READY'));
    await assert.rejects(printer.openDrawer(), isCode('PRINTER_NOT_READY'), 'Star has no real-time pulse');
    emu.setStatus(SIM_PRINTER_STATES.ready);
    const n = emu.events.length;
    await printer.print(job);
    await until(() => emu.events.slice(n).some((e) => e.kind === 'cut'), 'the cut');
    assert.ok(emu.lines.includes('Star Café'), emu.lines.join('|'));
    const k = emu.events.length;
    await printer.openDrawer({ pin: 2, onMs: 200, offMs: 100 });
    await until(() => emu.events.length > k, 'the kick');
    assert.deepEqual(emu.events.slice(k), [{ kind: 'drawer', pin: 2, onMs: 200, offMs: 100, realtime: false }]);
    assert.equal((await printer.status()).drawerOpen, true);
  });

  test('DLE EOT gets no answer from a Star printer: PRINTER_TIMEOUT, not a made-up status', async () => {
    const escpos = new EscPosPrinter(new TcpPrinterTransport('127.0.0.1', port), 300);
    try {
      await assert.rejects(escpos.status(), isCode('PRINTER_TIMEOUT'));
    } finally {
      await escpos.close();
    }
  });

  test('Chinese without a Chinese font: Star raster bands', async () => {
    const n = emu.events.length;
    await printer.print(renderEscPos(CHINESE_DOC, { cpl: 42, encoding: 'cp858', commandSet: 'star' }));
    await until(() => emu.events.slice(n).some((e) => e.kind === 'cut'), 'the cut');
    const images = emu.events.slice(n).filter((e) => e.kind === 'image');
    assert.ok(images.length >= 1);
    assert.ok(images.every((e) => e.kind === 'image' && e.width === 504));
  });
});

describe('Chinese as an image over TCP (ESC/POS emulator)', () => {
  test('GS v 0 bands of at most 255 rows, no text; the emulator renders the printout', async () => {
    const emu = new EscPosEmulator();
    const printer = printerFromUrl(`tcp://127.0.0.1:${await emu.listen(0)}`);
    try {
      // Tall enough for several bands: 30 lines of Chinese.
      const doc = CHINESE_DOC + Array.from({ length: 30 }, (_, i) => `第${i}行 line ${i}`).join('\n') + '\n';
      const bytes = renderEscPos(doc, { cpl: 42, encoding: 'gb18030', chineseFont: false });
      await printer.print(bytes);
      const images = emu.events.filter((e) => e.kind === 'image');
      const height = images.reduce((h, e) => h + (e.kind === 'image' ? e.height : 0), 0);
      assert.equal(images.length, Math.ceil(height / 255), `${images.length} bands for ${height} rows`);
      assert.ok(images.length >= 3, `a tall receipt is sent in bands (${images.length})`);
      assert.ok(images.every((e) => e.kind === 'image' && e.width === 504 && e.height <= 255));
      assert.deepEqual(emu.lines, [], 'nothing printed as text');
      assert.ok(emu.events.some((e) => e.kind === 'cut'));
      const svg = printoutSvg(emu.printed);
      assert.match(svg, /^<svg [^>]*height="\d+"/);
      assert.ok(svg.includes('<path d="M'));
      const png = printoutPng(emu.printed);
      assert.equal(Buffer.from(png.subarray(0, 8)).toString('hex'), '89504e470d0a1a0a');
    } finally {
      await printer.close();
      await emu.close();
    }
  });
});

interface Run {
  readonly lines: string[];
  readonly kill: () => void;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function start(args: readonly string[], timeoutMs = 20_000): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, POSBRIDGE_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    lines.splice(0, lines.length, ...stdout.split('\n').filter((l) => l !== ''));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
  return { lines, kill: () => child.kill('SIGINT'), done };
}

describe('posbridge print against posbridge sim printer --pty', { skip: noSocat(), timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-print-'));
  const path = join(dir, 'printer');
  let sim: Run;
  before(async () => {
    sim = start(['sim', 'printer', '--pty', path, '--json'], 50_000);
    await until(() => sim.lines.length > 0, 'the emulator to start', 10_000);
    assert.deepEqual(JSON.parse(sim.lines[0]), { printer: `serial://${path}?baud=19200`, status: 'ready', commandSet: 'escpos' });
  });
  after(async () => {
    sim?.kill();
    const end = await sim?.done;
    assert.equal(end?.code, 0, end?.stderr);
    rmSync(dir, { recursive: true, force: true });
  });
  const events = (): { kind: string; text?: string; width?: number }[] => sim.lines.slice(1).map((l) => JSON.parse(l) as { kind: string });

  test('--test prints the test page; --json says so', async () => {
    const from = events().length;
    const r = await start(['print', '--printer', `serial://${path}?baud=19200`, '--test', '--json']).done;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { printed: boolean; asImage: boolean; status: { paper: string }; bytes: number };
    assert.equal(out.printed, true);
    assert.equal(out.asImage, false);
    assert.equal(out.status.paper, 'ok');
    await until(() => events().slice(from).some((e) => e.kind === 'cut'), 'the cut');
    const got = events().slice(from);
    assert.ok(got.some((e) => e.kind === 'line' && e.text === 'posbridge test page'), JSON.stringify(got));
    assert.ok(got.some((e) => e.kind === 'line' && e.text?.includes('ÀÉÎÕÜ')), 'PC858 accents');
  });

  test('a FILE through a configured printer without a Chinese font prints as an image', async () => {
    const file = join(dir, 'receipt.txt');
    writeFileSync(file, CHINESE_DOC);
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ lanes: [{ name: 'A', reader: 'r' }], printers: { front: { url: `serial://${path}?baud=19200`, encoding: 'cp858', chineseFont: false } } }));
    const from = events().length;
    const r = await start(['print', '--printer', 'front', '--config', cfg, file, '--json']).done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { asImage: boolean }).asImage, true);
    await until(() => events().slice(from).some((e) => e.kind === 'cut'), 'the cut');
    const got = events().slice(from);
    assert.ok(got.some((e) => e.kind === 'image' && e.width === 504));
    assert.ok(!got.some((e) => e.kind === 'line'), 'no text lines');
  });

  test('usage errors exit 2: unknown printer name, no FILE, bad encoding', async () => {
    for (const args of [['print', '--printer', 'nope', '--test'], ['print', '--printer', `serial://${path}`], ['print', '--printer', `serial://${path}`, '--encoding', 'latin9', '--test']]) {
      const r = await start(args).done;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^posbridge: USAGE: /);
    }
  });

  test('paper out: exit 1 with PRINTER_NOT_READY (a TCP emulator)', async () => {
    const emu = new EscPosEmulator();
    emu.setStatus(SIM_PRINTER_STATES['paper-end']);
    try {
      const r = await start(['print', '--printer', `tcp://127.0.0.1:${await emu.listen(0)}`, '--test']).done;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /PRINTER_NOT_READY/);
    } finally {
      await emu.close();
    }
  });
});
