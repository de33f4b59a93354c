// The reopening byte stream under serial printers and displays: opened on first use, a loss reported once as the
// device's own error, then opened again; a failed write is that report (the close after it is not reported again).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ByteConnection, ByteHandlers, ByteTransport, SerialDevice } from '../../src/drivers/serial/byte-transport.js';
import { ReopeningByteStream } from '../../src/drivers/serial/reopening-byte-stream.js';

class DeviceGone extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

const DEVICE: SerialDevice = { what: 'the test device', error: (message, details) => new DeviceGone(message, details) };

/** A transport whose connections record writes; `failWrites` makes writes reject; `handlers` of the latest open. */
class FakeTransport implements ByteTransport {
  readonly where = '/dev/fake0';
  opens = 0;
  closes = 0;
  written: number[] = [];
  failWrites = false;
  handlers: ByteHandlers | null = null;
  async connect(h: ByteHandlers): Promise<ByteConnection> {
    this.opens++;
    this.handlers = h;
    return {
      write: async (b) => {
        if (this.failWrites) throw DEVICE.error('write failed', {});
        this.written.push(...b);
      },
      close: async () => {
        this.closes++;
      },
    };
  }
}

describe('ReopeningByteStream', () => {
  test('opens once on first use and reads what arrived, in order, up to count', async () => {
    const t = new FakeTransport();
    const s = new ReopeningByteStream(t, DEVICE);
    assert.equal(t.opens, 0);
    await s.write(Uint8Array.of(1, 2));
    await s.write(Uint8Array.of(3));
    assert.equal(t.opens, 1);
    assert.deepEqual(t.written, [1, 2, 3]);
    t.handlers?.data(Uint8Array.of(0x12, 0x34));
    t.handlers?.data(Uint8Array.of(0x56));
    assert.deepEqual([...(await s.read(2, 50))], [0x12, 0x34]);
    assert.deepEqual([...(await s.read(5, 20))], [0x56]);
    assert.deepEqual([...(await s.read(1, 10))], []);
  });

  test('a port lost while idle: the next call rejects once with the device error naming it, the one after reopens', async () => {
    const t = new FakeTransport();
    const s = new ReopeningByteStream(t, DEVICE);
    await s.write(Uint8Array.of(1));
    t.handlers?.closed('the port hung up');
    await assert.rejects(s.write(Uint8Array.of(2)), (e: unknown) => e instanceof DeviceGone && /the test device \/dev\/fake0 went away: the port hung up/.test(e.message) && e.details.path === '/dev/fake0');
    await s.write(Uint8Array.of(3));
    assert.equal(t.opens, 2);
    assert.deepEqual(t.written, [1, 3]);
  });

  test('a read waiting for bytes ends at once when the port goes away', async () => {
    const t = new FakeTransport();
    const s = new ReopeningByteStream(t, DEVICE);
    await s.write(Uint8Array.of(1));
    const started = Date.now();
    const reading = s.read(4, 5000);
    setTimeout(() => t.handlers?.closed('gone'), 20);
    assert.deepEqual([...(await reading)], []);
    assert.ok(Date.now() - started < 2000);
  });

  test('a failed write is the report: the close that follows is not reported again, the next write reopens', async () => {
    const t = new FakeTransport();
    const s = new ReopeningByteStream(t, DEVICE);
    await s.write(Uint8Array.of(1));
    const first = t.handlers;
    t.failWrites = true;
    await assert.rejects(s.write(Uint8Array.of(2)), DeviceGone);
    assert.equal(t.closes, 1);
    first?.closed('the port closed');
    t.failWrites = false;
    await s.write(Uint8Array.of(3));
    assert.equal(t.opens, 2);
    assert.deepEqual(t.written, [1, 3]);
  });

  test('close closes the open connection and is idempotent; a later write opens again', async () => {
    const t = new FakeTransport();
    const s = new ReopeningByteStream(t, DEVICE);
    await s.close();
    assert.equal(t.closes, 0);
    await s.write(Uint8Array.of(1));
    await s.close();
    await s.close();
    assert.equal(t.closes, 1);
    await s.write(Uint8Array.of(2));
    assert.equal(t.opens, 2);
  });
});
