// The ESC/POS driver against the software printer over real TCP on 127.0.0.1: status, refusal and a printed receipt.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PrinterError } from '../../src/drivers/printer/errors.js';
import { EscPosPrinter, printerFromUrl, renderEscPos, renderSvg } from '../../src/drivers/printer/escpos-printer.js';
import { parseStatus, statusBytes } from '../../src/drivers/printer/escpos-status.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'posbridge.js');
const PROFILE = { cpl: 42, encoding: 'cp858' } as const;
const DOC = 'SHOP TEST\n-\nCoffee | 3.50\nTOTAL | ^^12.30\n-\nAPPROVED\nA000000003101001\n=\n';

describe('ESC/POS printer over TCP', () => {
  const emu = new EscPosEmulator();
  let port = 0;
  let printer: EscPosPrinter;
  before(async () => {
    port = await emu.listen();
    printer = printerFromUrl(`tcp://127.0.0.1:${port}`);
  });
  after(async () => {
    await printer.close();
    await emu.close();
  });

  test('status of a ready printer', async () => {
    emu.setStatus({ online: true, coverOpen: false, paper: 'ok' });
    assert.deepEqual(await printer.status(), { online: true, coverOpen: false, paper: 'ok', drawerOpen: false });
  });

  test('paper near end still prints; the receipt arrives as lines and is cut', async () => {
    emu.setStatus({ paper: 'near-end' });
    const before = emu.events.length;
    const s = await printer.print(renderEscPos(DOC, PROFILE));
    assert.equal(s?.paper, 'near-end');
    await new Promise((r) => setTimeout(r, 50));
    const got = emu.events.slice(before);
    const lines = got.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
    assert.ok(lines.some((l) => l.includes('SHOP TEST')), lines.join('\n'));
    assert.ok(lines.some((l) => /Coffee\s+3\.50/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('APPROVED')));
    assert.equal(got.at(-1)?.kind, 'cut');
  });

  for (const [name, s] of [
    ['paper end', { paper: 'end' }],
    ['cover open', { paper: 'ok', coverOpen: true }],
    ['offline', { coverOpen: false, online: false }],
  ] as const) {
    test(`${name}: PRINTER_NOT_READY and nothing printed`, async () => {
      emu.setStatus(s);
      const n = emu.events.length;
      await assert.rejects(printer.print(renderEscPos(DOC, PROFILE)), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_NOT_READY' && e.retriable);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(emu.events.length, n);
    });
  }

  test('a printer that is gone: PRINTER_UNREACHABLE or PRINTER_TIMEOUT, never a hang', async () => {
    const gone = new EscPosEmulator();
    const p2 = await gone.listen();
    await gone.close();
    const pr = printerFromUrl(`tcp://127.0.0.1:${p2}`);
    await assert.rejects(pr.status(), (e: unknown) => e instanceof PrinterError && (e.code === 'PRINTER_UNREACHABLE' || e.code === 'PRINTER_TIMEOUT'));
    await pr.close();
  });
});

describe('ESC/POS status bytes and URLs', () => {
  test('status bytes round-trip through the parser for every combination', () => {
    for (const online of [true, false])
      for (const coverOpen of [true, false])
        for (const paper of ['ok', 'near-end', 'end'] as const)
          for (const drawerOpen of [true, false]) {
            const st = { online, coverOpen, paper, drawerOpen };
            const [a, b, c] = statusBytes(st);
            assert.deepEqual(parseStatus(a, b, c), st);
          }
  });

  test('a byte that is not a status byte is PRINTER_STATUS_INVALID', () => {
    assert.throws(() => parseStatus(0xff, 0x12, 0x12), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_STATUS_INVALID');
  });

  test('bad URLs are PRINTER_URL_INVALID', () => {
    for (const u of ['lpt1', 'http://x', 'tcp://']) assert.throws(() => printerFromUrl(u), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_URL_INVALID');
  });

  test('Chinese text: FS & then GB18030 bytes (收据 = CA D5 BE DD), decoded back by the printer', () => {
    const bytes = renderEscPos('收据 Café\n', { cpl: 42, encoding: 'gb18030' });
    const hex = Buffer.from(bytes).toString('hex');
    assert.match(hex, /1c26cad5bedd20436166a8a6/);
    const emu = new EscPosEmulator();
    emu.feed(bytes, () => undefined);
    assert.ok(emu.events.some((e) => e.kind === 'chinese-on'));
    assert.ok(emu.lines.includes('收据 Café'), emu.lines.join('|'));
  });

  test('an SVG preview of the same receipt carries its text', () => {
    const svg = renderSvg(DOC, PROFILE);
    assert.match(svg, /^<svg/);
    const text = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]).join('');
    assert.match(text.replace(/&#?\w+;|\s/g, ''), /APPROVED/);
  });
});

describe('posbridge printer (CLI, real process)', () => {
  const emu = new EscPosEmulator();
  let url = '';
  before(async () => {
    url = `tcp://127.0.0.1:${await emu.listen()}`;
  });
  after(() => emu.close());
  const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? -1 : 0;
        resolve({ code, stdout, stderr });
      });
    });

  test('status: ready → exit 0; paper end → exit 1 with PAPER END', async () => {
    emu.setStatus({ online: true, coverOpen: false, paper: 'ok' });
    const ok = await cli('printer', 'status', '--printer', url, '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { online: true, coverOpen: false, paper: 'ok', drawerOpen: false });
    emu.setStatus({ paper: 'end' });
    const out = await cli('printer', 'status', '--printer', url);
    assert.equal(out.code, 1);
    assert.match(out.stdout, /PAPER END/);
  });

  test('test page: printed when ready, PRINTER_NOT_READY when the cover is open', async () => {
    emu.setStatus({ paper: 'ok', coverOpen: false });
    const ok = await cli('printer', 'test', '--printer', url);
    assert.equal(ok.code, 0, ok.stderr);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(emu.lines.some((l) => l.includes('posbridge test page')), emu.lines.join('\n'));
    emu.setStatus({ coverOpen: true });
    const bad = await cli('printer', 'test', '--printer', url);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /PRINTER_NOT_READY/);
  });

  test('devices: each printer with its status or its error code; serial ports listed; readers or why not', async () => {
    emu.setStatus({ coverOpen: false, paper: 'near-end' });
    const r = await cli('devices', '--json', '--printer', url, '--printer', 'tcp://127.0.0.1:1');
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as { printers: { url: string; status?: { paper: string }; error?: { code: string } }[]; serialPorts: unknown; readers: unknown };
    assert.deepEqual(rep.printers.map((p) => p.status?.paper ?? p.error?.code), ['near-end', 'PRINTER_UNREACHABLE']);
    assert.ok(Array.isArray(rep.serialPorts) || typeof rep.serialPorts === 'object');
    assert.ok(Array.isArray(rep.readers) || /^[A-Z_]+$/.test((rep.readers as { error: { code: string } }).error.code));
  });

  test('a bad URL is a usage-level error with its code', async () => {
    const r = await cli('printer', 'status', '--printer', 'lpt://1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PRINTER_URL_INVALID/);
    // Not a URL: a printer name, which needs a config naming it.
    const n = await cli('printer', 'status', '--printer', 'front');
    assert.equal(n.code, 2);
    assert.match(n.stderr, /no printer "front" in the config/);
    const dir = mkdtempSync(join(tmpdir(), 'posbridge-printer-cfg-'));
    try {
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ printers: { front: { url } }, lanes: [{ name: 'A', reader: 'R' }] }));
      emu.setStatus({ online: true, coverOpen: false, paper: 'near-end' });
      const named = await cli('printer', 'status', '--printer', 'front', '--config', config, '--json');
      assert.equal(named.code, 0, named.stderr);
      assert.equal(JSON.parse(named.stdout).paper, 'near-end');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('posbridge sim printer (paper end) and posbridge printer status, two real processes', async () => {
  const sim = spawn(process.execPath, [BIN, 'sim', 'printer', '--tcp', '0', '--status', 'paper-end', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const first = await new Promise<string>((resolve, reject) => {
      sim.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      sim.once('exit', (code) => reject(new Error(`sim printer exited ${code}`)));
    });
    const url = (JSON.parse(first) as { printer: string }).printer;
    assert.match(url, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'printer', 'status', '--printer', url, '--json'], { timeout: 15_000 }, (err, stdout) => resolve({ code: err && typeof err.code === 'number' ? err.code : err ? -1 : 0, stdout }));
    });
    assert.equal(status.code, 1);
    assert.deepEqual(JSON.parse(status.stdout), { online: true, coverOpen: false, paper: 'end', drawerOpen: false });
  } finally {
    sim.kill('SIGINT');
  }
});
