// bench/print: request-to-last-byte time of a typical receipt and of one with a QR code, printed through the ESC/POS
// driver (status check with DLE EOT 1/2/4, then the job) to the software printer over TCP on 127.0.0.1, and the
// job sizes. Baseline in the same run: the same bytes written on a bare socket without the status check.
// ratio = driver / baseline; the difference is the three status round trips (the emulator answers 5 ms late, as
// network printers do), so the target is on the absolute time: ≤ 100 ms request-to-last-byte.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { printerFromUrl, renderEscPos } from '../src/drivers/printer/escpos-printer.js';
import { EscPosEmulator } from '../src/sim/printer/escpos-emulator.js';
import { median, report } from './stats.js';

const PROFILE = { cpl: 42, encoding: 'cp858' } as const;
const RECEIPT = [
  '^^SHOP TEST', 'Main Street 1, 1000 Town', '-', 'Terminal | POSB0001', 'Date | 2026-11-26 10:21:05', '-',
  'VISA CREDIT', 'Card | 476173******0119', 'AID | A0000000031010', 'Entry | chip', 'TVR | 0000008000', 'TSI | E800',
  '-', 'PURCHASE', '^^TOTAL EUR | ^^12.30', '-', 'PIN VERIFIED', 'Auth code | 123456', 'RRN | 633012000123', '^APPROVED', '-', 'MERCHANT COPY',
].join('\n');
const WITH_QR = RECEIPT.replace('MERCHANT COPY', 'MERCHANT COPY\n{code:https://shop.example/r/633012000123; option:qrcode,6,m}');

async function untilCut(emu: EscPosEmulator, cuts: number): Promise<void> {
  while (emu.events.filter((e) => e.kind === 'cut').length < cuts) await new Promise((r) => setImmediate(r));
}

async function rawWrite(port: number, bytes: Uint8Array, emu: EscPosEmulator, cuts: number): Promise<number> {
  const t0 = performance.now();
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.write(bytes);
  await untilCut(emu, cuts);
  const ms = performance.now() - t0;
  s.destroy();
  return ms;
}

/** Prints both receipts `n` times each way and reports median request-to-last-byte times and sizes. */
export async function benchPrint(n = 30): Promise<void> {
  const emu = new EscPosEmulator();
  const port = await emu.listen();
  for (const [name, doc] of [
    ['typical', RECEIPT],
    ['qr', WITH_QR],
  ] as const) {
    const bytes = renderEscPos(doc, PROFILE);
    const driver: number[] = [];
    const raw: number[] = [];
    let cuts = emu.events.filter((e) => e.kind === 'cut').length;
    for (let i = 0; i < n; i++) {
      const printer = printerFromUrl(`tcp://127.0.0.1:${port}`);
      const t0 = performance.now();
      await printer.print(bytes);
      await untilCut(emu, ++cuts);
      driver.push(performance.now() - t0);
      await printer.close();
      raw.push(await rawWrite(port, bytes, emu, ++cuts));
    }
    const d = median(driver);
    const b = median(raw);
    report(`print ${name}`, { bytes: bytes.length, driver_ms: d, bare_socket_ms: b }, d / b, '≤100 ms request-to-last-byte', d <= 100);
  }
  await emu.close();
}
