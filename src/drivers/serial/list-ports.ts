import { readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** A serial port the OS knows, with the kernel driver bound to it when known. */
export interface SerialPortInfo {
  readonly path: string;
  readonly driver: string | null;
}

/**
 * The machine's serial ports. On Linux from sysfs (`/sys/class/tty/NAME/device` exists for real ports; the driver
 * is its `driver` link), because `SerialPort.list()` spawns `udevadm`, which minimal systems lack. Elsewhere
 * (Windows COM ports, macOS) through `SerialPort.list()`.
 */
export async function listSerialPorts(platform: NodeJS.Platform = process.platform, sysRoot = '/sys/class/tty'): Promise<SerialPortInfo[]> {
  if (platform !== 'linux') {
    const { SerialPort } = await import('serialport');
    return (await SerialPort.list()).map((p) => ({ path: p.path, driver: p.manufacturer ?? null }));
  }
  const out: SerialPortInfo[] = [];
  for (const name of (await readdir(sysRoot)).sort()) {
    const device = join(sysRoot, name, 'device');
    const driver = await readlink(join(device, 'driver')).then(
      (target) => basename(target),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined; // no device (virtual tty) or no driver bound
        throw err;
      },
    );
    if (driver === undefined) continue;
    // The legacy 8250 driver ("port", "serial8250") lists ttyS ports whether or not a UART answers there: kept as listed.
    out.push({ path: `/dev/${name}`, driver });
  }
  return out;
}
