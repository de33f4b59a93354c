// serial:// URLs, one parser for printers, PIN pads and displays: device paths on Linux/macOS, COM ports on Windows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePinPadUrl } from '../../src/drivers/pinpad/serial-pinpad-port.js';
import { parsePrinterUrl } from '../../src/drivers/printer/printer-url.js';
import { parseConfig } from '../../src/daemon/config.js';

test('Windows COM ports: serial://COM3 and serial:///COM3, any case, for printers and PIN pads alike', () => {
  for (const u of ['serial://COM3?baud=19200', 'serial:///COM3?baud=19200', 'serial://com3?baud=19200']) {
    assert.deepEqual(parsePrinterUrl(u), { kind: 'serial', path: 'COM3', baud: 19200 }, u);
    assert.deepEqual(parsePinPadUrl(u), { path: 'COM3', baud: 19200 }, u);
  }
  const c = parseConfig({ lanes: [{ name: 'A', reader: 'R', pinpad: 'serial://COM4', display: 'serial://COM5?baud=9600' }] });
  assert.equal(c.lanes[0].display, 'serial://COM5?baud=9600');
});

test('device paths, and what is refused with the same reason for every device', () => {
  assert.deepEqual(parsePrinterUrl('serial:///dev/ttyUSB0'), { kind: 'serial', path: '/dev/ttyUSB0', baud: 9600 });
  for (const [u, why] of [
    ['serial://printer.local/dev/ttyS0', /no host/],
    ['serial://COM3/x', /no host/],
    ['serial:///dev/', /no device path/],
    ['serial:///dev/ttyS0?baud=7', /baud must be one of/],
    ['serial:///dev/ttyS0?parity=even', /unknown parameter "parity"/],
    ['serial:///dev/tty%ZZ', /bad %-escape/],
  ] as const) {
    assert.throws(() => parsePrinterUrl(u), (e: unknown) => e instanceof Error && why.test(e.message) && (e as { code?: string }).code === 'PRINTER_URL_INVALID', u);
    assert.throws(() => parsePinPadUrl(u), (e: unknown) => e instanceof Error && why.test(e.message) && (e as { code?: string }).code === 'PINPAD_URL_INVALID', u);
  }
});
