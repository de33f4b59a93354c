// bench/tlv: decode throughput of our strict BER-TLV codec vs the npm `tlv` package on EMV records.
// Both decode the same records in alternating rounds in one process; ratio = ours / tlv (target >= 1.0).
import { createRequire } from 'node:module';
import { fromHex } from '../src/apdu/hex.js';
import { decodeTlv, encodeTlv, type TlvInput } from '../src/apdu/tlv.js';
import { median, report } from './stats.js';

interface NpmTlv {
  parse(buf: Buffer): unknown;
}
const npmTlv = createRequire(import.meta.url)('tlv') as NpmTlv;

// READ RECORD, GPO and FCI responses laid out like a payment card's (values are filler of the real sizes).
const t = (tag: number, hex: string): TlvInput => ({ tag, value: fromHex(hex) });
const fill = (n: number, seed: number): string => Array.from({ length: n }, (_, i) => ((i * 7 + seed) & 0xff).toString(16).padStart(2, '0')).join('');
const RECORDS = [
  { tag: 0x70, children: [t(0x57, '5413330089601075D25122010000000000000F'), t(0x5a, '5413330089601075'), t(0x5f24, '251231'), t(0x5f25, '190101'), t(0x5f28, '0840'), t(0x5f34, '01'), t(0x8c, '9F02069F03069F1A0295055F2A029A039C019F37049F35019F45029F4C089F3403'), t(0x8d, '910A8A0295059F37049F4C08'), t(0x8e, '000000000000000042031E031F03'), t(0x9f07, 'FF00'), t(0x9f0d, 'B450840000'), t(0x9f0e, '0010000000'), t(0x9f0f, 'B470848000')] },
  { tag: 0x70, children: [t(0x8f, 'F1'), t(0x90, fill(176, 3)), t(0x9f32, '03'), t(0x92, fill(36, 9))] },
  { tag: 0x70, children: [t(0x9f46, fill(144, 5)), t(0x9f47, '03'), t(0x9f48, fill(42, 1)), t(0x9f49, '9F3704'), t(0x9f4a, '82')] },
  { tag: 0x77, children: [t(0x82, '3900'), t(0x94, '08010100100102011801020020010200'), t(0x9f27, '80'), t(0x9f36, '0041'), t(0x9f26, '1A2B3C4D5E6F7081'), t(0x9f10, '0110A00003220000000000000000000000FF'), t(0x9f4b, fill(112, 2))] },
  { tag: 0x6f, children: [t(0x84, 'A0000000041010'), { tag: 0xa5, children: [t(0x50, '4D415354455243415244'), t(0x87, '01'), t(0x5f2d, '656E'), { tag: 0xbf0c, children: [t(0x9f4d, '140A'), t(0x9f6e, '08400000303000'), t(0x9f0a, '0001050100000000')] }] }] },
].map((r) => Buffer.from(encodeTlv([r])));

function runOurs(n: number): number {
  let tags = 0;
  for (let i = 0; i < n; i++) for (const r of RECORDS) tags += decodeTlv(r).length;
  return tags;
}

function runTheirs(n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) for (const r of RECORDS) if (npmTlv.parse(r)) count++;
  return count;
}

/** Runs both decoders in alternating timed rounds and prints records/s and the ratio. */
export function benchTlv(rounds = 15, perRound = 2000): { ratio: number } {
  for (let w = 0; w < 3; w++) {
    runOurs(perRound);
    runTheirs(perRound);
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = process.hrtime.bigint();
    runOurs(perRound);
    ours.push((perRound * RECORDS.length) / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    runTheirs(perRound);
    theirs.push((perRound * RECORDS.length) / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  const ratio = median(ours) / median(theirs);
  report('bench/tlv', { records: RECORDS.length, oursPerSec: median(ours), tlvPerSec: median(theirs) }, ratio, '>= 1.0', ratio >= 1.0);
  return { ratio };
}

if (import.meta.url === `file://${process.argv[1]}`) benchTlv();
