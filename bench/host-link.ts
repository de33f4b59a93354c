// bench/host-link: authorisations per second on loopback through codec + TCP channel + matcher against the host
// simulator (which checks every ARQC and answers with an ARPC), 32 in flight; target >= 2,000/s on this machine.
// Also the codec's pack+unpack throughput on the same 0200. Ratios: rate / 2000 and codec ops / auth rate.
import { TcpHostChannel } from '../src/host/channel.js';
import { DEFAULT_SPEC, encodeTpdu, pack, unpack } from '../src/host/iso8583/index.js';
import { RequestMatcher } from '../src/host/matcher.js';
import { buildAuthRequest, type TerminalIdentity } from '../src/host/messages.js';
import { HostSimulator } from '../src/sim/host/host-simulator.js';
import { iccDataFor, saleFor } from '../test/helpers/host-fixture.js';
import { report } from './stats.js';

const ID: TerminalIdentity = { terminalId: 'POSB0001', merchantId: 'POSBRIDGE000001', header: encodeTpdu(1, 0) };

/** Runs `total` authorisations with `concurrency` in flight; prints the rate and the codec throughput. */
export async function benchHostLink(total = 4000, concurrency = 32): Promise<{ perSecond: number }> {
  const sim = new HostSimulator({ port: 0 });
  const port = await sim.start();
  const channel = new TcpHostChannel({ host: '127.0.0.1', port });
  const matcher = new RequestMatcher(channel, { pack: (m) => pack(DEFAULT_SPEC, m), unpack: (b) => unpack(DEFAULT_SPEC, b) });
  const icc = iccDataFor('visa-issuer-scripts', 1234);
  const base = saleFor('visa-issuer-scripts', 1234, 'bench', { iccData: icc });
  const now = new Date();
  let stan = 0;
  const one = async (): Promise<void> => {
    stan++;
    const msg = buildAuthRequest(base, ID, String(stan).padStart(6, '0'), now);
    const r = await matcher.request(msg, 5000);
    if (r.text(39) !== '00') throw new Error(`unexpected response ${r.text(39) ?? '?'}`);
  };
  try {
    for (let i = 0; i < 200; i++) await one(); // warm-up (and the connection)
    sim.clearReceived();
    const t0 = process.hrtime.bigint();
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < total) {
        started++;
        await one();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const perSecond = total / seconds;
    report('bench/host-link', { authorizations: total, inFlight: concurrency, perSecond: Math.round(perSecond) }, perSecond / 2000, 'perSecond/2000 >= 1', perSecond >= 2000);

    const msg = buildAuthRequest(base, ID, '000001', now);
    const bytes = pack(DEFAULT_SPEC, msg);
    const n = 20000;
    const c0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) unpack(DEFAULT_SPEC, pack(DEFAULT_SPEC, msg));
    const codecPerSecond = n / (Number(process.hrtime.bigint() - c0) / 1e9);
    report('bench/iso8583-codec', { messageBytes: bytes.length, packUnpackPerSecond: Math.round(codecPerSecond) }, codecPerSecond / perSecond, 'codec well above the link rate', codecPerSecond > perSecond);
    return { perSecond };
  } finally {
    matcher.close();
    await channel.close();
    await sim.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHostLink();
