// The serial PIN pad protocol's framing, messages and link (docs/hardware.md, "Serial PIN pad protocol"): exact
// bytes, hostile frames → typed errors, a property test of the stream decoder, and ACK/NAK retransmission over an
// in-memory byte pipe.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PinPadError } from '../../src/drivers/pinpad/serial-pinpad-errors.js';
import { ACK, decodeFrame, encodeFrame, FrameDecoder, MAX_PAYLOAD, NAK, STX, type DecodedItem } from '../../src/drivers/pinpad/serial-pinpad-frames.js';
import { PinPadLink } from '../../src/drivers/pinpad/serial-pinpad-link.js';
import { decodeReply, decodeRequest, encodeReply, encodeRequest, MSG, type PadReply, type PadRequest } from '../../src/drivers/pinpad/serial-pinpad-messages.js';
import type { ByteConnection, ByteHandlers, ByteTransport } from '../../src/drivers/serial/byte-transport.js';
import { parsePinPadUrl } from '../../src/drivers/pinpad/serial-pinpad-port.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const code = (c: string) => (e: unknown) => e instanceof PinPadError && e.code === c;

describe('frames', () => {
  test('DISPLAY "HI" seq 1: STX, LEN 0004, SEQ, TYPE, payload, ETX, LRC = XOR(LEN..ETX) = 16', () => {
    const f = encodeFrame({ seq: 1, type: 0x11, payload: bytes('4849') });
    assert.equal(hex(f), '02' + '0004' + '01' + '11' + '4849' + '03' + '16');
    assert.deepEqual(decodeFrame(f), { seq: 1, type: 0x11, payload: bytes('4849') });
  });

  test('an empty payload: LEN 0002', () => {
    assert.equal(hex(encodeFrame({ seq: 0xff, type: 0x10, payload: new Uint8Array(0) })), '020002FF1003' + (0x02 ^ 0xff ^ 0x10 ^ 0x03).toString(16).toUpperCase().padStart(2, '0'));
  });

  test('hostile frames are typed errors', () => {
    const good = encodeFrame({ seq: 7, type: 0x20, payload: bytes('0001020304') });
    const badLrc = Uint8Array.from(good);
    badLrc[badLrc.length - 1] ^= 0x01;
    assert.throws(() => decodeFrame(badLrc), code('PINPAD_FRAME_LRC'));
    const flipped = Uint8Array.from(good);
    flipped[6] ^= 0x80; // a payload bit flipped in transit
    assert.throws(() => decodeFrame(flipped), code('PINPAD_FRAME_LRC'));
    assert.throws(() => decodeFrame(good.subarray(0, good.length - 1)), code('PINPAD_FRAME_TRUNCATED'));
    assert.throws(() => decodeFrame(good.subarray(0, 2)), code('PINPAD_FRAME_TRUNCATED'));
    assert.throws(() => decodeFrame(bytes('02FFFF0110')), code('PINPAD_FRAME_OVERSIZE'));
    assert.throws(() => decodeFrame(bytes('0200010103')), code('PINPAD_FRAME_INVALID'), 'LEN below 2');
    const noEtx = Uint8Array.from(good);
    noEtx[noEtx.length - 2] = 0x04;
    assert.throws(() => decodeFrame(noEtx), code('PINPAD_FRAME_INVALID'));
    assert.throws(() => decodeFrame(Uint8Array.of(0x41, ...good.subarray(1))), code('PINPAD_FRAME_INVALID'));
    assert.throws(() => encodeFrame({ seq: 1, type: 1, payload: new Uint8Array(MAX_PAYLOAD + 1) }), code('PINPAD_FRAME_OVERSIZE'));
    assert.throws(() => encodeFrame({ seq: 256, type: 1, payload: new Uint8Array(0) }), code('PINPAD_FRAME_INVALID'));
  });

  test('stream decoder: noise skipped, ACK with its SEQ, NAK, frames split anywhere, a hostile LEN reported at once', () => {
    const d = new FrameDecoder();
    const f = encodeFrame({ seq: 3, type: 0x91, payload: new Uint8Array(0) });
    const stream = Uint8Array.of(0x00, 0x7e, ACK, 0x03, NAK, 0x41, ...f, STX, 0xff, 0xff, ...f);
    const items: DecodedItem[] = [];
    for (const b of stream) items.push(...d.push(Uint8Array.of(b)));
    assert.deepEqual(items.map((i) => i.kind), ['ack', 'nak', 'frame', 'bad', 'frame']);
    assert.deepEqual(items[0], { kind: 'ack', seq: 3 });
    assert.ok(items[3].kind === 'bad' && items[3].error.code === 'PINPAD_FRAME_OVERSIZE');
    assert.equal(d.skipped, 3);
  });

  test('a frame cut short is PINPAD_FRAME_TRUNCATED on flush (the inter-byte timeout)', () => {
    const d = new FrameDecoder();
    const f = encodeFrame({ seq: 1, type: 0x11, payload: bytes('41424344') });
    assert.deepEqual(d.push(f.subarray(0, 6)), []);
    assert.equal(d.partial, true);
    const item = d.flush();
    assert.ok(item?.kind === 'bad' && item.error.code === 'PINPAD_FRAME_TRUNCATED');
    assert.equal(d.partial, false);
    assert.equal(d.flush(), null);
  });

  test('property: any frames, in any chunking, after noise, decode to themselves', () => {
    const frame = fc.record({ seq: fc.integer({ min: 0, max: 255 }), type: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 80 }) });
    const noise = fc.uint8Array({ maxLength: 10 }).map((a) => a.filter((b) => b !== STX && b !== ACK && b !== NAK));
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, frame), { maxLength: 6 }), fc.integer({ min: 1, max: 17 }), (parts, chunk) => {
        const all = parts.flatMap(([n, f]) => [...n, ...encodeFrame(f)]);
        const d = new FrameDecoder();
        const out: DecodedItem[] = [];
        for (let i = 0; i < all.length; i += chunk) out.push(...d.push(Uint8Array.from(all.slice(i, i + chunk))));
        assert.deepEqual(out, parts.map(([, f]) => ({ kind: 'frame', frame: { ...f, payload: Uint8Array.from(f.payload) } })));
      }),
    );
  });

  test('property: random bytes never throw and never yield a frame whose LRC is wrong', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        const d = new FrameDecoder();
        for (const item of d.push(junk)) {
          if (item.kind === 'frame') assert.deepEqual(decodeFrame(encodeFrame(item.frame)), item.frame);
          if (item.kind === 'bad') assert.ok(item.error instanceof PinPadError);
        }
      }),
    );
  });
});

describe('messages', () => {
  const modulus = new Uint8Array(128).fill(0xc3);
  const requests: PadRequest[] = [
    { kind: 'identify' },
    { kind: 'display', text: 'ENTER PIN\n12.34 EUR' },
    { kind: 'amount', amount: 1234, currency: '0978' },
    { kind: 'onlinePin', format: 0, timeoutSec: 30, pan: '5413330089600010' },
    { kind: 'onlinePin', format: 4, timeoutSec: 1, pan: '4761739001010010123' },
    { kind: 'encipheredPin', timeoutSec: 30, triesLeft: 3, challenge: bytes('0102030405060708'), exponent: bytes('03'), modulus },
    { kind: 'encipheredPin', timeoutSec: 30, triesLeft: null, challenge: bytes('0102030405060708'), exponent: bytes('010001'), modulus },
    { kind: 'cancel' },
  ];
  for (const r of requests) {
    test(`request ${r.kind} round-trips`, () => assert.deepEqual(decodeRequest(encodeRequest(r)), r));
  }

  test('AMOUNT bytes: 6 bytes BCD amount, 2 bytes BCD currency (as EMV 9F02 and 5F2A)', () => {
    assert.equal(hex(encodeRequest({ kind: 'amount', amount: 1234, currency: '978' }).payload), '0000000012340978');
  });

  const replies: PadReply[] = [
    { kind: 'identity', scheme: 'tdes-dukpt', ksn: bytes('FFFF9876543210E00001'), model: 'PAD' },
    { kind: 'displayed' },
    { kind: 'amountShown' },
    { kind: 'onlinePinResult', status: 'entered', format: 0, ksn: bytes('FFFF9876543210E00001'), block: bytes('1B9C1845EB993A7A') },
    { kind: 'onlinePinResult', status: 'entered', format: 4, ksn: bytes('123456789012345600000001'), block: new Uint8Array(16).fill(9) },
    { kind: 'onlinePinResult', status: 'cancelKey' },
    { kind: 'encipheredPinResult', status: 'entered', enciphered: modulus },
    { kind: 'encipheredPinResult', status: 'timeout' },
    { kind: 'keyEvent', key: 'cancel' },
    { kind: 'error', requestType: MSG.onlinePin, error: 'busy', code: 3 },
  ];
  for (const r of replies) {
    test(`reply ${r.kind}${'status' in r ? ` ${r.status}` : ''} round-trips`, () => assert.deepEqual(decodeReply(encodeReply(r)), r));
  }

  test('malformed payloads are PINPAD_MESSAGE_INVALID', () => {
    const bad = code('PINPAD_MESSAGE_INVALID');
    assert.throws(() => encodeRequest({ kind: 'display', text: 'x'.repeat(21) }), bad);
    assert.throws(() => encodeRequest({ kind: 'display', text: 'a\nb\nc' }), bad);
    assert.throws(() => encodeRequest({ kind: 'onlinePin', format: 0, timeoutSec: 0, pan: '5413330089600010' }), bad);
    assert.throws(() => encodeRequest({ kind: 'onlinePin', format: 0, timeoutSec: 30, pan: '54133300' }), bad);
    assert.throws(() => encodeRequest({ kind: 'encipheredPin', timeoutSec: 30, triesLeft: 3, challenge: new Uint8Array(4), exponent: bytes('03'), modulus }), bad);
    assert.throws(() => encodeRequest({ kind: 'encipheredPin', timeoutSec: 30, triesLeft: 3, challenge: new Uint8Array(8), exponent: bytes('03'), modulus: new Uint8Array(300) }), bad);
    assert.throws(() => decodeRequest({ type: 0x55, payload: new Uint8Array(0) }), bad);
    assert.throws(() => decodeRequest({ type: MSG.amount, payload: bytes('0000000012340A78') }), bad);
    assert.throws(() => decodeRequest({ type: MSG.onlinePin, payload: bytes('001E10') }), bad, 'PAN length says 16, none follows');
    assert.throws(() => decodeReply({ type: 0xa0, payload: bytes('09') }), bad, 'unknown status');
    assert.throws(() => decodeReply({ type: 0xa0, payload: bytes('00000A' + 'FFFF9876543210E00001' + '0102') }), bad, 'format 0 block of 2 bytes');
    assert.throws(() => decodeReply({ type: 0xa0, payload: bytes('0100') }), bad, 'a cancel with trailing bytes');
    assert.throws(() => decodeReply({ type: 0x90, payload: bytes('0105FFFF') }), bad);
    assert.throws(() => decodeReply({ type: MSG.error, payload: bytes('20') }), bad);
  });

  test('PIN pad URLs', () => {
    assert.deepEqual(parsePinPadUrl('serial:///dev/ttyUSB0?baud=19200'), { path: '/dev/ttyUSB0', baud: 19200 });
    assert.deepEqual(parsePinPadUrl('serial:///tmp/pad'), { path: '/tmp/pad', baud: 9600 });
    for (const u of ['tcp://x:1', 'serial://host/dev/x', 'serial:///dev/x?baud=7', 'serial:///dev/x?parity=e', 'nonsense', 'serial:///']) {
      assert.throws(() => parsePinPadUrl(u), code('PINPAD_URL_INVALID'), u);
    }
  });
});

/** An in-memory pad end: records what the link wrote and answers with `peer(bytes)`. */
class Loopback implements ByteTransport {
  readonly where = 'loopback';
  writes: Uint8Array[] = [];
  handlers: ByteHandlers | null = null;
  constructor(private readonly peer: (written: Uint8Array, self: Loopback) => void) {}
  async connect(h: ByteHandlers): Promise<ByteConnection> {
    this.handlers = h;
    return {
      write: async (b) => {
        this.writes.push(b);
        setImmediate(() => this.peer(b, this));
      },
      close: async () => undefined,
    };
  }
}

describe('link', () => {
  const timing = { ackTimeoutMs: 30, maxRetransmits: 3, interByteMs: 20 };
  const msg = encodeRequest({ kind: 'identify' });

  test('a pad that NAKs every frame: 1 + 3 retransmissions, then PINPAD_NAK_LIMIT (retriable)', async () => {
    const t = new Loopback((b, self) => b[0] === STX && self.handlers?.data(Uint8Array.of(NAK)));
    const link = new PinPadLink(t, timing);
    await assert.rejects(link.send(msg), (e: unknown) => code('PINPAD_NAK_LIMIT')(e) && (e as PinPadError).retriable);
    assert.equal(t.writes.filter((w) => w[0] === STX).length, 4);
    assert.ok(t.writes.every((w) => hex(w) === hex(t.writes[0])), 'the same frame, same SEQ, each time');
  });

  test('a silent pad: PINPAD_TIMEOUT after 4 unanswered copies', async () => {
    const t = new Loopback(() => undefined);
    const link = new PinPadLink(t, timing);
    await assert.rejects(link.send(msg), code('PINPAD_TIMEOUT'));
    assert.equal(t.writes.length, 4);
  });

  test('one NAK then ACK: sent twice, succeeds; an incoming damaged frame is NAKed, a duplicate SEQ is ACKed but not delivered', async () => {
    let naked = false;
    const t = new Loopback((b, self) => {
      if (b[0] !== STX) return;
      if (!naked) {
        naked = true;
        self.handlers?.data(Uint8Array.of(NAK));
        return;
      }
      self.handlers?.data(Uint8Array.of(ACK, b[3]));
    });
    const seen: number[] = [];
    const link = new PinPadLink(t, timing, (m) => seen.push(m.type));
    await link.send(msg);
    assert.equal(t.writes.length, 2);
    const reply = encodeFrame({ seq: 9, type: 0x91, payload: new Uint8Array(0) });
    const damaged = Uint8Array.from(reply);
    damaged[damaged.length - 1] ^= 1;
    t.handlers?.data(damaged);
    t.handlers?.data(reply);
    t.handlers?.data(reply);
    await new Promise((r) => setImmediate(r));
    assert.equal(link.badFrames, 1);
    assert.deepEqual(seen, [0x91]);
    assert.deepEqual(t.writes.slice(2).map(hex), ['15', '0609', '0609']);
  });
});
