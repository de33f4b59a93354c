// The nexo section of the configuration, the self-signed certificate, and the amount and reference rules.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/daemon/config.js';
import { lanePoiId } from '../../src/nexo/nexo-config.js';
import { nexoReference, NexoRefusal, toMajor, toMinor } from '../../src/nexo/nexo-messages.js';
import { selfSignedCertificate } from '../../src/nexo/self-signed.js';

const lanes = [{ name: 'A', reader: 'r' }];
const nexo = { keyIdentifier: 'shop-key', keyVersion: 1, passphrase: 'long enough' };

function keyOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return String(err.details.key);
  }
  return 'no error';
}

test('the nexo section: off when absent, defaults port 8443 on 127.0.0.1, lanes known by poiId or posbridge-<lane>', () => {
  assert.equal(parseConfig({ lanes }).nexo, undefined);
  const c = parseConfig({ lanes: [...lanes, { name: 'B', reader: 's', poiId: 'till-B' }], nexo });
  assert.deepEqual([c.nexo?.port, c.nexo?.bind, c.nexo?.keyIdentifier], [8443, '127.0.0.1', 'shop-key']);
  assert.deepEqual(c.lanes.map(lanePoiId), ['posbridge-A', 'till-B']);
});

test('a bad nexo section names the key; another address than loopback needs a certificate', () => {
  assert.equal(keyOf(() => parseConfig({ lanes, nexo: { ...nexo, keyVersion: 'one' } })), 'nexo.keyVersion');
  assert.equal(keyOf(() => parseConfig({ lanes, nexo: { ...nexo, passphraseFile: '/p' } })), 'nexo.passphraseFile');
  assert.equal(keyOf(() => parseConfig({ lanes, nexo: { keyIdentifier: 'k', keyVersion: 1 } })), 'nexo.passphrase');
  assert.equal(keyOf(() => parseConfig({ lanes, nexo: { ...nexo, bind: '0.0.0.0' } })), 'nexo.certificate');
  assert.equal(keyOf(() => parseConfig({ lanes, nexo: { ...nexo, certificate: '/c.pem' } })), 'nexo.key');
  assert.equal(keyOf(() => parseConfig({ lanes, nexo: { ...nexo, tls: true } })), 'nexo.tls');
  assert.equal(keyOf(() => parseConfig({ lanes: [{ name: 'A', reader: 'r', poiId: 'x' }, { name: 'B', reader: 's', poiId: 'x' }] })), 'lanes[1].poiId');
  const remote = parseConfig({ lanes, nexo: { ...nexo, bind: '0.0.0.0', certificate: '/c.pem', key: '/k.pem' } });
  assert.equal(remote.nexo?.bind, '0.0.0.0');
});

test('the self-signed certificate: CN of the form Adyen\'s library checks, SAN localhost and 127.0.0.1, self-verifying', () => {
  const pair = selfSignedCertificate({ terminalName: 'posbridge-A1', environment: 'live' });
  const x = new X509Certificate(pair.certificate);
  assert.match(x.subject, /CN=posbridge-A1\.live\.terminal\.adyen\.com/);
  assert.match(pair.commonName, /^(([a-zA-Z0-9]+-[a-zA-Z0-9]+)|legacy-terminal-certificate)\.(live|test)\.terminal\.adyen\.com$/);
  assert.equal(x.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
  assert.ok(x.verify(x.publicKey) && x.checkIssued(x) && x.ca);
  assert.ok(x.checkHost('localhost') && x.checkIP('127.0.0.1'));
  assert.throws(() => selfSignedCertificate({ terminalName: 'no_hyphen' }), RangeError);
});

test('amounts: nexo decimals in major units to minor units, refused beyond the currency\'s decimals', () => {
  assert.equal(toMinor(12.34, 2), 1234);
  assert.equal(toMinor(0.1 + 0.2, 2), 30);
  assert.equal(toMinor(1500, 0), 1500);
  assert.equal(toMajor(1051, 2), 10.51);
  assert.throws(() => toMinor(1.234, 2), (e: unknown) => e instanceof NexoRefusal && e.condition === 'MessageFormat');
  assert.throws(() => toMinor(-1, 2), NexoRefusal);
  assert.throws(() => toMinor('12', 2), NexoRefusal);
});

test('the payment reference of SaleID+ServiceID: readable when it fits 64 characters, else a stable hash', () => {
  assert.equal(nexoReference('till-1', '42'), 'nexo:till-1:42');
  const long = nexoReference('x'.repeat(80), '42');
  assert.ok(long.length <= 64 && long === nexoReference('x'.repeat(80), '42') && long !== nexoReference('x'.repeat(80), '43'));
});
