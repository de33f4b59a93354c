// The customer display driver: exact command bytes, then over a real socat pty pair with the emulator on the far end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { noSocat, PtyPair } from '../helpers/pty.js';
import { DisplayError } from '../../src/drivers/display/errors.js';
import { PoleDisplay, encodeLine, encodeScreen, formatAmount } from '../../src/drivers/display/pole-display.js';
import { PrinterError } from '../../src/drivers/printer/errors.js';
import { displayTransportFromUrl } from '../../src/drivers/display/display-port.js';
import type { PrinterTransport } from '../../src/drivers/printer/types.js';
import { PoleDisplayEmulator, type EmulatorLink } from '../../src/sim/display/pole-emulator.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const isDisplayError = (code: string) => (e: unknown) => e instanceof DisplayError && e.code === code;
const SPACES = (n: number): string => '20'.repeat(n);

const NO_SOCAT = noSocat();

/** A transport that records writes, or fails them. */
class FakeTransport implements PrinterTransport {
  written: Uint8Array[] = [];
  constructor(private readonly fail = false) {}
  async write(bytes: Uint8Array): Promise<void> {
    if (this.fail) throw new PrinterError('PRINTER_UNREACHABLE', 'gone');
    this.written.push(bytes);
  }
  async read(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  async close(): Promise<void> {}
}

describe('customer display encoder', () => {
  test('show: ESC @, US MD1, CLR, US $ 1 1 + 20 columns, US $ 1 2 + 20 columns', () => {
    const expected = '1b40' + '1f01' + '0c' + '1f240101' + '4849' + SPACES(18) + '1f240102' + SPACES(20);
    assert.equal(hex(encodeScreen('HI')), expected);
  });

  test('clear sends ESC @, US MD1, CLR', async () => {
    const t = new FakeTransport();
    await new PoleDisplay(t).clear();
    assert.deepEqual(t.written.map(hex), ['1b401f010c']);
  });

  test('code page 437: ü → 81, ß → e1, € → ?, cut at 20', () => {
    assert.equal(hex(encodeLine('Grüße €')), '4772' + '81' + 'e1' + '65' + '20' + '3f' + SPACES(13));
    assert.equal(hex(encodeLine('x'.repeat(25))), '78'.repeat(20));
    assert.equal(hex(encodeLine('a\nb')), '613f62' + SPACES(17));
  });

  test('a line with no printable character is DISPLAY_TEXT_INVALID; an empty one is blank', () => {
    assert.throws(() => encodeLine('€✓'), isDisplayError('DISPLAY_TEXT_INVALID'));
    assert.equal(hex(encodeLine('')), SPACES(20));
  });

  test('amounts use the currency exponent', () => {
    assert.equal(formatAmount(1234, 'EUR'), '12.34 EUR');
    assert.equal(formatAmount(5, 'EUR'), '0.05 EUR');
    assert.equal(formatAmount(-250, 'EUR'), '-2.50 EUR');
    assert.equal(formatAmount(1500, 'JPY'), '1500 JPY');
    assert.equal(formatAmount(1234, 'KWD'), '1.234 KWD');
    assert.throws(() => formatAmount(1234, 'eur'), isDisplayError('DISPLAY_TEXT_INVALID'));
    assert.throws(() => formatAmount(12.5, 'EUR'), isDisplayError('DISPLAY_TEXT_INVALID'));
  });

  test('a failing transport is DISPLAY_UNREACHABLE (retriable, cause kept)', async () => {
    const d = new PoleDisplay(new FakeTransport(true));
    await assert.rejects(d.show('X'), (e: unknown) => isDisplayError('DISPLAY_UNREACHABLE')(e) && e instanceof DisplayError && e.retriable && e.cause instanceof PrinterError);
  });

  test('the emulator completes commands split across feeds', () => {
    const emu = new PoleDisplayEmulator();
    for (const b of encodeScreen('SPLIT', 'BYTES')) emu.feed(Uint8Array.of(b));
    assert.deepEqual(emu.lines(), ['SPLIT' + ' '.repeat(15), 'BYTES' + ' '.repeat(15)]);
    assert.equal(emu.clears, 1);
    assert.equal(emu.resets, 1);
  });
});

describe('customer display over a serial pty', { skip: NO_SOCAT }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-pole-'));
  const pair = new PtyPair(join(dir, 'a'), join(dir, 'b'));
  const emu = new PoleDisplayEmulator();
  const display = new PoleDisplay(displayTransportFromUrl(`serial://${pair.b}?baud=9600`));
  let link: EmulatorLink | null = null;
  /** Waits until the emulator has received everything sent so far (polled; the bound only prevents a hang). */
  const arrived = async (total: number): Promise<void> => {
    for (let i = 0; i < 300 && emu.received < total; i++) await sleep(10);
  };
  let sent = 0;
  const shown = async (action: () => Promise<void>, bytes: number): Promise<[string, string]> => {
    await action();
    sent += bytes;
    await arrived(sent);
    assert.equal(emu.received, sent);
    return emu.lines();
  };
  const SCREEN = encodeScreen('').length;

  before(async () => {
    await pair.start();
    link = await emu.attachToPath(pair.a);
  });
  after(async () => {
    await display.close();
    await link?.close();
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('showAmount: TOTAL, then the amount right-aligned', async () => {
    assert.deepEqual(await shown(() => display.showAmount(1234, 'EUR'), SCREEN), ['TOTAL               ', '           12.34 EUR']);
  });

  test('prompts are centred on line 1', async () => {
    const want: Record<string, string> = {
      'INSERT CARD': '    INSERT CARD     ',
      'ENTER PIN': '     ENTER PIN      ',
      APPROVED: '      APPROVED      ',
      DECLINED: '      DECLINED      ',
      'THANK YOU': '     THANK YOU      ',
    };
    for (const [prompt, line] of Object.entries(want)) {
      assert.deepEqual(await shown(() => display.showPrompt(prompt), SCREEN), [line, ' '.repeat(20)]);
    }
    assert.deepEqual(await shown(() => display.showPrompt('DECLINED', 'Insufficient funds'), SCREEN), ['      DECLINED      ', 'Insufficient funds  ']);
  });

  test('long text is cut at 20 columns', async () => {
    assert.deepEqual(await shown(() => display.show('ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789012345678901234'), SCREEN), [
      'ABCDEFGHIJKLMNOPQRST',
      '01234567890123456789',
    ]);
  });

  test('non-CP437 characters show as ?; an all-unprintable line is refused and nothing is sent', async () => {
    assert.deepEqual(await shown(() => display.show('Grüße 1€', 'naïve ✓'), SCREEN), ['Grüße 1?            ', 'naïve ?             ']);
    await assert.rejects(display.show('€✓'), isDisplayError('DISPLAY_TEXT_INVALID'));
    await sleep(50);
    assert.equal(emu.received, sent);
  });

  test('clear blanks the screen', async () => {
    const before = emu.clears;
    assert.deepEqual(await shown(() => display.clear(), 5), [' '.repeat(20), ' '.repeat(20)]);
    assert.equal(emu.clears, before + 1);
  });

  test('pty gone (socat killed): show rejects DISPLAY_UNREACHABLE from the display port, no hang; back again once the pty is', { timeout: 10_000 }, async () => {
    await link?.close();
    link = null;
    await pair.stop();
    await assert.rejects(display.show('HELLO'), (e: unknown) => isDisplayError('DISPLAY_UNREACHABLE')(e) && /customer display port/.test((e as Error).message));
    await pair.start();
    const fresh = new PoleDisplayEmulator();
    link = await fresh.attachToPath(pair.a);
    await display.show('AGAIN');
    for (let i = 0; i < 300 && fresh.received < SCREEN; i++) await sleep(10);
    assert.deepEqual(fresh.lines(), ['AGAIN' + ' '.repeat(15), ' '.repeat(20)]);
  });
});
