// The node-hid binding: the real package as installed here (no HID devices attached, no /dev/uhid), and its rules
// (typed open errors, unplug → one HID_DEVICE_UNPLUGGED and a closed handle, idempotent close) over a module that
// implements node-hid's interface (NodeHidModule) where no real device can exist.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromHex } from '../../src/apdu/hex.js';
import { HidError } from '../../src/drivers/hid/errors.js';
import { openHidStripeReader } from '../../src/drivers/hid/hid-stripe-reader.js';
import { buildMagtekReport } from '../../src/drivers/hid/magtek-report.js';
import {
  classifyHidDevice,
  hidrawInputReportLength,
  listHidDevices,
  loadNodeHidBinding,
  type NodeHidDeviceRecord,
  type NodeHidHandle,
  type NodeHidModule,
} from '../../src/drivers/hid/node-hid-binding.js';
import { inputReportLengths } from '../../src/drivers/hid/report-descriptor.js';
import { SimulatedHidBinding } from '../../src/sim/stripe/simulated-stripe-reader.js';
import { buildTrack2, TEST_CARDS } from '../../src/sim/stripe/test-cards.js';

function hidCode(e: unknown, code: string): boolean {
  assert.ok(e instanceof HidError, `expected HidError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
}

test('real node-hid: loads, lists an array, and opening a missing path is HID_DEVICE_NOT_FOUND (no crash)', async () => {
  const binding = await loadNodeHidBinding();
  assert.match(binding.hidapiVersion, /^[0-9]+\.[0-9]+/);
  const listed = await listHidDevices({ binding });
  assert.ok(Array.isArray(listed));
  for (const d of listed) assert.equal(typeof d.likelyCardReader, 'boolean');
  assert.ok(Array.isArray(await listHidDevices()));
  assert.throws(() => binding.open({ path: '/dev/hidraw-posbridge-absent' }), (e) => hidCode(e, 'HID_DEVICE_NOT_FOUND'));
  assert.throws(() => binding.open({ vendorId: 0x0801, productId: 0x7fff }), (e) => hidCode(e, 'HID_DEVICE_NOT_FOUND'));
  await assert.rejects(openHidStripeReader(binding, { target: { path: '/dev/hidraw-posbridge-absent' } }), (e) => hidCode(e, 'HID_DEVICE_NOT_FOUND'));
});

test('node-hid missing or its addon broken → HID_UNAVAILABLE, not retriable', async () => {
  await assert.rejects(loadNodeHidBinding(() => Promise.reject(new Error("Cannot find package 'node-hid'"))), (e) => {
    hidCode(e, 'HID_UNAVAILABLE');
    return (e as HidError).retriable === false && (e as HidError).details.reason === 'module-missing';
  });
  const broken = fakeModule([]);
  broken.getHidapiVersion = () => {
    throw new Error('No native build was found for platform=linux arch=x64');
  };
  await assert.rejects(loadNodeHidBinding(async () => broken), (e) => hidCode(e, 'HID_UNAVAILABLE') && (e as HidError).details.reason === 'addon-failed');
  await assert.rejects(listHidDevices({ binding: await loadNodeHidBinding(async () => ({ ...fakeModule([]), devices: () => { throw new Error('hid_enumerate failed'); } })) }), (e) => hidCode(e, 'HID_UNAVAILABLE'));
});

/** A node-hid handle as node-hid behaves: 'data' Buffers, one 'error' on unplug, close() not idempotent. */
class FakeHandle extends EventEmitter implements NodeHidHandle {
  closes = 0;
  read(callback: (err: unknown, report: ArrayLike<number>) => void): void {
    this.once('data', (b: Buffer) => callback(null, b));
  }
  close(): void {
    this.closes++;
    if (this.closes > 1) throw new Error('device already closed');
    this.removeAllListeners();
  }
}

const MAGTEK: NodeHidDeviceRecord = { vendorId: 0x0801, productId: 0x0002, product: 'USB Swipe Reader', path: '/dev/hidraw3', usagePage: 0xff00, usage: 1 };

/** Implements NodeHidModule (the interface node-hid's own module satisfies); `opened` records handles. */
function fakeModule(list: NodeHidDeviceRecord[], refuse = false): NodeHidModule & { opened: FakeHandle[] } {
  const opened: FakeHandle[] = [];
  class HID extends FakeHandle {
    constructor(pathOrVid: string | number, pid?: number) {
      super();
      const found = list.find((d) => (typeof pathOrVid === 'string' ? d.path === pathOrVid : d.vendorId === pathOrVid && d.productId === pid));
      if (!found || refuse) throw new Error(`cannot open device with path ${String(pathOrVid)}`);
      opened.push(this);
    }
  }
  return { devices: () => list.map((d) => ({ ...d })), getHidapiVersion: () => '0.15.0', HID, opened };
}

test('open: listed but refused → HID_OPEN_FAILED; the reader wraps it the same way', async () => {
  const binding = await loadNodeHidBinding(async () => fakeModule([MAGTEK], true));
  assert.throws(() => binding.open({ path: MAGTEK.path ?? '' }), (e) => hidCode(e, 'HID_OPEN_FAILED') && (e as HidError).retriable);
  await assert.rejects(openHidStripeReader(binding), (e) => hidCode(e, 'HID_OPEN_FAILED'));
});

test('reports become swipes; an unplug closes the handle once and ends the reader with HID_DEVICE_UNPLUGGED', async () => {
  const mod = fakeModule([MAGTEK]);
  const binding = await loadNodeHidBinding(async () => mod);
  assert.deepEqual(binding.devices(), [{ vendorId: 0x0801, productId: 2, product: 'USB Swipe Reader', path: '/dev/hidraw3', usagePage: 0xff00, usage: 1 }]);
  const reader = await openHidStripeReader(binding);
  const handle = mod.opened[0];
  const it = reader.swipes();
  handle.emit('data', Buffer.from(buildMagtekReport({ track2: buildTrack2(TEST_CARDS.mastercardStripe) })));
  const first = await it.next();
  assert.ok(!first.done && first.value.ok);
  assert.equal(first.value.card.maskedPan, '541333******0010');
  const pending = it.next();
  handle.emit('error', new Error('could not read from HID device'));
  await assert.rejects(pending, (e) => hidCode(e, 'HID_DEVICE_UNPLUGGED'));
  assert.equal(handle.closes, 1, 'closed once on unplug, not again by the reader');
  assert.equal(reader.closed, true);
  await reader.close();
  assert.equal(handle.closes, 1);
});

test('device: typed unplug error to its own listeners, data as Uint8Array, close idempotent, read after close fails typed', async () => {
  const mod = fakeModule([MAGTEK]);
  const dev = (await loadNodeHidBinding(async () => mod)).open({ vendorId: 0x0801, productId: 0x0002 });
  const handle = mod.opened[0];
  const got: Uint8Array[] = [];
  const errors: Error[] = [];
  dev.on('data', (r) => got.push(r));
  dev.on('error', (e) => errors.push(e));
  handle.emit('data', [1, 2, 3]);
  assert.deepEqual(got, [Uint8Array.from([1, 2, 3])]);
  handle.emit('error', new Error('could not read from HID device'));
  assert.equal(handle.listenerCount('error'), 0, 'node-hid removes its listeners on close: nothing more can arrive');
  assert.equal(errors.length, 1);
  hidCode(errors[0], 'HID_DEVICE_UNPLUGGED');
  dev.close();
  dev.close();
  assert.equal(handle.closes, 1);
  await new Promise<void>((resolve) => dev.read((err) => (hidCode(err, 'HID_DEVICE_UNPLUGGED'), resolve())));
  const quiet = (await loadNodeHidBinding(async () => fakeModule([MAGTEK]))).open({ path: '/dev/hidraw3' });
  quiet.close();
  quiet.close();
});

test('an unplug with no error listener does not throw out of the read loop', async () => {
  const mod = fakeModule([MAGTEK]);
  (await loadNodeHidBinding(async () => mod)).open({ path: '/dev/hidraw3' });
  assert.doesNotThrow(() => mod.opened[0].emit('error', new Error('could not read from HID device')));
  assert.equal(mod.opened[0].closes, 1);
});

test('card-reader guess: MagTek or ID TECH vendor, or usage page 0xFF00 with a 337-byte input report', async () => {
  assert.equal(classifyHidDevice({ vendorId: 0x0801, productId: 1 }, null), 'magtek-vendor');
  assert.equal(classifyHidDevice({ vendorId: 0x0acd, productId: 0x3810 }, null), 'idtech-vendor');
  assert.equal(classifyHidDevice({ vendorId: 0x1234, productId: 1, usagePage: 0xff00 }, 337), 'vendor-defined-magtek-report');
  assert.equal(classifyHidDevice({ vendorId: 0x1234, productId: 1, usagePage: 0xff00 }, 64), null);
  assert.equal(classifyHidDevice({ vendorId: 0x1234, productId: 1, usagePage: 0x0001 }, 337), null);
  const binding = new SimulatedHidBinding();
  const sizes: string[] = [];
  const listed = await listHidDevices({ binding, inputReportLength: async (d) => (sizes.push(d.path ?? ''), 337) });
  assert.deepEqual(sizes, [], 'the simulated reader has no usage page: its descriptor is not read');
  assert.equal(listed[0].likelyCardReader, true);
  assert.equal(listed[0].cardReaderHint, 'magtek-vendor');
  const other = await loadNodeHidBinding(async () => fakeModule([{ vendorId: 0x1234, productId: 9, path: '/dev/hidraw7', usagePage: 0xff00 }, { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw8', usagePage: 1, usage: 6 }]));
  const res = await listHidDevices({ binding: other, inputReportLength: async () => 337 });
  assert.deepEqual(res.map((d) => [d.cardReaderHint ?? null, d.inputReportLength ?? null]), [['vendor-defined-magtek-report', 337], [null, null]]);
});

// A MagTek-style descriptor: usage page 0xFF00, collection, 8-bit fields: 7 header bytes, then 3 × 110 track bytes.
const MAGTEK_DESCRIPTOR = '06 00FF 09 01 A1 01 15 00 26 FF00 75 08 95 07 09 20 81 02 96 4A01 09 30 81 02 C0';

test('report descriptor: input sizes per report ID, push/pop, long items; malformed → null', () => {
  assert.deepEqual(inputReportLengths(fromHex(MAGTEK_DESCRIPTOR.replace(/ /g, ''))), new Map([[0, 337]]));
  // Report IDs 1 (8 bytes in, an output not counted) and 2 (bits rounded up), Push/Pop restoring size 8.
  const ids = '85 01 75 08 95 08 81 02 91 02 85 02 A4 75 01 95 03 81 02 B4 95 01 81 02 FE 02 10 AA BB';
  assert.deepEqual(inputReportLengths(fromHex(ids.replace(/ /g, ''))), new Map([[1, 8], [2, 2]]));
  assert.equal(inputReportLengths(fromHex('7508 96 4A')), null, 'truncated item');
  assert.equal(inputReportLengths(fromHex('B4')), null, 'pop without push');
  assert.equal(inputReportLengths(new Uint8Array(5000)), null, 'too large');
  assert.deepEqual(inputReportLengths(new Uint8Array(0)), new Map());
});

test('hidraw report size from sysfs; other paths and missing nodes → null', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'posbridge-hidraw-'));
  try {
    await mkdir(join(dir, 'hidraw3', 'device'), { recursive: true });
    await writeFile(join(dir, 'hidraw3', 'device', 'report_descriptor'), fromHex(MAGTEK_DESCRIPTOR.replace(/ /g, '')));
    assert.equal(await hidrawInputReportLength('/dev/hidraw3', dir), 337);
    assert.equal(await hidrawInputReportLength('/dev/hidraw4', dir), null);
    assert.equal(await hidrawInputReportLength('IOService:/AppleACPIPlatformExpert/XHC1', dir), null);
    assert.equal(await hidrawInputReportLength(undefined, dir), null);
    assert.equal(await hidrawInputReportLength('/dev/hidraw3/../../etc', dir), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
