// The entry points the CLI and the demo use on the built-in card profiles (builtin-profiles.ts): listProfiles(),
// profileInfo(name), createCard(name).
import { T0Card } from '../t0-card.js';
import type { VirtualCard } from '../virtual-card.js';
import { EmvCard, type EmvCardOptions } from './emv-card.js';
import { EmvSimError } from './errors.js';
import { IssuerKeys } from './issuer-keys.js';
import { loadProfiles } from './builtin-profiles.js';
import type { CardProfile, ProfileInfo } from './profile-types.js';
import { decodeTlv } from '../../apdu/tlv.js';
import { toHex } from '../../apdu/hex.js';

export { loadProfiles } from './builtin-profiles.js';

/** The names of the built-in profiles. */
export function listProfiles(): string[] {
  return loadProfiles().map((p) => p.name);
}

/** The built-in profile `name`; SIM_PROFILE_UNKNOWN lists the known ones. */
export function getProfile(name: string): CardProfile {
  const all = loadProfiles();
  const p = all.find((x) => x.name === name);
  if (!p) throw new EmvSimError('SIM_PROFILE_UNKNOWN', `no card profile named '${name}' (known: ${all.map((x) => x.name).join(', ')})`, { name });
  return p;
}

/** Name, description, PIN and expected outcome of profile `name` (for `posbridge sim card`). */
export function profileInfo(name: string): ProfileInfo {
  const { description, pin, expected } = getProfile(name);
  return { name, description, pin, expected };
}

/** A virtual card for profile `name` (or a profile object), wrapped in T0Card when the profile says T=0. */
export function createCard(profile: string | CardProfile, options: EmvCardOptions = {}): VirtualCard {
  const p = typeof profile === 'string' ? getProfile(profile) : profile;
  const card = new EmvCard(p, options);
  return p.protocol === 'T=0' ? new T0Card(card) : card;
}

/** The issuer keys of profile `name`'s application `aid` (default: its first application). */
export function issuerKeysFor(name: string, aid?: string): IssuerKeys {
  const p = getProfile(name);
  const app = aid === undefined ? p.applications[0] : p.applications.find((a) => a.aid === aid.toUpperCase());
  if (!app) throw new EmvSimError('SIM_PROFILE_UNKNOWN', `profile '${name}' has no application ${aid ?? ''}`, { name, aid });
  return new IssuerKeys(app);
}

/** The issuer keys of the built-in application with this PAN and PSN (the host simulator's card lookup), or null. */
export function issuerKeysForPan(pan: string, psn: string, aid?: string): IssuerKeys | null {
  for (const p of loadProfiles()) {
    for (const a of p.applications) if (a.pan === pan && a.psn === psn && (aid === undefined || a.aid === aid.toUpperCase())) return new IssuerKeys(a);
  }
  return null;
}

/** The issuer of the card that produced field 55 (PAN and PSN from the card, the application from tag 84), or null. */
export function issuerKeysForTransaction(iccData: Uint8Array, pan: string, psn: string | null): IssuerKeys | null {
  let aid: string | undefined;
  try {
    const df = decodeTlv(iccData).find((n) => n.tag === 0x84);
    aid = df ? toHex(df.value) : undefined;
  } catch {
    aid = undefined; // malformed field 55: look the card up by PAN alone; the ARQC check will refuse it
  }
  return issuerKeysForPan(pan, psn ?? '00', aid) ?? issuerKeysForPan(pan, psn ?? '00');
}
