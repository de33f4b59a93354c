// The daemon config: lanes naming their reader, PIN pad, printer and display; named printers; each error names the
// bad key and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, lanePinPad, lanePrinter, parseConfig } from '../../src/daemon/config.js';
import { capabilitiesFor } from '../../src/daemon/lane-pinpad.js';

const bad = (json: unknown, key: string): void => {
  assert.throws(
    () => parseConfig(json),
    (e: unknown) => e instanceof ConfigError && e.details.key === key,
    `expected a ConfigError naming ${key}`,
  );
};

test('lanes name their PIN pad, printer and display; lanes without a printer get the "default" one', () => {
  const c = parseConfig({
    printers: { front: { url: 'tcp://10.0.0.5:9100', encoding: 'gb18030' }, default: { url: 'serial:///dev/ttyS0?baud=19200', commandSet: 'star', charactersPerLine: 32 } },
    lanes: [
      { name: 'A', reader: 'R1', pinpad: 'reader', printer: 'front', display: 'serial:///dev/ttyUSB1?baud=9600' },
      { name: 'B', reader: 'R2', pinpad: 'serial:///dev/ttyUSB2?baud=9600' },
    ],
    falsePinPadReaders: ['Cheap Reader'],
  });
  assert.deepEqual(lanePrinter(c, c.lanes[0]), { name: 'front', printer: { url: 'tcp://10.0.0.5:9100', encoding: 'gb18030', commandSet: 'escpos', chineseFont: true, charactersPerLine: 42 } });
  assert.equal(lanePrinter(c, c.lanes[1])?.name, 'default');
  assert.equal(lanePrinter(c, c.lanes[1])?.printer.commandSet, 'star');
  assert.equal(c.lanes[0].display, 'serial:///dev/ttyUSB1?baud=9600');
  assert.deepEqual([lanePinPad(c, c.lanes[0]), lanePinPad(c, c.lanes[1])], ['reader', 'serial:///dev/ttyUSB2?baud=9600']);
  assert.deepEqual(c.falsePinPadReaders, ['Cheap Reader']);
});

test('the PIN pad defaults to the virtual one in demo mode and to the reader otherwise', () => {
  const lanes = [{ name: 'A', reader: 'R' }];
  assert.equal(lanePinPad(parseConfig({ demo: true, lanes }), { name: 'A', reader: 'R' }), 'virtual');
  assert.equal(lanePinPad(parseConfig({ lanes }), { name: 'A', reader: 'R' }), 'reader');
});

test('"printer" is shorthand for a printer named default; with no printer a lane has none', () => {
  const c = parseConfig({ printer: 'tcp://127.0.0.1:9100', printerEncoding: 'gb18030', lanes: [{ name: 'A', reader: 'R' }] });
  assert.equal(lanePrinter(c, c.lanes[0])?.printer.encoding, 'gb18030');
  assert.equal(lanePrinter(parseConfig({ lanes: [{ name: 'A', reader: 'R' }] }), { name: 'A', reader: 'R' }), null);
});

test('merchant.language words the receipts: English by default, Chinese labels with "zh"', () => {
  const lanes = [{ name: 'A', reader: 'R' }];
  assert.equal(parseConfig({ lanes }).merchant.language, 'en');
  assert.equal(parseConfig({ lanes, merchant: { name: 'Shop' } }).merchant.language, 'en');
  assert.equal(parseConfig({ lanes, merchant: { name: '街角小店', language: 'zh' } }).merchant.language, 'zh');
});

test('each mistake names its key', () => {
  const lane = { name: 'A', reader: 'R' };
  bad({ lanes: [{ ...lane, printer: 'nowhere' }] }, 'lanes[0].printer');
  bad({ lanes: [{ ...lane, pinpad: 'bluetooth' }] }, 'lanes[0].pinpad');
  bad({ lanes: [{ ...lane, pinpad: 'serial:///dev/ttyUSB0?baud=7' }] }, 'lanes[0].pinpad');
  bad({ lanes: [{ ...lane, display: 'tcp://1.2.3.4:9100' }] }, 'lanes[0].display');
  bad({ lanes: [{ ...lane, drawer: true }] }, 'lanes[0].drawer');
  bad({ lanes: [lane, lane] }, 'lanes[1].name');
  bad({ lanes: [lane], printers: { front: { url: 'lpt://1' } } }, 'printers.front.url');
  bad({ lanes: [lane], printers: { front: { url: 'tcp://h:9100', commandSet: 'zpl' } } }, 'printers.front.commandSet');
  bad({ lanes: [lane], printers: { front: { url: 'tcp://h:9100', charactersPerLine: 200 } } }, 'printers.front.charactersPerLine');
  bad({ lanes: [lane], printers: { front: { url: 'tcp://h:9100', encoding: 'latin9' } } }, 'printers.front.encoding');
  bad({ lanes: [lane], printers: { 'a b': { url: 'tcp://h:9100' } } }, 'printers.a b');
  bad({ lanes: [lane], printer: 'tcp://h:9100', printers: { default: { url: 'tcp://h:9101' } } }, 'printer');
  bad({ lanes: [lane], printerEncoding: 'gb18030' }, 'printerEncoding');
  bad({ lanes: [lane], falsePinPadReaders: [''] }, 'falsePinPadReaders');
  bad({ lanes: [lane], merchant: { name: 'Shop', merchantId: 'M'.repeat(16) } }, 'merchant.merchantId');
  bad({ lanes: [lane], merchant: { name: 'Shop', terminalId: '123456789' } }, 'merchant.terminalId');
  bad({ lanes: [lane], merchant: { name: 'Shop', terminalID: 'T1' } }, 'merchant.terminalID');
  bad({ lanes: [lane], merchant: { name: 'Shop', language: 'fr' } }, 'merchant.language');
  bad({ lanes: [lane], autoPrint: 'always' }, 'autoPrint');
});

test("a lane's terminal capabilities (9F33 byte 2) follow its PIN pad: no CVM the pad cannot do", () => {
  assert.equal(capabilitiesFor('virtual', 'E0F8C8'), 'E0F8C8');
  assert.equal(capabilitiesFor('reader', 'E0F8C8'), 'E0A8C8', 'no online or enciphered PIN on a reader keypad');
  assert.equal(capabilitiesFor('serial:///dev/ttyUSB0', 'E0F8C8'), 'E078C8', 'no plaintext offline PIN on a serial pad');
});
