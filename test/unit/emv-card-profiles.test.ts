// Virtual card profiles are data (src/sim/emv/profiles/*.json): the built-in ones load, a bad one is refused with
// the file and the key named, the CLI's entry points work, and the test keys have the sizes EMV Book 2 allows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { createCard, getProfile, issuerKeysForPan, listProfiles, loadProfiles, profileInfo } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import { EmvSimError } from '../../src/sim/emv/errors.js';
import { parseProfile } from '../../src/sim/emv/profile-loader.js';
import { simCaKeys, simIccKey, simIssuerKey } from '../../src/sim/emv/sim-keys.js';
import { T0Card } from '../../src/sim/t0-card.js';

const PROFILE_DIR = join(process.cwd(), 'src', 'sim', 'emv', 'profiles');

/** The JSON of a built-in profile with `edit` applied to a deep copy. */
function edited(name: string, edit: (p: Record<string, unknown>, app: Record<string, unknown>) => void): unknown {
  const json = JSON.parse(readFileSync(join(PROFILE_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
  const apps = json.applications as Record<string, unknown>[];
  edit(json, apps[0]);
  return json;
}

/** Asserts that parsing fails with SIM_PROFILE_INVALID naming `key` and mentioning `words`. */
function refused(json: unknown, key: string, words: RegExp): void {
  assert.throws(
    () => parseProfile(json, 'test.json'),
    (e: unknown) => {
      assert.ok(e instanceof EmvSimError, String(e));
      assert.equal(e.code, 'SIM_PROFILE_INVALID');
      assert.equal(e.details.key, key, e.message);
      assert.match(e.message, words);
      assert.ok(e.message.startsWith(`test.json: ${key}: `), e.message);
      return true;
    },
  );
}

describe('card profiles', () => {
  test('the built-in profiles load and cover the scenarios', () => {
    assert.deepEqual(listProfiles().sort(), [
      'maestro-contactless-online-pin',
      'mastercard-cda-enciphered-pin',
      'mastercard-contactless-cda',
      'mastercard-contactless-phone',
      'mastercard-dda-online-pin',
      'mastercard-pin-blocked',
      'unionpay-quickpass',
      'visa-blocked',
      'visa-contactless',
      'visa-decline-offline',
      'visa-expired',
      'visa-issuer-scripts',
      'visa-qvsdc-expired',
      'visa-qvsdc-fdda',
      'visa-qvsdc-online-pin',
      'visa-qvsdc-phone',
      'visa-qvsdc-try-other',
      'visa-sda-pse',
      'visa-two-apps',
    ]);
    const all = loadProfiles();
    assert.ok(all.some((p) => p.pse && p.applications[0].oda === 'SDA'));
    assert.ok(all.some((p) => !p.pse && p.applications[0].oda === 'DDA' && p.applications[0].cvmList.includes('4203')));
    assert.ok(all.some((p) => p.interfaces.length === 1 && p.interfaces[0] === 'contactless' && p.applications[0].pdol.includes('9F66')));
    assert.ok(all.some((p) => p.applications[0].pinTryCounter === 0));
    assert.ok(all.some((p) => p.applications[0].blocked));
    assert.ok(all.every((p) => (p.protocol === 'T=0') === p.atr.startsWith('3B65')));
  });

  test('profileInfo gives what the CLI prints; unknown names list the known ones', () => {
    assert.deepEqual(profileInfo('visa-blocked'), {
      name: 'visa-blocked',
      description: 'Visa-like card whose only application is blocked: no application to select',
      pin: '1234',
      expected: 'failed',
    });
    assert.throws(() => profileInfo('nope'), (e: unknown) => e instanceof EmvSimError && e.code === 'SIM_PROFILE_UNKNOWN' && /visa-sda-pse/.test(e.message));
  });

  test('createCard wraps T=0 profiles in T0Card (61xx then GET RESPONSE) and gives T=1 ones as they are', async () => {
    const t0 = createCard('visa-sda-pse');
    assert.ok(t0 instanceof T0Card);
    assert.equal(toHex(await t0.process(fromHex('00A404000E315041592E5359532E444446303100'))), '611C');
    assert.equal(toHex(await t0.process(fromHex('00C000001C'))), '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000');
    const t1 = createCard('mastercard-cda-enciphered-pin');
    assert.ok(t1 instanceof EmvCard);
    assert.equal(toHex(t1.atr), '3B888131FE450073C84013009000FB');
  });

  test('a bad profile is refused naming the key', () => {
    refused(edited('visa-sda-pse', (_p, a) => (a.pdoll = '9F3704')), 'applications[0].pdoll', /unknown key/);
    refused(edited('visa-sda-pse', (_p, a) => (a.aip = '1C00')), 'applications[0].aip', /says none, but oda is SDA/);
    refused(edited('visa-sda-pse', (_p, a) => (a.pan = '4761739001010118')), 'applications[0].pan', /Luhn/);
    refused(edited('visa-sda-pse', (_p, a) => (a.expiry = '281301')), 'applications[0].expiry', /YYMMDD/);
    refused(edited('visa-sda-pse', (_p, a) => (a.cdol1 = '9F02069F4502')), 'applications[0].cdol1', /9F45.*field 55/);
    refused(edited('visa-sda-pse', (_p, a) => (a.cdol2 = '9F3704')), 'applications[0].cdol2', /8A/);
    refused(edited('visa-sda-pse', (_p, a) => (a.iac = { denial: '00', online: '0000000000', default: '0000000000' })), 'applications[0].iac.denial', /5 bytes/);
    refused(edited('visa-contactless', (_p, a) => (a.responseFormat = 1)), 'applications[0].responseFormat', /CDA needs response format 2/);
    refused(edited('visa-sda-pse', (_p, a) => ((a.behaviour as Record<string, unknown>).approveOfflineBelow = -1)), 'applications[0].behaviour.approveOfflineBelow', /0\.\./);
    refused(edited('visa-issuer-scripts', (_p, a) => {
      const b = a.behaviour as { issuerScripts: { commands: { ins: string }[] }[] };
      b.issuerScripts[0].commands[1].ins = 'B0';
    }), 'applications[0].behaviour.issuerScripts[0].commands[1].ins', /one of/);
    refused(edited('mastercard-dda-online-pin', (p) => (p.atr = '3B888131FE450073C84013009000FA')), 'atr', /TCK/);
    refused(edited('mastercard-dda-online-pin', (p) => (p.protocol = 'T=0')), 'atr', /offers T=1 first, not T=0/);
    refused(edited('visa-contactless', (p) => (p.pse = true)), 'pse', /contact interface/);
    refused(edited('visa-blocked', (p) => delete p.expectedError), 'expectedError', /required/);
    refused({ ...(edited('visa-sda-pse', () => undefined) as object), applications: 'x' }, 'applications', /array/);
  });

  test('a bad qvsdc part is refused naming the key', () => {
    const q = (a: Record<string, unknown>): Record<string, unknown> => a.qvsdc as Record<string, unknown>;
    refused(edited('visa-qvsdc-online-pin', (_p, a) => (q(a).fdda = { version: '01' })), 'applications[0].qvsdc.fdda', /needs oda DDA/);
    refused(edited('visa-qvsdc-fdda', (_p, a) => (q(a).afl = false)), 'applications[0].qvsdc.fdda', /needs the records/);
    refused(edited('visa-qvsdc-fdda', (_p, a) => (a.pdol = '9F02069F37045F2A02')), 'applications[0].pdol', /9F66/);
    refused(edited('visa-qvsdc-fdda', (_p, a) => (a.cdol1 = '9F02069F37049F1007')), 'applications[0].cdol1', /9F10.*PDOL/);
    refused(edited('visa-qvsdc-fdda', (_p, a) => (q(a).gpoStatus = '6A82')), 'applications[0].qvsdc.gpoStatus', /one of/);
    refused(edited('visa-qvsdc-fdda', (_p, a) => ((q(a).fdda as Record<string, unknown>).cardAuthDataLength = 6)), 'applications[0].qvsdc.fdda.cardAuthDataLength', /one of/);
    refused(edited('visa-qvsdc-fdda', (_p, a) => (q(a).cvm = 'offline-pin')), 'applications[0].qvsdc.cvm', /one of/);
    refused(edited('visa-qvsdc-fdda', (p) => (p.interfaces = ['contact'])), 'interfaces', /contactless/);
  });

  test('a bad mchip part is refused naming the key', () => {
    refused(edited('mastercard-contactless-phone', (_p, a) => (a.aip = '1980')), 'applications[0].mchip.onDeviceCvm', /byte 1 bit 02/);
    refused(edited('mastercard-contactless-cda', (_p, a) => (a.aip = '1900')), 'applications[0].aip', /EMV mode/);
    refused(edited('mastercard-contactless-cda', (_p, a) => ((a.mchip as Record<string, unknown>).kernelId = '03')), 'applications[0].mchip.kernelId', /must be 02/);
    refused(edited('mastercard-contactless-cda', (_p, a) => (a.qvsdc = {})), 'applications[0].mchip', /not both/);
    refused(edited('mastercard-contactless-cda', (p) => (p.interfaces = ['contact'])), 'interfaces', /mchip.*contactless/);
  });

  test('the test keys: a 1408-bit CA (e=3, index F8) per RID, 1152-bit issuer and 1024-bit ICC keys, labelled TEST', () => {
    const json = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'sim-test-keys.json'), 'utf8')) as { comment: string };
    assert.match(json.comment, /TEST KEYS/);
    const ca = simCaKeys();
    assert.deepEqual(ca.map((k) => k.rid).sort(), ['A000000003', 'A000000004', 'A000000333']);
    for (const k of ca) {
      assert.equal(k.index, 'F8');
      assert.equal(k.exponent, '03');
      assert.equal(k.modulus.length, 2 * 176);
    }
    assert.equal(simIssuerKey('visa-sda-pse', 'A0000000031010').modulus.length, 144);
    const icc = simIccKey('mastercard-cda-enciphered-pin', 'A0000000041010');
    assert.equal(icc.modulus.length, 128);
    assert.equal(toHex(icc.exponent), '010001');
    assert.throws(() => simIccKey('visa-sda-pse', 'A0000000031010'), (e: unknown) => e instanceof EmvSimError && e.code === 'SIM_KEYS_MISSING');
  });

  test('issuer keys by PAN and PSN (the host simulator\'s lookup)', () => {
    const k = issuerKeysForPan('5413330089600010', '00');
    assert.equal(k?.application.aid, 'A0000000041010');
    assert.equal(k?.application.issuerMasterKey, getProfile('mastercard-dda-online-pin').applications[0].issuerMasterKey);
    assert.equal(issuerKeysForPan('5413330089600010', '09'), null);
  });
});
