// The logger's file: JSON lines at <dataDir>/logs/posbridge.log, with card data masked before any transport
// sees it (PCI DSS 3.4: at most the first six and last four PAN digits; no track data, no PIN blocks).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import winston from 'winston';
import { createLogger, type Logger } from '../../src/log/logger.js';

const PAN = '4761739001010119';
const MASKED = '476173******0119';
const TLV_PAN = `5A08${PAN}`;
const TRACK2 = `5711${PAN}D27122011234567890F`;
/** Track 2 whose digits after the separator form a Luhn-valid run (2712201123456789 2): masked all the same. */
const TRACK2_LUHN = `5711${PAN}D27122011234567892F`;
const PIN_BLOCK = '041234FFFFFFFFFF';
/** Pieces of the track 2 data after the PAN: expiry + service code + discretionary data. */
const TRACK2_REST = ['D2712', '27122011234567890', '1234567890', '1234567892', '7892F'];

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

type Entry = Record<string, unknown>;

/** Every line of the file, parsed; fails on a line that is not one JSON object. */
function readJsonLines(file: string): Entry[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the last line is complete');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, i) => {
      const v: unknown = JSON.parse(l);
      assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `line ${i + 1} is not a JSON object: ${l}`);
      return v as Entry;
    });
}

function assertNoCardData(text: string): void {
  assert.ok(!text.includes(PAN), `full PAN in: ${text}`);
  assert.ok(!text.includes('476173900101'), `first 12 PAN digits in: ${text}`);
  assert.ok(!text.includes('9001010119'), `last 10 PAN digits in: ${text}`);
  for (const piece of TRACK2_REST) assert.ok(!text.includes(piece), `track 2 data ${piece} in: ${text}`);
  assert.ok(!text.includes(PIN_BLOCK), `PIN block in: ${text}`);
  assert.ok(!text.includes('041234'), `PIN block start in: ${text}`);
}

describe('createLogger with a dataDir', () => {
  let dir: string;
  let file: string;
  let text: string;
  let entries: Entry[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posbridge-logger-'));
    file = join(dir, 'logs', 'posbridge.log');
    const logger = createLogger({ dataDir: dir, consoleLevel: 'silent' });
    assert.ok(existsSync(join(dir, 'logs')), 'the logs directory is created');
    logger.info(`card ${PAN} read`, { pan: PAN });
    logger.info('record read', { response: TLV_PAN, sfi: 1 });
    logger.warn(`track 2 ${TRACK2} seen`, { data: TRACK2 });
    logger.info('pin entered', { pinBlock: PIN_BLOCK, lane: 3 });
    logger.info('nested', { card: { cardNumber: Number(PAN), records: [TLV_PAN, { track2: TRACK2 }] } });
    logger.error('exchange failed', { error: new Error(`bad answer for ${PAN}`) });
    logger.info(`grouped ${PAN.replace(/(\d{4})(?!$)/g, '$1 ')} typed`);
    logger.info('luhn-valid discretionary data', { raw: TRACK2_LUHN, note: `seen ${TRACK2_LUHN}` });
    logger.debug(`below the level ${PAN}`);
    await closeLogger(logger);
    text = readFileSync(file, 'utf8');
    entries = readJsonLines(file);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('one JSON object per line at <dataDir>/logs/posbridge.log, with level, message and timestamp', () => {
    assert.equal(entries.length, 8, 'debug is below the default level "info"');
    assert.deepEqual(
      entries.map((e) => e.level),
      ['info', 'info', 'warn', 'info', 'info', 'error', 'info', 'info'],
    );
    for (const e of entries) {
      assert.equal(typeof e.message, 'string');
      assert.equal(typeof e.timestamp, 'string');
      assert.equal(new Date(String(e.timestamp)).toISOString(), e.timestamp);
    }
  });

  test('no full PAN, no track 2 data after the PAN, no PIN block anywhere in the file', () => {
    assertNoCardData(text);
  });

  test('PANs are masked to first six and last four digits, in text and in metadata', () => {
    assert.deepEqual(entries[0], { level: 'info', message: `card ${MASKED} read`, pan: MASKED, timestamp: entries[0].timestamp });
    assert.equal(entries[1].response, `5A08${MASKED}`);
    assert.equal(entries[1].sfi, 1);
    assert.equal(entries[6].message, `grouped ${MASKED} typed`);
    assert.equal(text.split(MASKED).length - 1, 11, 'the masked PAN stands where each PAN was');
  });

  test('track 2 keeps only the masked PAN; PIN blocks and track keys are removed', () => {
    assert.equal(entries[2].data, `5711${MASKED}${'*'.repeat(18)}F`);
    assert.equal(entries[2].message, `track 2 5711${MASKED}${'*'.repeat(18)}F seen`);
    assert.equal(entries[3].pinBlock, '[REDACTED]');
    assert.equal(entries[3].lane, 3);
    assert.deepEqual(entries[4].card, { cardNumber: MASKED, records: [`5A08${MASKED}`, { track2: '[REDACTED]' }] });
    const error = entries[5].error as Entry;
    assert.equal(error.message, `bad answer for ${MASKED}`);
    assert.equal(entries[7].raw, `5711${MASKED}${'*'.repeat(18)}F`);
    assert.equal(entries[7].note, `seen 5711${MASKED}${'*'.repeat(18)}F`);
  });
});

describe('createLogger transports', () => {
  test('extra transports get the same redacted records (the console level does not matter)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ consoleLevel: 'silent', transports: [new winston.transports.Stream({ stream: sink })] });
    logger.info(`pan ${PAN}`, { pan: PAN, pinBlock: PIN_BLOCK, raw: TRACK2 });
    await closeLogger(logger);
    assert.equal(lines.length, 1);
    assertNoCardData(lines[0]);
    const e = JSON.parse(lines[0]) as Entry;
    assert.equal(e.message, `pan ${MASKED}`);
    assert.equal(e.pan, MASKED);
    assert.equal(e.pinBlock, '[REDACTED]');
  });
});
