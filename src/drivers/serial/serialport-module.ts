import { createRequire } from 'node:module';
import type { SerialPort } from 'serialport';
import { hangupAwareBinding } from './hangup-aware-binding.js';

type Options = ConstructorParameters<typeof SerialPort>[0];
type Callback = ConstructorParameters<typeof SerialPort>[1];
/** A serial port class: serialport's, with our binding. */
export type SerialPortClass = new (options: Options, openCallback?: Callback) => SerialPort;

let cls: SerialPortClass | null = null;

/** serialport's SerialPort class over a binding that notices a hung-up port; loaded on the first serial device opened. */
export function serialPortClass(): SerialPortClass {
  if (cls) return cls;
  const Base = (createRequire(import.meta.url)('serialport') as { SerialPort: typeof SerialPort }).SerialPort;
  const binding = hangupAwareBinding(Base.binding);
  cls = class HangupAwareSerialPort extends Base {
    constructor(options: Options, openCallback?: Callback) {
      super(Object.assign({}, options, { binding }), openCallback);
    }
  };
  return cls;
}
