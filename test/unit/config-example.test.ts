// docs/config.example.json stays a valid config, and docs/configuration.md names every key the parser knows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/daemon/config.js';
import { refuseSimulators } from '../../src/daemon/demo-only.js';

test('docs/config.example.json parses, with two lanes and their devices', () => {
  const c = parseConfig(JSON.parse(readFileSync(join(process.cwd(), 'docs', 'config.example.json'), 'utf8')) as unknown);
  assert.deepEqual(c.lanes.map((l) => [l.name, l.pinpad, l.printer]), [
    ['A', 'serial:///dev/ttyUSB0?baud=19200', 'front'],
    ['B', 'reader', 'back'],
  ]);
  refuseSimulators(c); // a shop's configuration: no simulator in it
  assert.equal(c.contactless?.combinations[0].cvmRequiredLimit, 5000, 'the EUR zone preset');
});

test('docs/configuration.md documents every top-level and lane key', () => {
  const doc = readFileSync(join(process.cwd(), 'docs', 'configuration.md'), 'utf8');
  const keys = ['port', 'dataDir', 'allowedOrigins', 'host', 'readers', 'lanes', 'printers', 'printer', 'printerEncoding', 'falsePinPadReaders', 'autoPrint', 'refundLimitForCashier', 'merchant', 'backup', 'demo', 'diagTransmit', 'contactless', 'zone', 'combinations', 'transactionLimit', 'floorLimit', 'cvmRequiredLimit', 'ttq', 'pinpad', 'display', 'stripe', 'commandSet', 'chineseFont', 'charactersPerLine', 'encoding', 'log', 'maxSizeMB', 'keep'];
  assert.deepEqual(keys.filter((k) => !doc.includes(`\`${k}\``)), []);
});
