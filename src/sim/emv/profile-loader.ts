import { parseAtr } from '../../apdu/atr.js';
import { parseDol } from '../../apdu/dol.js';
import { fromHex } from '../../apdu/hex.js';
import { tagHex } from '../../apdu/tlv.js';
import { FIELD55_TAGS } from '../../emv/icc-data.js';
import { luhnValid } from '../../log/redact.js';
import { JsonObject } from './json-fields.js';
import { parseMchip } from './mchip-profile.js';
import { parseQvsdc } from './qvsdc-profile.js';
import type { ApplicationProfile, BehaviourProfile, CardProfile, OdaMethod, ScriptProfile } from './profile-types.js';

const HEX5 = (o: JsonObject, k: string): string => o.hex(k, 5, 5);
const YYMMDD = /^\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
/** Script instructions the card implements (issuer-commands.ts). */
export const SCRIPT_INS = ['DA', '1E', '18', '24', 'DC', '16'] as const;
/** AIP byte 1 bits (EMV Book 3 Annex C1): SDA, DDA, CDA. */
const AIP_ODA = { SDA: 0x40, DDA: 0x20, CDA: 0x01 } as const;

/** Validates a profile read from JSON; throws SIM_PROFILE_INVALID naming the source and the bad key. */
export function parseProfile(json: unknown, source: string): CardProfile {
  const o = new JsonObject(json, source, '');
  o.onlyKeys(['$comment', 'name', 'description', 'pin', 'expected', 'expectedError', 'atr', 'protocol', 'interfaces', 'pse', 'applications']);
  const protocol = o.oneOf('protocol', ['T=0', 'T=1'] as const);
  const atr = o.hex('atr', 2, 33);
  checkAtr(o, atr, protocol);
  const interfaces = o.array('interfaces', true, 1).map((v, i) => {
    if (v !== 'contact' && v !== 'contactless') throw o.error(o.childPath('interfaces', i), `must be "contact" or "contactless", got ${JSON.stringify(v)}`);
    return v;
  });
  const pse = o.bool('pse', false);
  if (pse && !interfaces.includes('contact')) throw o.error('pse', 'a PSE needs the contact interface (contactless cards have the PPSE)');
  const expected = o.oneOf('expected', ['approved', 'declined', 'failed', 'try-another-interface'] as const);
  const applications = o.array('applications', true, 1).map((a, i) => parseApplication(new JsonObject(a, source, o.childPath('applications', i))));
  if (applications.some((a) => a.qvsdc) && !interfaces.includes('contactless')) throw o.error('interfaces', 'a qvsdc application needs the contactless interface');
  if (applications.some((a) => a.mchip) && !interfaces.includes('contactless')) throw o.error('interfaces', 'an mchip application needs the contactless interface');
  const aids = applications.map((a) => a.aid);
  const dup = aids.find((a, i) => aids.indexOf(a) !== i);
  if (dup) throw o.error('applications', `AID ${dup} appears twice`);
  return {
    name: o.string('name', /^[a-z0-9][a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes'),
    description: o.string('description', /^.{1,200}$/, 'a one-line description'),
    pin: o.string('pin', /^\d{4,12}$/, '4 to 12 digits'),
    expected,
    expectedError: expected === 'failed' ? o.string('expectedError', /^EMV_[A-Z_]+$/, 'an EMV_* error code') : null,
    atr,
    protocol,
    interfaces,
    pse,
    applications,
  };
}

function checkAtr(o: JsonObject, atr: string, protocol: 'T=0' | 'T=1'): void {
  let parsed;
  try {
    parsed = parseAtr(fromHex(atr));
  } catch (err) {
    throw o.error('atr', `is not a valid ATR: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Readers negotiate the first protocol the ATR offers (ISO 7816-3 §6.3.1): it must be the profile's.
  if (parsed.protocols[0] !== protocol) throw o.error('atr', `offers ${parsed.protocols.join(', ')} first, not ${protocol}`);
  if (parsed.tckExpected && parsed.tckValid !== true) throw o.error('atr', 'needs a valid TCK (ISO 7816-3 §8.2.5)');
}

function parseApplication(a: JsonObject): ApplicationProfile {
  a.onlyKeys([
    '$comment', 'aid', 'label', 'priority', 'confirmationRequired', 'pdol', 'aip', 'auc', 'cvmList', 'iac', 'appVersion', 'pan', 'psn', 'expiry',
    'effective', 'issuerCountry', 'currency', 'oda', 'issuerMasterKey', 'issuerScriptKey', 'pinTryLimit', 'pinTryCounter', 'blocked',
    'lowerConsecutiveLimit', 'upperConsecutiveLimit', 'cdol1', 'cdol2', 'ddol', 'responseFormat', 'iccKeyExponent', 'certificateExpiry', 'behaviour',
    'qvsdc', 'mchip',
  ]);
  const oda = a.oneOf<OdaMethod>('oda', ['SDA', 'DDA', 'CDA', 'none']);
  const aip = a.hex('aip', 2, 2);
  checkAip(a, aip, oda);
  const responseFormat = a.oneOf('responseFormat', [1, 2] as const, 2);
  if (oda === 'CDA' && responseFormat !== 2) throw a.error('responseFormat', 'CDA needs response format 2 (EMV Book 3 §6.5.5.4)');
  const pan = a.string('pan', /^\d{12,19}$/, '12 to 19 digits');
  if (!luhnValid(pan)) throw a.error('pan', 'fails the Luhn check');
  const iac = a.object('iac');
  iac.onlyKeys(['denial', 'online', 'default']);
  const pinTryLimit = a.int('pinTryLimit', 1, 15);
  const imk = a.hex('issuerMasterKey', 16, 16);
  const cdol1 = dol(a, 'cdol1', undefined);
  checkCdol1(a, cdol1);
  if (oda === 'CDA' && !parseDol(fromHex(cdol1)).some((e) => e.tag === 0x9f37)) throw a.error('cdol1', 'CDA needs the unpredictable number (9F37) in CDOL1 (Book 2 §6.6.1)');
  const cdol2 = dol(a, 'cdol2', undefined);
  if (!parseDol(fromHex(cdol2)).some((e) => e.tag === 0x8a && e.length === 2)) throw a.error('cdol2', 'must ask for the authorisation response code (8A, 2 bytes)');
  const cvmList = a.hex('cvmList', 10, 252);
  if (cvmList.length % 4 !== 0) throw a.error('cvmList', 'must be amounts X and Y (8 bytes) then whole 2-byte rules');
  const pdol = dol(a, 'pdol', '');
  if (a.has('qvsdc') && a.has('mchip')) throw a.error('mchip', 'an application is qvsdc (Kernel 3) or mchip (Kernel 2), not both');
  const qvsdc = a.has('qvsdc') ? parseQvsdc(a.object('qvsdc'), a, { oda, pdol, cdol1 }) : null;
  const mchip = a.has('mchip') ? parseMchip(a.object('mchip'), a, { oda, aip, responseFormat, cdol1 }) : null;
  return {
    aid: a.hex('aid', 5, 16),
    label: a.string('label', /^[\x20-\x7e]{1,16}$/, '1-16 printable ASCII characters'),
    priority: a.int('priority', 1, 15),
    confirmationRequired: a.bool('confirmationRequired', false),
    pdol,
    aip,
    auc: a.hex('auc', 2, 2),
    cvmList,
    iac: { denial: HEX5(iac, 'denial'), online: HEX5(iac, 'online'), default: HEX5(iac, 'default') },
    appVersion: a.hex('appVersion', 2, 2),
    pan,
    psn: a.string('psn', /^\d\d$/, '2 digits'),
    expiry: a.string('expiry', YYMMDD, 'a date YYMMDD'),
    effective: a.string('effective', YYMMDD, 'a date YYMMDD'),
    issuerCountry: a.string('issuerCountry', /^\d{4}$/, '4 digits (ISO 3166 numeric)'),
    currency: a.string('currency', /^\d{4}$/, '4 digits (ISO 4217 numeric)'),
    oda,
    issuerMasterKey: imk,
    issuerScriptKey: a.hex('issuerScriptKey', 16, 16, imk),
    pinTryLimit,
    pinTryCounter: a.int('pinTryCounter', 0, pinTryLimit, pinTryLimit),
    blocked: a.bool('blocked', false),
    lowerConsecutiveLimit: a.int('lowerConsecutiveLimit', 0, 255, null),
    upperConsecutiveLimit: a.int('upperConsecutiveLimit', 0, 255, null),
    cdol1,
    cdol2,
    ddol: dol(a, 'ddol', oda === 'DDA' ? '9F3704' : ''),
    responseFormat,
    iccKeyExponent: a.oneOf('iccKeyExponent', [3, 65537] as const, 65537),
    certificateExpiry: a.string('certificateExpiry', /^(0[1-9]|1[0-2])\d\d$/, 'MMYY', '1230'),
    behaviour: parseBehaviour(a.object('behaviour', false)),
    qvsdc,
    mchip,
  };
}

function checkAip(a: JsonObject, aip: string, oda: OdaMethod): void {
  const b1 = fromHex(aip)[0];
  const want = oda === 'none' ? 0 : AIP_ODA[oda];
  // The card offers the strongest method it names; a weaker bit alongside is allowed (a CDA card also says DDA).
  const strongest = b1 & 0x01 ? 'CDA' : b1 & 0x20 ? 'DDA' : b1 & 0x40 ? 'SDA' : 'none';
  if (strongest !== oda) throw a.error('aip', `AIP ${aip} says ${strongest}, but oda is ${oda}${want ? ` (set bit ${want.toString(16)} of byte 1)` : ''}`);
}

function dol(a: JsonObject, key: string, fallback: string | undefined): string {
  const hex = a.hex(key, 0, 252, fallback);
  try {
    parseDol(fromHex(hex));
  } catch (err) {
    throw a.error(key, `is not a valid DOL: ${err instanceof Error ? err.message : String(err)}`);
  }
  return hex;
}

/** The host simulator rebuilds CDOL1 data from field 55 to recompute the ARQC: CDOL1 may only name those tags. */
function checkCdol1(a: JsonObject, cdol1: string): void {
  for (const e of parseDol(fromHex(cdol1))) {
    if (!FIELD55_TAGS.includes(e.tag)) throw a.error('cdol1', `names ${tagHex(e.tag)}, which field 55 does not carry (the issuer could not recompute the ARQC)`);
  }
}

function parseBehaviour(b: JsonObject): BehaviourProfile {
  b.onlyKeys(['declineOffline', 'approveOfflineBelow', 'issuerScripts']);
  return {
    declineOffline: b.bool('declineOffline', false),
    approveOfflineBelow: b.int('approveOfflineBelow', 0, 999_999_999_999, null),
    issuerScripts: b.array('issuerScripts', false).map((s, i) => parseScript(new JsonObject(s, b.source, b.childPath('issuerScripts', i)))),
  };
}

function parseScript(s: JsonObject): ScriptProfile {
  s.onlyKeys(['template', 'id', 'commands']);
  return {
    template: s.oneOf('template', ['71', '72'] as const),
    id: s.hex('id', 4, 4),
    commands: s.array('commands', true, 1).map((c, i) => {
      const o = new JsonObject(c, s.source, s.childPath('commands', i));
      o.onlyKeys(['ins', 'p1', 'p2', 'data']);
      const ins = o.hex('ins', 1, 1);
      if (!(SCRIPT_INS as readonly string[]).includes(ins)) throw o.error('ins', `must be one of ${SCRIPT_INS.join(', ')}`);
      return { ins, p1: o.hex('p1', 1, 1), p2: o.hex('p2', 1, 1), data: o.hex('data', 0, 200, '') };
    }),
  };
}
