// The host link's transport on real TCP sockets on 127.0.0.1, and request matching over the loopback channel.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { createLoopbackPair, TcpHostChannel } from '../../src/host/channel.js';
import { HostError } from '../../src/host/errors.js';
import { encodeFrame, FrameDecoder, swapTpdu } from '../../src/host/framing.js';
import { DEFAULT_SPEC, encodeTpdu, Iso8583Message, pack, unpack } from '../../src/host/iso8583/index.js';
import { matchKey, RequestMatcher, responseMti, type MessageCodec } from '../../src/host/matcher.js';

const codec: MessageCodec = { pack: (m) => pack(DEFAULT_SPEC, m), unpack: (b) => unpack(DEFAULT_SPEC, b) };
const TPDU = encodeTpdu(0x0001, 0x0000);
const echo = (stan: string): Iso8583Message => Iso8583Message.of('0800', { 11: stan, 41: 'POSB0001', 70: '301' }, TPDU);
const answer = (req: Iso8583Message, code = '00'): Iso8583Message => req.withMti(responseMti(req.mti)).with(39, code);

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof HostError && e.code === code);
}

describe('framing', () => {
  test('2-byte length frames survive any segmentation', () => {
    const a = encodeFrame(fromHex('010203'));
    const b = encodeFrame(fromHex('AABB'));
    assert.equal(toHex(a), '0003010203');
    const d = new FrameDecoder();
    const all = new Uint8Array([...a, ...b]);
    const got: string[] = [];
    for (const byte of all) got.push(...d.push(Uint8Array.of(byte)).map(toHex));
    assert.deepEqual(got, ['010203', 'AABB']);
    assert.deepEqual(new FrameDecoder().push(all).map(toHex), ['010203', 'AABB']);
    assert.equal(d.pending, 0);
  });

  test('an announced frame over the bound is refused before it is buffered', () => {
    assert.throws(() => new FrameDecoder(100).push(fromHex('0FFF00')), (e: unknown) => e instanceof HostError && e.code === 'HOST_FRAME_TOO_LARGE');
  });

  test('TPDU destination and origin are swapped for the answer', () => {
    assert.equal(toHex(swapTpdu(fromHex('6000010002080020'))), '6000020001080020');
  });
});

describe('TcpHostChannel on 127.0.0.1', () => {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  before(async () => {
    server = createServer((s) => {
      sockets.add(s);
      const d = new FrameDecoder();
      s.on('data', (c) => {
        for (const f of d.push(c)) s.write(encodeFrame(Uint8Array.from([...f].reverse())));
      });
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  test('sends framed messages, receives the answers, reconnects after the host drops the line', async () => {
    const ch = new TcpHostChannel({ host: '127.0.0.1', port, backoff: { initialMs: 10, maxMs: 50 } });
    const got: string[] = [];
    const states: string[] = [];
    ch.onMessage((m) => got.push(toHex(m)));
    ch.onState((s) => states.push(s));
    await ch.send(fromHex('010203'));
    await ch.send(fromHex('0A0B'));
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, ['030201', '0B0A']);
    for (const s of sockets) s.destroy();
    for (let i = 0; i < 100 && ch.connected; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(ch.connected, false);
    await ch.send(fromHex('0102'));
    for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got.at(-1), '0201');
    assert.deepEqual(states, ['connected', 'disconnected', 'connected']);
    await ch.close();
    await rejectsCode(ch.send(fromHex('00')), 'HOST_CLOSED');
  });

  test('an unreachable host is HOST_UNREACHABLE, and the next attempt waits for the backoff', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const addr = probe.address();
    const deadPort = typeof addr === 'object' && addr ? addr.port : 1;
    await new Promise((r) => probe.close(r));
    const ch = new TcpHostChannel({ host: '127.0.0.1', port: deadPort, backoff: { initialMs: 150, maxMs: 1000 } });
    await rejectsCode(ch.send(fromHex('00')), 'HOST_UNREACHABLE');
    const t0 = Date.now();
    await rejectsCode(ch.send(fromHex('00')), 'HOST_UNREACHABLE');
    assert.ok(Date.now() - t0 >= 140, 'the second attempt honoured the backoff');
    await ch.close();
  });
});

describe('RequestMatcher', () => {
  test('pairs responses by MTI class, STAN and terminal ID, in any order', async () => {
    const [term, host] = createLoopbackPair();
    host.onMessage((b) => {
      const req = unpack(DEFAULT_SPEC, b);
      // Answer the second request first.
      const delay = req.text(11) === '000001' ? 20 : 0;
      setTimeout(() => void host.send(pack(DEFAULT_SPEC, answer(req, req.text(11) === '000001' ? '00' : '05'))), delay);
    });
    const m = new RequestMatcher(term, codec);
    const [r1, r2] = await Promise.all([m.request(echo('000001'), 1000), m.request(echo('000002'), 1000)]);
    assert.equal(r1.text(11), '000001');
    assert.equal(r1.text(39), '00');
    assert.equal(r2.text(39), '05');
    assert.equal(m.inFlight, 0);
    assert.equal(matchKey(echo('000007'), true), '0810|000007|POSB0001');
  });

  test('no answer is HOST_TIMEOUT; the late answer and a duplicate are reported as unmatched', async () => {
    const [term, host] = createLoopbackPair();
    const seen: Iso8583Message[] = [];
    host.onMessage((b) => {
      const req = unpack(DEFAULT_SPEC, b);
      setTimeout(() => {
        void host.send(pack(DEFAULT_SPEC, answer(req)));
        void host.send(pack(DEFAULT_SPEC, answer(req)));
      }, 60);
    });
    const m = new RequestMatcher(term, codec);
    m.onUnmatched((x) => seen.push(x));
    await rejectsCode(m.request(echo('000003'), 20), 'HOST_TIMEOUT');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen.map((x) => [x.mti, x.text(11)]), [
      ['0810', '000003'],
      ['0810', '000003'],
    ]);
  });

  test('an unparseable answer fails every pending request with HOST_RESPONSE_INVALID', async () => {
    const [term, host] = createLoopbackPair();
    host.onMessage(() => void host.send(fromHex('600000000108')));
    const m = new RequestMatcher(term, codec);
    await rejectsCode(m.request(echo('000004'), 1000), 'HOST_RESPONSE_INVALID');
    assert.equal(m.inFlight, 0);
  });
});
