// The acquirer's TLS settings: the CA as a file path (as the docs' examples write it) or as PEM text; bad shapes refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/daemon/config.js';
import { parseHostTls, resolveHostTls } from '../../src/daemon/host-tls.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2VydA==\n-----END CERTIFICATE-----\n';
const refused = (fn: () => unknown, key: string): void => {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.message.includes(key));
};

test('host.tls.ca given as a file path is read at start; PEM text is kept as it is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-tls-'));
  try {
    const file = join(dir, 'acquirer-ca.pem');
    writeFileSync(file, PEM);
    const cfg = parseConfig({ host: { host: 'acquirer.example', port: 7001, tls: { ca: file } }, lanes: [{ name: 'A', reader: 'R' }] });
    assert.ok(cfg.host !== 'simulator' && cfg.host.tls?.ca === file);
    assert.equal(resolveHostTls({ ca: file }).ca, PEM);
    assert.equal(resolveHostTls({ ca: PEM }).ca, PEM);
    refused(() => resolveHostTls({ ca: join(dir, 'missing.pem') }), 'host.tls.ca');
    writeFileSync(join(dir, 'not.pem'), 'hello');
    refused(() => resolveHostTls({ ca: join(dir, 'not.pem') }), 'no PEM certificate');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('host.tls: unknown keys, empty values and a malformed pin are refused by name', () => {
  refused(() => parseHostTls({ cert: 'x' }), 'host.tls.cert');
  refused(() => parseHostTls({ ca: '' }), 'host.tls.ca');
  refused(() => parseHostTls({ pinSha256: 'abc' }), 'host.tls.pinSha256');
  refused(() => parseHostTls('yes'), 'host.tls');
  assert.deepEqual(parseHostTls({ pinSha256: 'AB:'.repeat(31) + 'AB' }), { pinSha256: 'AB:'.repeat(31) + 'AB' });
});
