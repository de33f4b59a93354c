// The built-in card profiles (profiles/*.json, data validated at load) and the entry points the CLI and the demo
// use: listProfiles(), profileInfo(name), createCard(name). Adding a profile: a JSON file here, one import line
// below, then `node scripts/gen-sim-keys.mjs` for its test keys.
import mastercardCdaEncipheredPin from './profiles/mastercard-cda-enciphered-pin.json' with { type: 'json' };
import mastercardDdaOnlinePin from './profiles/mastercard-dda-online-pin.json' with { type: 'json' };
import mastercardPinBlocked from './profiles/mastercard-pin-blocked.json' with { type: 'json' };
import visaBlocked from './profiles/visa-blocked.json' with { type: 'json' };
import visaContactless from './profiles/visa-contactless.json' with { type: 'json' };
import visaDeclineOffline from './profiles/visa-decline-offline.json' with { type: 'json' };
import visaExpired from './profiles/visa-expired.json' with { type: 'json' };
import visaIssuerScripts from './profiles/visa-issuer-scripts.json' with { type: 'json' };
import visaSdaPse from './profiles/visa-sda-pse.json' with { type: 'json' };
import visaTwoApps from './profiles/visa-two-apps.json' with { type: 'json' };
import visaQvsdcFdda from './profiles/visa-qvsdc-fdda.json' with { type: 'json' };
import visaQvsdcPhone from './profiles/visa-qvsdc-phone.json' with { type: 'json' };
import visaQvsdcOnlinePin from './profiles/visa-qvsdc-online-pin.json' with { type: 'json' };
import visaQvsdcTryOther from './profiles/visa-qvsdc-try-other.json' with { type: 'json' };
import visaQvsdcExpired from './profiles/visa-qvsdc-expired.json' with { type: 'json' };
import unionpayQuickpass from './profiles/unionpay-quickpass.json' with { type: 'json' };
import { T0Card } from '../t0-card.js';
import type { VirtualCard } from '../virtual-card.js';
import { EmvCard, type EmvCardOptions } from './emv-card.js';
import { EmvSimError } from './errors.js';
import { IssuerKeys } from './issuer-keys.js';
import { parseProfile } from './profile-loader.js';
import type { CardProfile, ProfileInfo } from './profile-types.js';
import { decodeTlv } from '../../apdu/tlv.js';
import { toHex } from '../../apdu/hex.js';

/** The profile sources, file name and parsed JSON, in listing order. */
const SOURCES: ReadonlyArray<readonly [string, unknown]> = [
  ['profiles/mastercard-cda-enciphered-pin.json', mastercardCdaEncipheredPin],
  ['profiles/mastercard-dda-online-pin.json', mastercardDdaOnlinePin],
  ['profiles/mastercard-pin-blocked.json', mastercardPinBlocked],
  ['profiles/visa-blocked.json', visaBlocked],
  ['profiles/visa-contactless.json', visaContactless],
  ['profiles/visa-decline-offline.json', visaDeclineOffline],
  ['profiles/visa-expired.json', visaExpired],
  ['profiles/visa-issuer-scripts.json', visaIssuerScripts],
  ['profiles/visa-sda-pse.json', visaSdaPse],
  ['profiles/visa-two-apps.json', visaTwoApps],
  ['profiles/visa-qvsdc-fdda.json', visaQvsdcFdda],
  ['profiles/visa-qvsdc-phone.json', visaQvsdcPhone],
  ['profiles/visa-qvsdc-online-pin.json', visaQvsdcOnlinePin],
  ['profiles/visa-qvsdc-try-other.json', visaQvsdcTryOther],
  ['profiles/visa-qvsdc-expired.json', visaQvsdcExpired],
  ['profiles/unionpay-quickpass.json', unionpayQuickpass],
];

/** Every built-in profile, validated; SIM_PROFILE_INVALID names the file and key of the first bad one. */
export function loadProfiles(): CardProfile[] {
  const seen = new Map<string, string>();
  return SOURCES.map(([file, json]) => {
    const p = parseProfile(json, file);
    if (file !== `profiles/${p.name}.json`) throw new EmvSimError('SIM_PROFILE_INVALID', `${file}: name: must match the file name, got '${p.name}'`, { source: file, key: 'name' });
    for (const a of p.applications) {
      // The host simulator finds a card's issuer keys by AID, PAN and PSN: they must be unique.
      const id = `${a.aid}/${a.pan}/${a.psn}`;
      const other = seen.get(id);
      if (other) throw new EmvSimError('SIM_PROFILE_INVALID', `${file}: applications: AID, PAN and PSN ${id} also in ${other}`, { source: file, key: 'applications' });
      seen.set(id, file);
    }
    return p;
  });
}

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
