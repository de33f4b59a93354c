// The virtual card's TEST keys, generated once by scripts/gen-sim-keys.mjs and checked in as test-keys.json.
// Imported as a JSON module (TS 5.9 NodeNext with resolveJsonModule emits the file next to this module in dist/,
// and Node 20.10+ loads it natively), so no path juggling between src/ and dist/ and no key generation at run time.
import raw from './test-keys.json' with { type: 'json' };
import { fromHex } from '../../apdu/hex.js';
import { bytesToBigInt } from '../../emv/crypto/bytes.js';
import type { RsaPrivateKey } from '../../emv/crypto/rsa.js';
import type { CaPublicKeyConfig } from '../../emv/types.js';
import { EmvSimError } from './errors.js';

/** One key pair as stored: uppercase hex fields. */
interface StoredKey {
  readonly modulus: string;
  readonly exponent: string;
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

/** The CA index all simulator CA keys use (tag 8F). */
export const SIM_CA_INDEX = 0xf8;

const stored: unknown = raw;

function section(name: 'ca' | 'issuers' | 'iccs'): Readonly<Record<string, StoredKey>> {
  const v = (stored as Record<string, unknown>)[name];
  if (typeof v !== 'object' || v === null) throw new EmvSimError('SIM_KEYS_MISSING', `test-keys.json has no "${name}" section; run node scripts/gen-sim-keys.mjs`);
  return v as Record<string, StoredKey>;
}

function privateKey(k: StoredKey): RsaPrivateKey {
  const big = (h: string): bigint => bytesToBigInt(fromHex(h));
  return { modulus: fromHex(k.modulus), exponent: fromHex(k.exponent), d: big(k.d), p: big(k.p), q: big(k.q), dp: big(k.dp), dq: big(k.dq), qi: big(k.qi) };
}

function lookup(name: 'ca' | 'issuers' | 'iccs', id: string): RsaPrivateKey {
  const k = section(name)[id];
  if (!k) throw new EmvSimError('SIM_KEYS_MISSING', `test-keys.json has no ${name} key "${id}"; run node scripts/gen-sim-keys.mjs`, { key: id });
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
