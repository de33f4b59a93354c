// The built-in card profiles (profiles/*.json, data validated at load), apart from the catalog so that the test keys
// (sim-keys.ts), which the cards are personalised with, can list them without importing the cards. Adding a profile:
// a JSON file in profiles/, one import line below, then `node scripts/gen-sim-keys.mjs` for its test keys.
import maestroContactlessOnlinePin from './profiles/maestro-contactless-online-pin.json' with { type: 'json' };
import mastercardContactlessCda from './profiles/mastercard-contactless-cda.json' with { type: 'json' };
import mastercardContactlessPhone from './profiles/mastercard-contactless-phone.json' with { type: 'json' };
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
import { EmvSimError } from './errors.js';
import { parseProfile } from './profile-loader.js';
import type { CardProfile } from './profile-types.js';

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
  ['profiles/mastercard-contactless-cda.json', mastercardContactlessCda],
  ['profiles/mastercard-contactless-phone.json', mastercardContactlessPhone],
  ['profiles/maestro-contactless-online-pin.json', maestroContactlessOnlinePin],
];

let loaded: readonly CardProfile[] | null = null;

/**
 * Every built-in profile, validated once (the host simulator looks a card up on every request); SIM_PROFILE_INVALID
 * names the file and key of the first bad one.
 */
export function loadProfiles(): CardProfile[] {
  loaded ??= parseAll();
  return [...loaded];
}

function parseAll(): CardProfile[] {
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
