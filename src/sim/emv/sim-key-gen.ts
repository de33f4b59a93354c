// Makes the virtual EMV card's TEST keys (EMV Book 2): a test CA key pair per RID the profiles use (1408 bits, e = 3,
// index F8; §5.1), per application with ODA an issuer key pair (1152 bits, e = 3) and, for DDA/CDA, an ICC key pair
// (1024 bits, e = the profile's iccKeyExponent; §6.1). Keys of `previous` that still fit are kept, so a key file
// stays stable across runs. Nothing of this ships as data: the keys are made at demo or test time.
import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import type { CardProfile } from './profile-types.js';

/** One key pair as stored: uppercase hex fields (public modulus/exponent, private CRT values). */
export interface StoredKey {
  readonly modulus: string;
  readonly exponent: string;
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

/** The key file: CA keys by RID (with their index), issuer and ICC keys by "profile:AID". */
export interface SimKeyFile {
  readonly comment: string;
  readonly ca: Readonly<Record<string, StoredKey & { readonly index: string }>>;
  readonly issuers: Readonly<Record<string, StoredKey>>;
  readonly iccs: Readonly<Record<string, StoredKey>>;
}

const CA_BITS = 1408;
const ISSUER_BITS = 1152;
const ICC_BITS = 1024;

function keyPair(bits: number, e: number): StoredKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  const jwk = privateKey.export({ format: 'jwk' });
  const hex = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64url').toString('hex').toUpperCase();
  return { modulus: hex(jwk.n), exponent: hex(jwk.e), d: hex(jwk.d), p: hex(jwk.p), q: hex(jwk.q), dp: hex(jwk.dp), dq: hex(jwk.dq), qi: hex(jwk.qi) };
}

function reuseOr(existing: StoredKey | undefined, bits: number, e: number): StoredKey {
  const want = e === 3 ? '03' : '010001';
  if (existing && existing.modulus.length === bits / 4 && existing.exponent === want) return existing;
  return keyPair(bits, e);
}

/** The key file for `profiles`, keeping the fitting keys of `previous` (none: all new). */
export function generateSimKeys(profiles: readonly CardProfile[], previous?: Partial<SimKeyFile>): SimKeyFile {
  const ca: Record<string, StoredKey & { index: string }> = {};
  const issuers: Record<string, StoredKey> = {};
  const iccs: Record<string, StoredKey> = {};
  for (const profile of profiles) {
    for (const app of profile.applications) {
      if (app.oda === 'none') continue;
      const rid = app.aid.slice(0, 10).toUpperCase();
      ca[rid] ??= { index: 'F8', ...reuseOr(previous?.ca?.[rid], CA_BITS, 3) };
      const id = `${profile.name}:${app.aid.toUpperCase()}`;
      issuers[id] = reuseOr(previous?.issuers?.[id], ISSUER_BITS, 3);
      if (app.oda === 'DDA' || app.oda === 'CDA') iccs[id] = reuseOr(previous?.iccs?.[id], ICC_BITS, app.iccKeyExponent);
    }
  }
  return {
    comment: 'TEST KEYS for the posbridge virtual EMV card, made at demo or test time. Worthless: never use them for anything but the simulator and tests.',
    ca,
    issuers,
    iccs,
  };
}
