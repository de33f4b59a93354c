#!/usr/bin/env node
// Generates the virtual EMV card's TEST keys once and writes src/sim/emv/test-keys.json (checked in):
//  - a test CA key pair per RID the profiles use (1408 bits, e = 3, index F8; EMV Book 2 §5.1),
//  - per profile application with ODA: an issuer key pair (1152 bits, e = 3) and, for DDA/CDA, an ICC key pair
//    (1024 bits, e = the profile's iccKeyExponent, 3 or 65537; Book 2 §6.1).
// Existing keys are kept (the file stays stable across runs); keys no profile needs are dropped.
// `--force` regenerates everything. These keys are for the simulator and tests ONLY: never use them elsewhere.
import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const profileDir = join(root, 'src', 'sim', 'emv', 'profiles');
const out = join(root, 'src', 'sim', 'emv', 'test-keys.json');
const force = process.argv.includes('--force');

const CA_BITS = 1408;
const ISSUER_BITS = 1152;
const ICC_BITS = 1024;
const CA_INDEX = 'F8';

/** An RSA key pair as uppercase hex fields (public modulus/exponent, private CRT values). */
function keyPair(bits, e) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  const jwk = privateKey.export({ format: 'jwk' });
  const hex = (b64) => Buffer.from(b64, 'base64url').toString('hex').toUpperCase();
  const pair = { modulus: hex(jwk.n), exponent: hex(jwk.e), d: hex(jwk.d), p: hex(jwk.p), q: hex(jwk.q), dp: hex(jwk.dp), dq: hex(jwk.dq), qi: hex(jwk.qi) };
  if (pair.modulus.length !== bits / 4) throw new Error(`generated modulus is not ${bits} bits`);
  return pair;
}

/** Keeps an existing key of the right size and exponent, or makes a new one. */
function reuseOr(existing, bits, e) {
  const want = e === 3 ? '03' : '010001';
  if (!force && existing && existing.modulus.length === bits / 4 && existing.exponent === want) return existing;
  return keyPair(bits, e);
}

const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { ca: {}, issuers: {}, iccs: {} };
const next = {
  comment:
    'TEST KEYS for the posbridge virtual EMV card (scripts/gen-sim-keys.mjs). Public on purpose, worthless: never use them for anything but the simulator and tests.',
  ca: {},
  issuers: {},
  iccs: {},
};

for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.json')).sort()) {
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
  for (const app of profile.applications) {
    const oda = app.oda;
    if (oda === 'none') continue;
    const rid = app.aid.slice(0, 10).toUpperCase();
    next.ca[rid] ??= { index: CA_INDEX, ...reuseOr(previous.ca?.[rid], CA_BITS, 3) };
    const id = `${profile.name}:${app.aid.toUpperCase()}`;
    next.issuers[id] = reuseOr(previous.issuers?.[id], ISSUER_BITS, 3);
    if (oda === 'DDA' || oda === 'CDA') next.iccs[id] = reuseOr(previous.iccs?.[id], ICC_BITS, app.iccKeyExponent ?? 65537);
  }
}

writeFileSync(out, JSON.stringify(next, null, 2) + '\n');
console.log(`wrote ${out}: ${Object.keys(next.ca).length} CA, ${Object.keys(next.issuers).length} issuer, ${Object.keys(next.iccs).length} ICC key pair(s)`);
