// PCI DSS 3.4 across the host path: after a scripted run (kernel sales with online PIN, a timeout and its reversal,
// a garbage answer, a decline, an advice, a card pulled after approval) the SQLite files, the whole data directory,
// the log file and every line logged hold no clear PAN, track 2 or PIN block, in ASCII or in binary (BCD); nor does
// what the simulator recorded.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import winston from 'winston';
import { fromHex } from '../../src/apdu/hex.js';
import type { AuthRequest } from '../../src/host/messages.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { saleFor, stackFor, startSimulator, tempDir, TestClock } from '../helpers/host-fixture.js';
import { runSale, type SaleLink } from '../helpers/host-sale.js';

const MC_PAN = '5413330089600010';
const VISA_PAN = '4761739001010010';
const TRACK2 = `${VISA_PAN}D28122011234567890`;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Ends the logger and resolves once its transports have finished writing. */
function closeLogger(logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the logger did not finish within 5 s')), 5000);
    logger.once('finish', () => {
      clearTimeout(t);
      resolve();
    });
    logger.end();
  });
}

describe('no card data at rest or in logs', { timeout: 20_000 }, () => {
  test('journal files, data directory, log file and log lines: zero hits for PAN, track 2, PIN block', async () => {
    const tmp = tempDir('pci');
    const lines: string[] = [];
    const memory = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ dataDir: tmp.dir, level: 'debug', consoleLevel: 'silent', transports: [new winston.transports.Stream({ stream: memory })] });
    const sim = await startSimulator({ logger });
    const clock = new TestClock();
    const stack = stackFor(sim, join(tmp.dir, 'journal'), clock, { logger, link: { authTimeoutMs: 200 } });
    const pinBlocks: string[] = [];
    const link: SaleLink = {
      authorize: (req: AuthRequest) => {
        if (req.pinBlock) pinBlocks.push(req.pinBlock);
        return stack.link.authorize(req);
      },
      complete: (id) => stack.link.complete(id),
      reverse: (id, why) => stack.link.reverse(id, why),
    };
    try {
      const online = await runSale({ profile: 'mastercard-dda-online-pin', amount: 4200, ref: 'pci-1', link });
      assert.equal(online.outcome?.result, 'approved', String(online.error));
      assert.equal(pinBlocks.length, 1, 'the online PIN went to the host');
      const pinBlock = pinBlocks[0];
      const extra = { track2: TRACK2, pinBlock };
      const timedOut = await link.authorize(saleFor('visa-issuer-scripts', 1099, 'pci-2', extra));
      assert.equal(timedOut.reversalQueued, true);
      await sim.setMode('garbage');
      const garbled = await link.authorize(saleFor('visa-issuer-scripts', 1300, 'pci-3', extra));
      assert.equal(garbled.error, 'HOST_RESPONSE_INVALID');
      await sim.setMode('normal');
      await link.authorize(saleFor('visa-issuer-scripts', 1051, 'pci-4', extra));
      stack.link.adviseOfflineApproval(saleFor('visa-issuer-scripts', 800, 'pci-5', { track2: TRACK2 }), 'Y1');
      const pulled = await runSale({ profile: 'mastercard-dda-online-pin', amount: 4300, ref: 'pci-6', link, afterHost: (_a, reader) => reader.remove() });
      assert.equal(pulled.reversal, 'card removed after approval');
      await stack.worker.drain();
      assert.deepEqual(sim.received().map((r) => r.mti), ['0200', '0200', '0200', '0200', '0200', '0400', '0400', '0220', '0400']);
      logger.info('end of the scripted run');
      await stack.close();
      await closeLogger(logger);

      const needles: [string, Buffer][] = [];
      for (const pan of [MC_PAN, VISA_PAN]) needles.push([`PAN ${pan}`, Buffer.from(pan)], [`BCD PAN ${pan}`, Buffer.from(fromHex(pan))]);
      needles.push(['track 2', Buffer.from(TRACK2)], ['track 2 (=)', Buffer.from(TRACK2.replace('D', '='))], ['BCD track 2', Buffer.from(fromHex(TRACK2))]);
      needles.push(['PIN block', Buffer.from(pinBlock.toUpperCase())], ['pin block', Buffer.from(pinBlock.toLowerCase())], ['binary PIN block', Buffer.from(fromHex(pinBlock))]);

      const files = filesUnder(tmp.dir);
      assert.ok(files.some((f) => f.endsWith('journal.db')));
      const logFile = files.find((f) => f.endsWith('posbridge.log'));
      assert.ok(logFile, 'the log file exists');
      const logText = readFileSync(logFile, 'utf8');
      assert.match(logText, /end of the scripted run/);
      assert.match(logText, /541333\*{6}0010/, 'masked PANs are logged, so the check is not vacuous');
      const hits: string[] = [];
      for (const f of files) {
        const bytes = readFileSync(f);
        for (const [what, needle] of needles) if (bytes.includes(needle)) hits.push(`${what} in ${f}`);
      }
      const logged = Buffer.from(lines.join('\n'));
      const recorded = Buffer.from(JSON.stringify(sim.received()));
      for (const [what, needle] of needles) {
        if (logged.includes(needle)) hits.push(`${what} in a log line`);
        if (recorded.includes(needle)) hits.push(`${what} in the simulator's records`);
      }
      assert.deepEqual(hits, []);
    } finally {
      await sim.stop();
      tmp.remove();
    }
  });
});
