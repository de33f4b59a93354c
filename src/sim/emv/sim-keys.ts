// The virtual card's TEST keys. None ships in the package (a test CA whose private key is public must never be one a
// shop terminal could be told to trust): a checkout uses the stable ones under test/fixtures (made by
// scripts/gen-sim-keys.mjs), an installed package makes its own on first use, into <dataDir>/sim-test-keys.json.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../apdu/hex.js';
import { defaultDataDir } from '../../config/paths.js';
import { bytesToBigInt } from '../../crypto/bytes.js';
import type { RsaPrivateKey } from '../../crypto/rsa.js';
import type { CaPublicKeyConfig } from '../../emv/types.js';
import { loadProfiles } from './builtin-profiles.js';
import { EmvSimError } from './errors.js';
import { generateSimKeys, type SimKeyFile, type StoredKey } from './sim-key-gen.js';

/** The checkout's stable test keys (dist/src/sim/emv → the repository root → test/fixtures); absent from the package. */
export const CHECKOUT_SIM_KEYS = fileURLToPath(new URL('../../../../test/fixtures/sim-test-keys.json', import.meta.url));

/** Where the test keys are read from (and, outside a checkout, written to once made). */
export function simKeysPath(): string {
  return existsSync(CHECKOUT_SIM_KEYS) ? CHECKOUT_SIM_KEYS : join(defaultDataDir(), 'sim-test-keys.json');
}

let cache: SimKeyFile | null = null;

/** The key file, made (and saved) for the profiles that lack keys; read once per process. */
function keyFile(): SimKeyFile {
  if (cache) return cache;
  const path = simKeysPath();
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<SimKeyFile>) : undefined;
  const keys = generateSimKeys(loadProfiles(), previous);
  if (path !== CHECKOUT_SIM_KEYS && JSON.stringify(keys) !== JSON.stringify(previous)) {
    // Written whole then renamed: another simulator process reading at the same moment never sees half a file.
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  }
  cache = keys;
  return keys;
}

/** The CA index all simulator CA keys use (tag 8F). */
export const SIM_CA_INDEX = 0xf8;

function section(name: 'ca' | 'issuers' | 'iccs'): Readonly<Record<string, StoredKey>> {
  return keyFile()[name];
}

function privateKey(k: StoredKey): RsaPrivateKey {
  const big = (h: string): bigint => bytesToBigInt(fromHex(h));
  return { modulus: fromHex(k.modulus), exponent: fromHex(k.exponent), d: big(k.d), p: big(k.p), q: big(k.q), dp: big(k.dp), dq: big(k.dq), qi: big(k.qi) };
}

function lookup(name: 'ca' | 'issuers' | 'iccs', id: string): RsaPrivateKey {
  const k = section(name)[id];
  if (!k) throw new EmvSimError('SIM_KEYS_MISSING', `the simulator's test keys (${simKeysPath()}) have no ${name} key "${id}"; run node scripts/gen-sim-keys.mjs`, { key: id });
  return privateKey(k);
}

/** The test CA public keys, as a terminal configuration lists them: `defaultTerminalConfig(simCaKeys())`. */
export function simCaKeys(): CaPublicKeyConfig[] {
  return Object.entries(section('ca')).map(([rid, k]) => ({ rid, index: 'F8', modulus: k.modulus, exponent: k.exponent }));
}

/** The test CA private key of a RID (5 bytes hex), which signs the issuer certificates (EMV Book 2 §5.3). */
export function simCaPrivateKey(rid: string): RsaPrivateKey {
  return lookup('ca', rid.toUpperCase());
}

/** The issuer key pair of one profile application (signs 90's content, 93 and the ICC certificate). */
export function simIssuerKey(profile: string, aid: string): RsaPrivateKey {
  return lookup('issuers', `${profile}:${aid.toUpperCase()}`);
}

/** The ICC key pair of one profile application (DDA/CDA signatures, offline enciphered PIN). */
export function simIccKey(profile: string, aid: string): RsaPrivateKey {
  return lookup('iccs', `${profile}:${aid.toUpperCase()}`);
}
