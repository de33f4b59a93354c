// The published package holds no private key material: `npm pack --dry-run --json` lists the files, and each is
// searched for a PEM private key, an RSA private key as JSON (private exponent and primes), a hex private exponent
// as the simulators stored theirs, or a DUKPT base derivation key (BDK) other than the public ANSI X9.24 test
// vectors (X9.24-1 Annex A.4 and X9.24-3, printed in the standard: the PIN pad emulator's, documented in
// docs/hardware.md). The simulators' test keys are made at demo or test time instead (src/sim/emv/sim-keys.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { privateKeyMaterial } from '../helpers/private-keys.js';

test('the detector finds what it looks for (else the package test proves nothing)', () => {
  const keys = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'sim-test-keys.json'), 'utf8')) as unknown;
  assert.ok(privateKeyMaterial(JSON.stringify(keys, null, 2)).includes('RSA private key (hex JSON)'));
  assert.deepEqual(privateKeyMaterial('-----BEGIN RSA PRIVATE KEY-----\nMII…'), ['PEM private key']);
  assert.deepEqual(privateKeyMaterial(`const SHOP_BDK = '${'89ABCDEF01234567'.repeat(2)}';`), ['BDK 89ABCD…']);
  assert.deepEqual(privateKeyMaterial("export const SIM_TDES_BDK = '0123456789ABCDEFFEDCBA9876543210';"), []);
});

test('npm pack lists no file with private key material', { timeout: 60_000 }, () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: process.cwd(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as [{ files: { path: string }[] }];
  const paths = pack.files.map((f) => f.path);
  assert.ok(paths.includes('dist/src/sim/emv/sim-keys.js'), 'the package is built (else there is nothing to check)');
  const offending = paths.flatMap((p) => privateKeyMaterial(readFileSync(join(process.cwd(), p), 'utf8')).map((what) => `${p}: ${what}`));
  assert.deepEqual(offending, []);
  assert.deepEqual(paths.filter((p) => /test-keys|sim-test-keys|\.pem$|\.key$/.test(p)), []);
});
