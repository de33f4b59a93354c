// The `metrics` section: off when absent, loopback and port 9464 by default, a bind elsewhere only when given, never
// the API's port; and the closed set of schemes the payments counter labels with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, ConfigError } from '../../src/daemon/config.js';
import { metricsExposed } from '../../src/daemon/metrics-config.js';
import { KNOWN_SCHEMES, schemeOfBin } from '../../src/emv/scheme.js';

const base = { demo: true, readers: 'virtual', lanes: [{ name: 'A', reader: 'R' }] };

test('metrics: off when absent; defaults 127.0.0.1:9464; another address only when given (and then exposed)', () => {
  assert.equal(parseConfig(base).metrics, undefined);
  assert.equal(parseConfig({ ...base, metrics: false }).metrics, undefined);
  const local = parseConfig({ ...base, metrics: {} }).metrics;
  assert.deepEqual(local, { bind: '127.0.0.1', port: 9464 });
  assert.equal(local && metricsExposed(local), false);
  const wide = parseConfig({ ...base, metrics: { bind: '0.0.0.0', port: 9100 } }).metrics;
  assert.deepEqual(wide, { bind: '0.0.0.0', port: 9100 });
  assert.equal(wide && metricsExposed(wide), true);
});

test('metrics: bad values name their key', () => {
  const key = (metrics: unknown, port = 17620): string => {
    try {
      parseConfig({ ...base, port, metrics });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return String(err.details.key);
    }
    return 'accepted';
  };
  assert.equal(key({ port: 17620 }), 'metrics.port', 'the API port is refused');
  assert.equal(key({ port: 0 }, 0), 'accepted', 'two free ports are two ports');
  assert.equal(key({ port: 70000 }), 'metrics.port');
  assert.equal(key({ bind: '' }), 'metrics.bind');
  assert.equal(key({ bind: 'a b' }), 'metrics.bind');
  assert.equal(key({ path: '/m' }), 'metrics.path');
  assert.equal(key('on'), 'metrics');
});

test('a swiped card\'s scheme from its first digits, within the closed set', () => {
  assert.equal(schemeOfBin('476173******0119'), 'visa');
  assert.equal(schemeOfBin('541333******0010'), 'mastercard');
  assert.equal(schemeOfBin('222100******0000'), 'mastercard');
  assert.equal(schemeOfBin('374245******1001'), 'amex');
  assert.equal(schemeOfBin('356600******0000'), 'jcb');
  assert.equal(schemeOfBin('625094******0000'), 'unionpay');
  assert.equal(schemeOfBin('601100******0000'), 'discover');
  assert.equal(schemeOfBin('999999******0000'), null);
  assert.equal(schemeOfBin(null), null);
  for (const pan of ['476173', '541333', '374245', '356600', '625094', '601100']) assert.ok(KNOWN_SCHEMES.includes(schemeOfBin(pan) ?? ''), pan);
});
