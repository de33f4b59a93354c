// Validation of the `qvsdc` part of a profile application (profile-types.ts QvsdcProfile): the quick contactless
// GPO of Visa qVSDC (EMV Contactless Book C-3) and UnionPay qUICS.
import { parseDol } from '../../apdu/dol.js';
import { fromHex } from '../../apdu/hex.js';
import { tagHex } from '../../apdu/tlv.js';
import type { JsonObject } from './json-fields.js';
import type { FddaProfile, OdaMethod, QvsdcProfile } from './profile-types.js';

/** Tags a qVSDC PDOL must ask for: TTQ (the card's decisions), amount, currency and UN (cryptogram and fDDA). */
const PDOL_NEEDS = [0x9f66, 0x9f02, 0x5f2a, 0x9f37];

/** Parses and checks `qvsdc` against the application's ODA method, PDOL and CDOL1. */
export function parseQvsdc(q: JsonObject, a: JsonObject, app: { readonly oda: OdaMethod; readonly pdol: string; readonly cdol1: string }): QvsdcProfile {
  q.onlyKeys(['kernelId', 'ctq', 'cvm', 'formFactor', 'fdda', 'gpoStatus', 'offlineLimit', 'afl']);
  const pdol = parseDol(fromHex(app.pdol));
  for (const tag of PDOL_NEEDS) if (!pdol.some((e) => e.tag === tag)) throw a.error('pdol', `a qvsdc application needs ${tagHex(tag)} in its PDOL`);
  // The cryptogram covers the CDOL1 tags taken from the PDOL data (the issuer rebuilds them from field 55).
  for (const e of parseDol(fromHex(app.cdol1))) {
    if (!pdol.some((p) => p.tag === e.tag && p.length === e.length)) throw a.error('cdol1', `CDOL1 names ${tagHex(e.tag)} (${e.length} bytes), which the PDOL does not ask for with that length`);
  }
  if (app.oda === 'CDA' || app.oda === 'SDA') throw a.error('oda', `a qVSDC application signs with fDDA (oda DDA) or not at all (oda none), not ${app.oda}`);
  const afl = q.bool('afl', true);
  const fdda = q.has('fdda') ? parseFdda(q.object('fdda')) : null;
  if (fdda && app.oda !== 'DDA') throw q.error('fdda', 'fDDA needs oda DDA (an ICC key and its certificates)');
  if (fdda && !afl) throw q.error('fdda', 'fDDA needs the records (afl true): the certificates are there');
  const gpo = q.has('gpoStatus') ? q.oneOf('gpoStatus', ['6984', '6986', '6985'] as const) : null;
  return {
    kernelId: q.has('kernelId') ? q.hex('kernelId', 1, 1) : null,
    ctq: q.hex('ctq', 2, 2, '0000'),
    cvm: q.oneOf('cvm', ['online-pin', 'signature', 'cdcvm', 'none'] as const, 'none'),
    formFactor: q.has('formFactor') ? q.hex('formFactor', 1, 32) : null,
    fdda,
    gpoStatus: gpo,
    offlineLimit: q.int('offlineLimit', 0, 999_999_999_999, null),
    afl,
  };
}

function parseFdda(f: JsonObject): FddaProfile {
  f.onlyKeys(['version', 'cardAuthDataLength', 'signedDataFormat']);
  return {
    version: f.oneOf('version', ['00', '01'] as const, '01'),
    cardAuthDataLength: f.oneOf('cardAuthDataLength', [5, 7] as const, 7),
    signedDataFormat: f.oneOf('signedDataFormat', ['05', '95'] as const, '05'),
  };
}
