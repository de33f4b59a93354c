// The ESC/POS driver over a real serial line: a socat pty pair, the software printer on one end, the transport on the other.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { noSocat, PtyPair } from '../helpers/pty.js';
import { SerialPort } from 'serialport';
import { PrinterError } from '../../src/drivers/printer/errors.js';
import { EscPosPrinter, renderEscPos } from '../../src/drivers/printer/escpos-printer.js';
import { transportFromUrl } from '../../src/drivers/printer/printer-url.js';
import { SerialPrinterTransport } from '../../src/drivers/printer/serial-transport.js';
import { TcpPrinterTransport } from '../../src/drivers/printer/tcp-transport.js';
import { UsbLpTransport } from '../../src/drivers/printer/usblp-transport.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';

const PROFILE = { cpl: 42, encoding: 'cp858' } as const;
const DOC = 'HELLO\n-\nA | 1.00\n=\n';

const NO_SOCAT = noSocat();
const isPrinterError = (codes: readonly string[]) => (e: unknown) => e instanceof PrinterError && codes.includes(e.code);

/** The software printer on a pty end: bytes in go to the emulator, its status answers go back. */
async function attach(emu: EscPosEmulator, path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 19200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('error', () => undefined);
  port.on('data', (d: Buffer) => emu.feed(d, (b) => setTimeout(() => port.isOpen && port.write(Uint8Array.of(b)), 5)));
  return port;
}

async function detach(port: SerialPort | null): Promise<void> {
  if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
}

describe('ESC/POS printer over a serial pty', { skip: NO_SOCAT }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-pty-'));
  const pair = new PtyPair(join(dir, 'a'), join(dir, 'b'));
  const emu = new EscPosEmulator();
  const transport = new SerialPrinterTransport(pair.b, 19200);
  const printer = new EscPosPrinter(transport, 1000);
  let printerEnd: SerialPort | null = null;
  /** After print() resolved (GS r 1 answered), the job is complete: cut, and no byte left over for a later status. */
  const jobDone = async (from: number): Promise<void> => {
    assert.ok(emu.events.slice(from).some((e) => e.kind === 'cut'), 'print() resolves only once the job is printed');
    assert.equal((await transport.read(1, 50)).length, 0, 'the job-completion answer was consumed by print()');
    assert.equal((await printer.status()).online, true);
  };

  before(async () => {
    await pair.start();
    printerEnd = await attach(emu, pair.a);
  });
  after(async () => {
    await printer.close();
    await detach(printerEnd);
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('status of a ready printer', async () => {
    emu.setStatus({ online: true, coverOpen: false, paper: 'ok' });
    assert.deepEqual(await printer.status(), { online: true, coverOpen: false, paper: 'ok', drawerOpen: false });
  });

  test('paper end is reported and refuses to print', async () => {
    emu.setStatus({ paper: 'end' });
    assert.equal((await printer.status()).paper, 'end');
    const n = emu.events.length;
    await assert.rejects(printer.print(renderEscPos(DOC, PROFILE)), isPrinterError(['PRINTER_NOT_READY']));
    assert.equal(emu.events.length, n);
    emu.setStatus({ paper: 'ok' });
  });

  test('a receipt arrives as lines and is cut', async () => {
    const from = emu.events.length;
    await printer.print(renderEscPos(DOC, PROFILE));
    await jobDone(from);
    const got = emu.events.slice(from);
    const lines = got.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
    assert.ok(lines.some((l) => l.includes('HELLO')), lines.join('\n'));
    assert.ok(lines.some((l) => /A\s+1\.00/.test(l)), lines.join('\n'));
    assert.equal(got.at(-1)?.kind, 'cut');
  });

  test('unplugged (socat gone): status and print fail with a printer error, no hang', { timeout: 10_000 }, async () => {
    await pair.stop();
    await detach(printerEnd);
    printerEnd = null;
    await assert.rejects(printer.status(), isPrinterError(['PRINTER_UNREACHABLE', 'PRINTER_TIMEOUT']));
    await assert.rejects(printer.print(renderEscPos(DOC, PROFILE)), isPrinterError(['PRINTER_UNREACHABLE', 'PRINTER_TIMEOUT']));
    await assert.rejects(transport.write(Uint8Array.of(0x0a)), isPrinterError(['PRINTER_UNREACHABLE']));
  });

  test('plugged back (a new socat, same links): the same transport works again', { timeout: 10_000 }, async () => {
    await pair.start();
    printerEnd = await attach(emu, pair.a);
    assert.equal((await printer.status()).online, true);
    const from = emu.events.length;
    await printer.print(renderEscPos('AGAIN\n=\n', PROFILE));
    await jobDone(from);
    assert.ok(emu.lines.some((l) => l.includes('AGAIN')), emu.lines.join('\n'));
    assert.equal(emu.events.slice(from).at(-1)?.kind, 'cut');
  });
});

describe('transportFromUrl', () => {
  test('tcp with and without a port', () => {
    const t = transportFromUrl('tcp://printer.local');
    assert.ok(t instanceof TcpPrinterTransport);
    assert.deepEqual(pick(t, 'host', 'port'), { host: 'printer.local', port: 9100 });
    assert.deepEqual(pick(transportFromUrl('tcp://10.0.0.7:9101/'), 'host', 'port'), { host: '10.0.0.7', port: 9101 });
    assert.deepEqual(pick(transportFromUrl('tcp://[::1]:9100'), 'host', 'port'), { host: '::1', port: 9100 });
  });

  test('serial with the default and a given baud rate', () => {
    const a = transportFromUrl('serial:///dev/ttyUSB0');
    assert.ok(a instanceof SerialPrinterTransport);
    assert.deepEqual(pick(a, 'path', 'baudRate'), { path: '/dev/ttyUSB0', baudRate: 9600 });
    assert.deepEqual(pick(transportFromUrl('serial:///dev/ttyS1?baud=19200'), 'path', 'baudRate'), { path: '/dev/ttyS1', baudRate: 19200 });
  });

  test('file:///dev/usb/lpN', { skip: process.platform !== 'linux' ? 'usblp is Linux-only' : false }, () => {
    const t = transportFromUrl('file:///dev/usb/lp0');
    assert.ok(t instanceof UsbLpTransport);
    assert.deepEqual(pick(t, 'path'), { path: '/dev/usb/lp0' });
  });

  for (const url of [
    '',
    'printer',
    'http://host:9100',
    'tcp://',
    'tcp://host:0',
    'tcp://host:70000',
    'tcp://host:9100/path',
    'tcp://user@host',
    'serial://host/dev/ttyS0',
    'serial:///',
    'serial:///dev/ttyS0?baud=12345',
    'serial:///dev/ttyS0?baud=fast',
    'serial:///dev/ttyS0?parity=even',
    'file:///etc/passwd',
    'file:///dev/usb/lp',
    'file:///dev/usb/lp0x',
    'file://host/dev/usb/lp0',
  ]) {
    test(`rejects "${url}" with PRINTER_URL_INVALID`, () => {
      assert.throws(() => transportFromUrl(url), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_URL_INVALID' && !e.retriable);
    });
  }
});

describe('UsbLpTransport', { skip: process.platform !== 'linux' ? 'usblp is Linux-only' : false }, () => {
  test('a missing device is PRINTER_UNREACHABLE naming the path', async () => {
    const t = new UsbLpTransport('/dev/usb/lp97');
    await assert.rejects(t.write(Uint8Array.of(0x0a)), (e: unknown) => isPrinterError(['PRINTER_UNREACHABLE'])(e) && e instanceof Error && e.message.includes('/dev/usb/lp97'));
    await t.close();
    await t.close();
  });
});

/** Some (private) fields of a transport: what a URL was parsed into. */
function pick(t: object, ...keys: string[]): Record<string, unknown> {
  const rec = t as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, rec[k]]));
}
