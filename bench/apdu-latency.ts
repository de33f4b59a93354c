// bench/apdu-latency: per-APDU latency through our CardConnection vs straight through the `smartcard` binding,
// both on the same card in the same private pcscd + vpcd stack, APDU by APDU alternately. ratio = ours / binding
// (target <= 1.05). Two of ours: the in-process driver (the CLI's) and the daemon's, whose binding runs in a PC/SC
// host process (one IPC round trip per APDU). Needs the private PC/SC namespace (run through `npm run bench`).
import { loadSmartcardBinding, type BindingCard, type SmartcardBinding } from '../src/drivers/pcsc/binding.js';
import { PcscCardConnection } from '../src/drivers/pcsc/pcsc-connection.js';
import { KeyedMutex } from '../src/util/mutex.js';
import { PcscReaderDriver } from '../src/drivers/pcsc/pcsc-driver.js';
import { IsolatedPcscDriver } from '../src/drivers/pcsc/isolated-pcsc-driver.js';
import { PcscdStack } from '../src/sim/pcscd-stack.js';
import { TableCard } from '../src/sim/table-card.js';
import { VpcdCardClient } from '../src/sim/vpcd-client.js';
import { median, percentile, report } from './stats.js';

const SELECT = Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x07, 0xa0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10, 0x00]);

/** Runs the comparison; resolves with the ratio of medians. */
export async function benchApduLatency(total = 4000): Promise<{ ratio: number; isolatedRatio: number } | null> {
  const problem = PcscdStack.problem();
  if (problem) {
    process.stdout.write(`bench/apdu-latency: skipped (${problem})\n`);
    return null;
  }
  const stack = await PcscdStack.start({ port: 36100 });
  const vpcd = new VpcdCardClient({ port: stack.ports[0] });
  await vpcd.insert(new TableCard('3B8E800180318066B1840C016E01830090001C', {}, '9000'));
  const driver = await PcscReaderDriver.create();
  try {
    for (let i = 0; i < 200 && !(await driver.listReaders())[0]?.cardPresent; i++) await new Promise((r) => setTimeout(r, 25));
    const binding = await loadSmartcardBinding();
    const ctx = new binding.Context();
    const reader = ctx.listReaders().find((r) => r.name === stack.readers[0]);
    if (!reader) throw new Error('vpcd reader missing');
    const raw = await reader.connect(binding.SCARD_SHARE_SHARED, binding.SCARD_PROTOCOL_T0 | binding.SCARD_PROTOCOL_T1);
    // Our connection class around the very same card handle: both sides share pcscd's client thread and the
    // reader, so the difference is what our layer adds (lock, timeout, error translation).
    const ours = new PcscCardConnection(binding, raw, stack.readers[0], new Uint8Array(0), new KeyedMutex(), 10_000, undefined, () => undefined, async () => false, () => undefined);
    const isolatedDriver = await IsolatedPcscDriver.create();
    const isolated = await isolatedDriver.connect(stack.readers[0]);
    const rawCmd = Buffer.from(SELECT);
    const tOurs: number[] = [];
    const tRaw: number[] = [];
    const tIso: number[] = [];
    for (let w = 0; w < 100; w++) {
      await raw.transmit(rawCmd);
      await ours.transmit(SELECT);
      await isolated.transmit(SELECT);
    }
    // Alternate every APDU (order rotated each time) so drift in pcscd or the machine hits every side alike.
    const orders = [['ours', 'raw', 'iso'], ['raw', 'iso', 'ours'], ['iso', 'ours', 'raw']] as const;
    for (let i = 0; i < total; i++) {
      for (const side of orders[i % 3]) {
        const t0 = process.hrtime.bigint();
        if (side === 'raw') await raw.transmit(rawCmd, { maxRecvLength: 65538 });
        else if (side === 'ours') await ours.transmit(SELECT);
        else await isolated.transmit(SELECT);
        (side === 'raw' ? tRaw : side === 'ours' ? tOurs : tIso).push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    await ours.disconnect();
    await isolated.disconnect();
    await isolatedDriver.close();
    ctx.close();
    const ratio = median(tOurs) / median(tRaw);
    const isolatedRatio = median(tIso) / median(tRaw);
    report(
      'bench/apdu-latency',
      { apdus: tOurs.length, oursMedianMs: median(tOurs), bindingMedianMs: median(tRaw), oursP95Ms: percentile(tOurs, 95), bindingP95Ms: percentile(tRaw, 95) },
      ratio,
      '<= 1.05',
      ratio <= 1.05,
    );
    report(
      'bench/apdu-latency-daemon',
      { apdus: tIso.length, daemonMedianMs: median(tIso), bindingMedianMs: median(tRaw), daemonP95Ms: percentile(tIso, 95), hopMedianMs: median(tIso) - median(tRaw) },
      isolatedRatio,
      '<= 1.05',
      isolatedRatio <= 1.05,
    );
    return { ratio, isolatedRatio };
  } finally {
    await driver.close();
    await vpcd.remove();
    await stack.stop();
  }
}

/**
 * The wrapper's own cost, without pcscd's noise: our connection over a binding card that answers at once,
 * vs calling that card directly (the same process, 100 000 calls each).
 */
export async function benchWrapperOverhead(n = 100_000): Promise<{ overheadUs: number }> {
  const resp = Buffer.from([0x90, 0x00]);
  const card: BindingCard = { protocol: 2, connected: true, atr: null, transmit: () => Promise.resolve(resp), control: async () => resp, disconnect() {} };
  const binding = { SCARD_PROTOCOL_T0: 1, SCARD_PROTOCOL_T1: 2 } as SmartcardBinding;
  const conn = new PcscCardConnection(binding, card, 'bench', new Uint8Array(0), new KeyedMutex(), 10_000, undefined, () => undefined, async () => false, () => undefined);
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await f();
    return Number(process.hrtime.bigint() - t0) / n / 1000;
  };
  await time(() => conn.transmit(SELECT));
  const oursUs = await time(() => conn.transmit(SELECT));
  const rawUs = await time(() => card.transmit(Buffer.from(SELECT)));
  const overheadUs = oursUs - rawUs;
  // Relative to the measured ~120 us of a real APDU on pcscd + vpcd, the share the wrapper adds.
  report('bench/apdu-wrapper-overhead', { calls: n, oursUs, directUs: rawUs, overheadUs }, (120 + overheadUs) / 120, '<= 1.05 of a 120 us APDU', overheadUs <= 6);
  return { overheadUs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchApduLatency();
  await benchWrapperOverhead();
}
