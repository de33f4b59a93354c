// Serial port listing from a sysfs tree built on disk (the layout of /sys/class/tty), without udevadm.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listSerialPorts } from '../../src/drivers/serial/list-ports.js';

test('ports with a bound driver are listed with it; virtual ttys and driverless devices are not', async () => {
  const root = mkdtempSync(join(tmpdir(), 'posbridge-sysfs-'));
  try {
    const tty = join(root, 'class', 'tty');
    mkdirSync(join(root, 'bus', 'usb-serial', 'drivers', 'ftdi_sio'), { recursive: true });
    mkdirSync(join(tty, 'ttyUSB0', 'device'), { recursive: true });
    symlinkSync(join(root, 'bus', 'usb-serial', 'drivers', 'ftdi_sio'), join(tty, 'ttyUSB0', 'device', 'driver'));
    mkdirSync(join(tty, 'tty0'), { recursive: true });
    mkdirSync(join(tty, 'ttyS9', 'device'), { recursive: true });
    assert.deepEqual(await listSerialPorts('linux', tty), [{ path: '/dev/ttyUSB0', driver: 'ftdi_sio' }]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a sysfs that cannot be read is an error, not an empty list', async () => {
  await assert.rejects(listSerialPorts('linux', '/nonexistent/sys/class/tty'), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT');
});
