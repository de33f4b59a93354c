import { createRequire } from 'node:module';
import type { SerialPort } from 'serialport';

let cls: typeof SerialPort | null = null;

/** serialport's SerialPort class, loaded on the first serial device opened (a daemon without one never loads it). */
export function serialPortClass(): typeof SerialPort {
  cls ??= (createRequire(import.meta.url)('serialport') as { SerialPort: typeof SerialPort }).SerialPort;
  return cls;
}
