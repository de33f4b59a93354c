// A serial port whose far end goes away while nothing is being written (a USB-serial device unplugged, a pty's peer
// closed) must be reported as lost at once, not found only when the next write fails or a timer runs out.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pinPadSerialTransport } from '../../src/drivers/pinpad/serial-pinpad-port.js';
import { noSocat, PtyPair } from '../helpers/pty.js';

describe('a hung-up serial port', { skip: noSocat(), timeout: 20_000 }, () => {
  test('an idle open port reports the close when its peer goes away, and opens again once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posbridge-hup-'));
    const pair = new PtyPair(join(dir, 'dev'), join(dir, 'host'));
    try {
      await pair.start();
      const transport = pinPadSerialTransport(pair.b, 19200);
      let closed: (why: string) => void = () => undefined;
      const lost = new Promise<string>((r) => (closed = r));
      const conn = await transport.connect({ data: () => undefined, closed: (why) => closed(why) });
      await pair.stop();
      // No write, no timer: only the hang-up itself can settle this (the test's own timeout fails it otherwise).
      const why = await lost;
      // Our binding's hang-up, or (under load, seen once in a full run) the poller's EBADF for the dead pty: a loss either way.
      assert.match(why, /hung up|disconnect|closed|bad file descriptor/i);
      await conn.close();
      await pair.start();
      const again = await transport.connect({ data: () => undefined, closed: () => undefined });
      await again.write(new Uint8Array([0x06]));
      await again.close();
    } finally {
      await pair.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
