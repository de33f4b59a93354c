// posbridge doctor --config reaches each configured device: a printer on TCP (its status), a serial PIN pad on a
// socat pty (identify), a pole display's port, a HID stripe reader (none can exist here: said so).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configDeviceChecks } from '../../src/cli/commands/doctor-devices.js';
import { parseConfig } from '../../src/daemon/config.js';
import { SerialPinPadEmulator } from '../../src/sim/pinpad/serial-pinpad-emulator.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';
import { noSocat, PtyPair } from '../helpers/pty.js';

test('doctor --config: printer status, PIN pad identity, display port and stripe reader, each with what to do', { skip: noSocat() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-doctor-dev-'));
  const printer = new EscPosEmulator();
  const pty = new PtyPair(join(dir, 'pad-dev'), join(dir, 'pad'));
  const pad = new SerialPinPadEmulator({ supplier: async () => 'cancel' });
  await pty.start();
  const link = await pad.attachToPath(pty.a, 9600);
  try {
    const port = await printer.listen();
    printer.setStatus({ paper: 'end' });
    const config = parseConfig({
      printers: { front: { url: `tcp://127.0.0.1:${port}` }, gone: { url: 'tcp://127.0.0.1:1' } },
      lanes: [{ name: 'A', reader: 'R', printer: 'front', pinpad: `serial://${pty.b}?baud=9600`, display: `serial://${join(dir, 'no-display')}?baud=9600`, stripe: 'hid:0801:0011' }],
    });
    const checks = await configDeviceChecks(config);
    const byName = new Map(checks.map((c) => [c.name, c]));
    assert.deepEqual(checks.map((c) => [c.name, c.status]), [
      ['printer front', 'warn'],
      ['printer gone', 'fail'],
      ['lane A PIN pad', 'ok'],
      ['lane A display', 'fail'],
      ['lane A stripe reader', 'fail'],
    ]);
    assert.match(byName.get('printer front')?.detail ?? '', /paper end/);
    assert.match(byName.get('printer gone')?.detail ?? '', /PRINTER_UNREACHABLE/);
    assert.match(byName.get('lane A PIN pad')?.detail ?? '', /dukpt/i);
    assert.ok(checks.filter((c) => c.status !== 'ok').every((c) => c.fix), 'every problem says what to do');
  } finally {
    await link.close();
    await pty.stop();
    await printer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
