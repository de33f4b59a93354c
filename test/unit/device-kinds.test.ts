// The registry of device kinds: each configuration value is claimed by exactly one kind of its family, parsed by it,
// refused outside the demo when the kind is a simulator, and a wrong value names the accepted forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/daemon/config.js';
import { kindOf, type DeviceKind } from '../../src/daemon/device-kind.js';
import { refuseSimulators } from '../../src/daemon/demo-only.js';
import { DISPLAY_KINDS } from '../../src/daemon/lane-display.js';
import { capabilitiesFor, PINPAD_KINDS } from '../../src/daemon/lane-pinpad.js';
import { STRIPE_KINDS } from '../../src/daemon/lane-stripe.js';
import { PRINTER_KINDS } from '../../src/daemon/printer-kinds.js';

const samples: ReadonlyArray<[string, readonly DeviceKind<unknown>[], readonly [string, string][]]> = [
  ['pinpad', PINPAD_KINDS, [['reader', 'reader'], ['serial:///dev/ttyUSB0?baud=9600', 'serial'], ['virtual', 'virtual']]],
  ['stripe', STRIPE_KINDS, [['hid', 'hid'], ['hid:0801:0002', 'hid'], ['hid:/dev/hidraw3', 'hid'], ['virtual', 'virtual']]],
  ['display', DISPLAY_KINDS, [['serial:///dev/ttyUSB1?baud=9600', 'serial']]],
  ['printer', PRINTER_KINDS, [['tcp://10.0.0.5:9100', 'tcp'], ['serial:///dev/ttyS0?baud=19200', 'serial'], ['file:///dev/usb/lp0', 'usblp']]],
];

test('every sample value is claimed by exactly one kind of its family, which parses it unchanged', () => {
  for (const [family, kinds, values] of samples) {
    for (const [value, name] of values) {
      assert.equal(kinds.filter((k) => k.claims(value)).length, 1, `${family} ${value}: one kind`);
      const kind = kindOf(kinds, value, 'k');
      assert.equal(kind.name, name);
      assert.equal(kind.family, family);
      assert.equal(kind.parse(value, 'k'), value);
    }
  }
});

test('a value no kind claims names every accepted form', () => {
  assert.throws(
    () => kindOf(PINPAD_KINDS, 'bluetooth://pad', 'lanes[0].pinpad'),
    (e: unknown) => e instanceof ConfigError && e.details.key === 'lanes[0].pinpad' && PINPAD_KINDS.every((k) => e.message.includes(k.form)),
  );
});

test('the simulator kinds are refused outside the demo, the message naming the real kinds', () => {
  const host = { host: 'acquirer.example', port: 7001 };
  for (const [key, lane] of [
    ['lanes[0].pinpad', { name: 'A', reader: 'R', pinpad: 'virtual' }],
    ['lanes[0].stripe', { name: 'A', reader: 'R', stripe: 'virtual' }],
  ] as const) {
    const config = parseConfig({ host, lanes: [lane] });
    assert.throws(
      () => refuseSimulators(config),
      (e: unknown) => e instanceof ConfigError && e.details.key === key && e.message.includes('refused outside the demo'),
    );
  }
  assert.doesNotThrow(() => refuseSimulators(parseConfig({ host, lanes: [{ name: 'A', reader: 'R', pinpad: 'reader', stripe: 'hid' }] })));
  assert.deepEqual(
    [PINPAD_KINDS, STRIPE_KINDS, DISPLAY_KINDS, PRINTER_KINDS].flatMap((ks) => ks.filter((k) => k.demoOnly).map((k) => `${k.family}:${k.name}`)),
    ['pinpad:virtual', 'stripe:virtual'],
  );
});

test("each PIN pad kind's capabilities leave out the CVMs it cannot do (9F33 byte 2)", () => {
  assert.equal(capabilitiesFor('reader', 'E0F8C8'), 'E0A8C8', 'no online (0x40) nor enciphered (0x10) PIN');
  assert.equal(capabilitiesFor('serial:///dev/ttyUSB0?baud=9600', 'E0F8C8'), 'E078C8', 'no plaintext offline PIN (0x80)');
  assert.equal(capabilitiesFor('virtual', 'E0F8C8'), 'E0F8C8');
});
