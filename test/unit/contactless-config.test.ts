// The daemon config's `contactless` section: zone presets, combinations one by one, errors naming the key, and a
// parsed configuration driving Entry Point (a transaction limit refuses the tap, a CVM limit asks for a CVM).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/daemon/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseContactlessSection, ZONES } from '../../src/daemon/contactless-config.js';
import { DEFAULT_COMBINATIONS } from '../../src/emv/contactless/defaults.js';
import { tap } from '../helpers/contactless-tap.js';

const base = { lanes: [{ name: 'A', reader: 'R', contactless: 'R PICC' }] };

/** The key a ConfigError names for `section`. */
function keyOf(section: unknown): string {
  try {
    parseConfig({ ...base, contactless: section });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return String((err.details as { key?: unknown }).key);
  }
  assert.fail('no ConfigError');
}

describe('contactless section', () => {
  test('absent: no section in the config (the lanes use the built-in defaults)', () => {
    assert.equal(parseConfig(base).contactless, undefined);
    assert.deepEqual(parseContactlessSection(undefined).combinations, DEFAULT_COMBINATIONS);
  });

  test('zone EUR: the default combinations with CVM and floor limit 50.00, transaction limit 10 000.00', () => {
    const c = parseConfig({ ...base, contactless: { zone: 'EUR' } }).contactless;
    assert.ok(c);
    assert.equal(c.combinations.length, DEFAULT_COMBINATIONS.length);
    for (const [i, x] of c.combinations.entries()) {
      assert.equal(x.aid, DEFAULT_COMBINATIONS[i].aid);
      assert.equal(x.ttq, DEFAULT_COMBINATIONS[i].ttq);
      assert.deepEqual([x.transactionLimit, x.floorLimit, x.cvmRequiredLimit], [1_000_000, 5_000, 5_000]);
    }
    assert.equal(c.contactInterface, true);
  });

  test('zone CNY: CVM limit 1 000.00, floor limit 0 (every tap online)', () => {
    const c = parseConfig({ ...base, contactless: { zone: 'CNY', contactInterface: false } }).contactless;
    assert.ok(c);
    for (const x of c.combinations) assert.deepEqual([x.transactionLimit, x.floorLimit, x.cvmRequiredLimit], [ZONES.CNY.transactionLimit, 0, 100_000]);
    assert.equal(c.contactInterface, false);
  });

  test('combinations one by one: values kept, hex upper-cased, absent limits null, flags false, TTQ 36004000', () => {
    const c = parseConfig({
      ...base,
      contactless: {
        combinations: [
          { aid: 'a0000000031010', kernel: 3, transactionLimit: 250000, floorLimit: 0, cvmRequiredLimit: 8000, statusCheck: true, zeroAmountAllowed: true, ttq: '37004000' },
          { aid: 'A000000333010101', kernel: 7, partialSelection: false },
        ],
      },
    }).contactless;
    assert.deepEqual(c?.combinations, [
      { aid: 'A0000000031010', partialSelection: true, kernelId: 3, transactionLimit: 250000, floorLimit: 0, cvmRequiredLimit: 8000, statusCheck: true, zeroAmountAllowed: true, ttq: '37004000' },
      { aid: 'A000000333010101', partialSelection: false, kernelId: 7, transactionLimit: null, floorLimit: null, cvmRequiredLimit: null, statusCheck: false, zeroAmountAllowed: false, ttq: '36004000' },
    ]);
  });

  test('errors name the key', () => {
    assert.equal(keyOf('EUR'), 'contactless');
    assert.equal(keyOf({ zone: 'USD' }), 'contactless.zone');
    assert.equal(keyOf({ zone: 'EUR', combinations: [] }), 'contactless');
    assert.equal(keyOf({ limits: 1 }), 'contactless.limits');
    assert.equal(keyOf({ contactInterface: 'yes', zone: 'EUR' }), 'contactless.contactInterface');
    assert.equal(keyOf({ combinations: [] }), 'contactless.combinations');
    assert.equal(keyOf({ combinations: ['A0000000031010'] }), 'contactless.combinations[0]');
    assert.equal(keyOf({ combinations: [{ aid: 'A00000', kernel: 3 }] }), 'contactless.combinations[0].aid');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000041010', kernel: 9 }] }), 'contactless.combinations[0].kernel');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3, floorLimit: 12.5 }] }), 'contactless.combinations[0].floorLimit');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3, transactionLimit: -1 }] }), 'contactless.combinations[0].transactionLimit');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3, transactionLimit: 1000, cvmRequiredLimit: 5000 }] }), 'contactless.combinations[0].cvmRequiredLimit');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3, ttq: '3600' }] }), 'contactless.combinations[0].ttq');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3, statusCheck: 1 }] }), 'contactless.combinations[0].statusCheck');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3, limit: 1 }] }), 'contactless.combinations[0].limit');
    assert.equal(keyOf({ combinations: [{ aid: 'A0000000031010', kernel: 3 }, { aid: 'a0000000031010', kernel: 3 }] }), 'contactless.combinations[1]');
  });
});

describe('a parsed contactless section drives Entry Point', () => {
  const visa = (fields: object): NonNullable<ReturnType<typeof parseConfig>['contactless']> => {
    const c = parseConfig({ ...base, contactless: { combinations: [{ aid: 'A0000000031010', kernel: 3, ttq: '37004000', ...fields }] } }).contactless;
    assert.ok(c);
    return c;
  };

  test('12.34 at a transaction limit of 10.00: contactless not allowed (try another interface)', async () => {
    const t = await tap('visa-qvsdc-fdda', { contactless: visa({ transactionLimit: 1000 }) });
    assert.equal(t.outcome.outcome, 'try-another-interface');
    assert.equal(t.commands.length, 0, 'no command sent to the card');
  });

  test('12.34 at a CVM limit of 10.00 asks for a CVM; at the EUR preset it needs none', async () => {
    const low = await tap('visa-qvsdc-fdda', { contactless: visa({ cvmRequiredLimit: 1000, floorLimit: 0 }) });
    assert.notEqual(low.outcome.cvm, 'no-cvm');
    const eur = await tap('visa-qvsdc-fdda', { contactless: parseContactlessSection({ zone: 'EUR' }) });
    assert.equal(eur.outcome.cvm, 'no-cvm');
    assert.equal(eur.outcome.outcome, 'approved');
  });
});
