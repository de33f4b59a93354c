// The virtual card's cryptography at the APDU level: the ATC, application cryptograms the issuer helper recomputes
// (cryptogram-layout.ts), EXTERNAL AUTHENTICATE and the second GENERATE AC, SDA/DDA/CDA data that the kernel's
// ODA functions (src/emv/oda) accept, and issuer script commands with their MACs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concatBytes, fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv, encodeTlv, findTlv, type TlvNode } from '../../src/apdu/tlv.js';
import { verifyCda, verifyDda } from '../../src/emv/oda/dynamic-signature.js';
import { recoverIccPublicKey } from '../../src/emv/oda/icc-key.js';
import { recoverIssuerPublicKey } from '../../src/emv/oda/issuer-key.js';
import { verifySda } from '../../src/emv/oda/sda.js';
import type { CaPublicKey } from '../../src/emv/oda/types.js';
import { issuerKeysFor } from '../../src/sim/emv/catalog.js';
import { decodeCvr, cvrOfIad } from '../../src/sim/emv/cryptogram-layout.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import { apdu, app, byteHex, cardUnderTest, dolData, generateAc, gpo, selectApp, TERMINAL_DATA, type CardUnderTest } from '../helpers/emv-card.js';

const VISA_AID = 'A0000000031010';



/** The GENERATE AC response's data objects by tag (format 1 split into 9F27/9F36/9F26/9F10 as well). */
function acResponse(responseHex: string): Map<number, Uint8Array> {
  const data = fromHex(responseHex.slice(0, -4));
  const top = decodeTlv(data)[0];
  const out = new Map<number, Uint8Array>();
  if (top.tag === 0x80) {
    out.set(0x9f27, top.value.slice(0, 1));
    out.set(0x9f36, top.value.slice(1, 3));
    out.set(0x9f26, top.value.slice(3, 11));
    out.set(0x9f10, top.value.slice(11));
  } else for (const n of top.children) out.set(n.tag, n.value);
  return out;
}

/** Field 55 as the kernel would send it: the response's objects, the AIP and the CDOL1 terminal data. */
function field55(response: Map<number, Uint8Array>, aip: string, values: Readonly<Record<string, string>> = {}): Uint8Array {
  const all: Record<string, string> = { ...TERMINAL_DATA, ...values };
  const terminal = Object.entries(all).map(([t, v]) => ({ tag: Number.parseInt(t, 16), value: fromHex(v) }));
  const card = [0x9f26, 0x9f27, 0x9f10, 0x9f36].filter((t) => response.has(t)).map((t) => ({ tag: t, value: response.get(t) ?? new Uint8Array(0) }));
  return encodeTlv([...card, { tag: 0x82, value: fromHex(aip) }, ...terminal]);
}

/** The children of the single template in a response (hex with SW). */
function templateOf(responseHex: string): readonly TlvNode[] {
  return decodeTlv(fromHex(responseHex.slice(0, -4)))[0].children;
}

/** Reads every record the AFL names; returns the data objects and the static data to authenticate (Book 3 §10.3). */
function readAll(t: CardUnderTest, aflHex: string): { tags: Map<number, Uint8Array>; staticData: Uint8Array } {
  const afl = fromHex(aflHex);
  const tags = new Map<number, Uint8Array>();
  const signed: Uint8Array[] = [];
  for (let i = 0; i < afl.length; i += 4) {
    const sfi = afl[i] >> 3;
    for (let r = afl[i + 1]; r <= afl[i + 2]; r++) {
      const res = t.x(`00B2${byteHex(r)}${byteHex((sfi << 3) | 4)}00`);
      assert.equal(res.slice(-4), '9000', `READ RECORD ${sfi}/${r}`);
      const tmpl = decodeTlv(fromHex(res.slice(0, -4)))[0];
      if (r - afl[i + 1] < afl[i + 3]) signed.push(tmpl.value);
      for (const n of tmpl.children) tags.set(n.tag, n.value);
    }
  }
  const withAip = tags.get(0x9f4a) ? concatBytes(...signed, fromHex(app(t).aip)) : concatBytes(...signed);
  return { tags, staticData: withAip };
}

/** The test CA public key for an AID's RID. */
function caFor(aid: string): CaPublicKey {
  const k = simCaKeys().find((c) => c.rid === aid.slice(0, 10));
  assert.ok(k, `no test CA for ${aid}`);
  return { rid: fromHex(k.rid), index: 0xf8, modulus: fromHex(k.modulus), exponent: fromHex(k.exponent) };
}

const TODAY = { year: 2026, month: 3 };

/** The AFL of a GPO response (format 1 or 2). */
function aflOf(gpoResponse: string): string {
  const top = decodeTlv(fromHex(gpoResponse.slice(0, -4)))[0];
  return top.tag === 0x80 ? toHex(top.value.subarray(2)) : toHex(findTlv(top.children, 0x94)?.value ?? new Uint8Array(0));
}


describe('virtual EMV card: ATC, cryptograms, issuer authentication', () => {
  test('the ATC increments once per transaction (at GPO) and survives resets; 9F13 follows online approvals', () => {
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    assert.equal(t.x('80CA9F3600'), '9F360200009000');
    gpo(t);
    assert.equal(t.x('80CA9F3600'), '9F360200019000');
    selectApp(t);
    gpo(t);
    t.card.reset();
    selectApp(t);
    assert.equal(t.x('80CA9F3600'), '9F360200029000');
    assert.equal(t.x('80CA9F1300'), '9F130200009000');
  });

  test('ARQC in format 1: CID, ATC, AC, IAD (DKI 01, CVN 01, CVR, offline count); the issuer recomputes it', () => {
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    assert.equal(gpo(t), '800A5C000801020210010200' + '9000');
    const res = generateAc(t, '80');
    assert.match(res, /^8012800001[0-9A-F]{16}0101A0[0-9A-F]{6}009000$/);
    const r = acResponse(res);
    const iad = r.get(0x9f10) ?? new Uint8Array(0);
    const cvr = decodeCvr(cvrOfIad(iad) ?? new Uint8Array(0));
    assert.ok(cvr);
    assert.equal(cvr.firstAc, 'ARQC');
    assert.equal(cvr.secondAc, 'not-requested');
    assert.equal(cvr.newCard, true);
    assert.equal(cvr.pinTries, 3);
    const keys = issuerKeysFor('visa-sda-pse');
    const direct = keys.keys.cryptogram(fromHex('0001'), fromHex(dolData(app(t).cdol1)), fromHex('5C00'), iad);
    assert.equal(toHex(direct), toHex(r.get(0x9f26) ?? new Uint8Array(0)));
    const check = keys.verifyArqc(field55(r, '5C00'));
    assert.ok(check.ok, JSON.stringify(check));
    const tampered = keys.verifyArqc(field55(r, '5C00', { '9F02': '000000009999' }));
    assert.equal(tampered.ok ? 'ok' : tampered.reason, 'CRYPTOGRAM_MISMATCH');
    assert.equal(issuerKeysFor('visa-expired').verifyArqc(field55(r, '5C00')).ok, false, 'another card`s keys');
  });

  test('card action analysis: never higher than asked; TC offline only below the limit; a declining card gives AAC', () => {
    const cid = (t: CardUnderTest, p1: string, values: Record<string, string> = {}): string => {
      selectApp(t);
      gpo(t);
      return toHex(acResponse(generateAc(t, p1, values)).get(0x9f27) ?? new Uint8Array(0));
    };
    const t = cardUnderTest('visa-sda-pse');
    assert.equal(cid(t, '00'), '00', 'AAC asked, AAC given');
    assert.equal(cid(t, '40'), '40', '12.34 is below the 50.00 offline limit');
    assert.equal(cid(t, '40', { '9F02': '000000005000' }), '80', '50.00 is not below it: online');
    assert.equal(cid(t, '40', { '5F2A': '0840' }), '80', 'a foreign currency goes online');
    assert.equal(cid(t, '80'), '80');
    const d = cardUnderTest('visa-decline-offline');
    assert.equal(cid(d, '80'), '00');
    assert.equal(cid(d, '40'), '00');
  });

  test('EXTERNAL AUTHENTICATE: the right ARPC 9000 then TC; once only; a wrong one 6300 then AAC', () => {
    const keys = issuerKeysFor('visa-sda-pse');
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    gpo(t);
    const r = acResponse(generateAc(t, '80'));
    const [atc, arqc] = [r.get(0x9f36) ?? new Uint8Array(2), r.get(0x9f26) ?? new Uint8Array(8)];
    const data91 = toHex(keys.issuerAuthenticationData(atc, arqc, '00'));
    assert.equal(t.x(apdu('00820000', data91, '')), '9000');
    assert.equal(t.x(apdu('00820000', data91, '')), '6985');
    assert.equal(generateAc(t, '80', {}, true), '6A86', 'the second GENERATE AC cannot ask for an ARQC');
    const second = acResponse(generateAc(t, '40', {}, true));
    assert.equal(toHex(second.get(0x9f27) ?? new Uint8Array(0)), '40');
    const cvr = decodeCvr(cvrOfIad(second.get(0x9f10) ?? new Uint8Array(0)) ?? new Uint8Array(0));
    assert.equal(cvr?.secondAc, 'TC');
    assert.equal(cvr?.issuerAuthPerformed, true);
    assert.equal(t.x('80CA9F1300'), '9F130200019000', 'last online ATC');
    assert.equal(generateAc(t, '40', {}, true), '6985', 'no third GENERATE AC');

    selectApp(t);
    gpo(t);
    const r2 = acResponse(generateAc(t, '80'));
    const bad = keys.issuerAuthenticationData(r2.get(0x9f36) ?? new Uint8Array(2), r2.get(0x9f26) ?? new Uint8Array(8), '00');
    bad[3] ^= 0x40;
    assert.equal(t.x(apdu('00820000', toHex(bad), '')), '6300');
    assert.equal(toHex(acResponse(generateAc(t, '40', {}, true)).get(0x9f27) ?? new Uint8Array(0)), '00');
    assert.equal(t.card.application().lastOnlineNotCompleted, true);
  });

  test('91 in CDOL2: issuer authentication inside the second GENERATE AC; host decline and Y3 decisions', () => {
    const keys = issuerKeysFor('mastercard-dda-online-pin');
    const second = (arc: string, with91: boolean, values: Record<string, string> = {}): string => {
      const t = cardUnderTest('mastercard-dda-online-pin');
      selectApp(t);
      gpo(t);
      const r = acResponse(generateAc(t, '80', values));
      const d91 = with91 ? toHex(keys.issuerAuthenticationData(r.get(0x9f36) ?? new Uint8Array(2), r.get(0x9f26) ?? new Uint8Array(8), arc)) : '00'.repeat(10);
      const res = generateAc(t, '40', { '91': d91, '8A': toHex(new TextEncoder().encode(arc)), ...values }, true);
      return toHex(acResponse(res).get(0x9f27) ?? new Uint8Array(0));
    };
    assert.equal(second('00', true), '40', 'approved and authenticated');
    assert.equal(second('00', false), '00', 'approved but no ARPC: the card declines');
    assert.equal(second('05', true), '00', 'the host declined');
    assert.equal(second('Y3', false), '40', 'unable to go online, 12.34 below the 30.00 offline limit');
    assert.equal(second('Y3', false, { '9F02': '000000004000' }), '00', 'unable to go online, above the limit');
  });
});

describe('virtual EMV card: offline data authentication with the kernel\'s ODA functions', () => {
  test('SDA: issuer certificate (with remainder 92) and signed static data 93 over the AFL records and the AIP', () => {
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    const { tags, staticData } = readAll(t, aflOf(gpo(t)));
    assert.equal(tags.get(0x92)?.length, 4, '1152-bit issuer key under a 1408-bit CA: 4 bytes of remainder');
    const issuer = recoverIssuerPublicKey(caFor(VISA_AID), tags.get(0x90) ?? new Uint8Array(0), tags.get(0x92) ?? new Uint8Array(0), tags.get(0x9f32) ?? new Uint8Array(0), app(t).pan, TODAY);
    assert.ok(issuer.ok, issuer.ok ? '' : issuer.reason);
    const sda = verifySda(issuer.key, tags.get(0x93) ?? new Uint8Array(0), staticData);
    assert.ok(sda.ok, sda.ok ? '' : sda.reason);
    const tampered = verifySda(issuer.key, tags.get(0x93) ?? new Uint8Array(0), concatBytes(staticData, Uint8Array.of(0)));
    assert.equal(tampered.ok, false);
  });

  test('DDA: ICC certificate over the static data, INTERNAL AUTHENTICATE signature over the DDOL data', () => {
    const t = cardUnderTest('mastercard-dda-online-pin');
    selectApp(t);
    const { tags, staticData } = readAll(t, aflOf(gpo(t)));
    const issuer = recoverIssuerPublicKey(caFor(app(t).aid), tags.get(0x90) ?? new Uint8Array(0), tags.get(0x92) ?? new Uint8Array(0), tags.get(0x9f32) ?? new Uint8Array(0), app(t).pan, TODAY);
    assert.ok(issuer.ok);
    const icc = recoverIccPublicKey(issuer.key, tags.get(0x9f46) ?? new Uint8Array(0), tags.get(0x9f48) ?? new Uint8Array(0), tags.get(0x9f47) ?? new Uint8Array(0), staticData, app(t).pan, TODAY);
    assert.ok(icc.ok, icc.ok ? '' : icc.reason);
    assert.equal(toHex(icc.key.exponent), '03');
    const res = t.x('00880000041122334400');
    const sdad = findTlv(templateOf(res), 0x9f4b)?.value ?? new Uint8Array(0);
    const dda = verifyDda(icc.key, sdad, fromHex('11223344'));
    assert.ok(dda.ok, dda.ok ? '' : dda.reason);
    assert.equal(toHex(dda.idn), 'A5A5A5A5A5A5A5A5');
  });

  test('CDA: 9F4B instead of 9F26 when asked (P1 bit 5), over PDOL data, CDOL data and the response; the AC inside is the issuer\'s', () => {
    const t = cardUnderTest('visa-contactless');
    selectApp(t);
    const { tags, staticData } = readAll(t, aflOf(gpo(t)));
    const pdolData = fromHex(dolData(app(t).pdol));
    const issuer = recoverIssuerPublicKey(caFor(VISA_AID), tags.get(0x90) ?? new Uint8Array(0), tags.get(0x92) ?? new Uint8Array(0), tags.get(0x9f32) ?? new Uint8Array(0), app(t).pan, TODAY);
    assert.ok(issuer.ok);
    const icc = recoverIccPublicKey(issuer.key, tags.get(0x9f46) ?? new Uint8Array(0), tags.get(0x9f48) ?? new Uint8Array(0), tags.get(0x9f47) ?? new Uint8Array(0), staticData, app(t).pan, TODAY);
    assert.ok(icc.ok);
    const res = generateAc(t, '90');
    const nodes = templateOf(res);
    assert.deepEqual(nodes.map((n) => n.tag.toString(16).toUpperCase()), ['9F27', '9F36', '9F4B', '9F10']);
    const others = encodeTlv(nodes.filter((n) => n.tag !== 0x9f4b).map((n: TlvNode) => ({ tag: n.tag, value: n.value })));
    const cdol1Data = fromHex(dolData(app(t).cdol1));
    const v = verifyCda(icc.key, findTlv(nodes, 0x9f4b)?.value ?? new Uint8Array(0), {
      unpredictableNumber: fromHex('11223344'),
      pdolData,
      cdolData: cdol1Data,
      genAcResponseTlvsWithout9F4B: others,
      cid: 0x80,
    });
    assert.ok(v.ok, v.ok ? '' : v.reason);
    const iad = findTlv(nodes, 0x9f10)?.value ?? new Uint8Array(0);
    assert.equal(toHex(v.ac), toHex(issuerKeysFor('visa-contactless').keys.cryptogram(fromHex('0001'), cdol1Data, fromHex(app(t).aip), iad)));
    assert.equal(decodeCvr(cvrOfIad(iad) ?? new Uint8Array(0))?.cdaSigned, true);
  });
});

describe('virtual EMV card: issuer scripts (CLA 84, MAC in the last 8 bytes)', () => {
  /** A card after an ARQC, with the ATC and ARQC the script MACs need. */
  function online(name: string): { t: CardUnderTest; atc: Uint8Array; arqc: Uint8Array } {
    const t = cardUnderTest(name);
    selectApp(t);
    gpo(t);
    const r = acResponse(generateAc(t, '80'));
    return { t, atc: r.get(0x9f36) ?? new Uint8Array(2), arqc: r.get(0x9f26) ?? new Uint8Array(8) };
  }

  test('PUT DATA changes the offline limits; a bad MAC is 6988; every command is logged', () => {
    const { t, atc, arqc } = online('mastercard-dda-online-pin');
    const keys = issuerKeysFor('mastercard-dda-online-pin');
    const put = keys.scriptCommand({ ins: 'DA', p1: '9F', p2: '14', data: '02' }, atc, arqc);
    assert.equal(t.x(toHex(put)), '9000');
    assert.equal(t.x('80CA9F1400'), '9F1401029000');
    const bad = Uint8Array.from(put);
    bad[bad.length - 1] ^= 1;
    assert.equal(t.x(toHex(bad)), '6988');
    assert.equal(t.x(toHex(keys.scriptCommand({ ins: 'DA', p1: '9F', p2: '4F', data: '02' }, atc, arqc))), '6A88', 'not a tag PUT DATA may change');
    assert.deepEqual(
      t.card.scriptLog.map((s) => [s.header, s.data, s.macValid, s.sw]),
      [
        ['84DA9F14', '02', true, '9000'],
        ['84DA9F14', '02', false, '6988'],
        ['84DA9F4F', '02', true, '6A88'],
      ],
    );
  });

  test('APPLICATION BLOCK: the second GENERATE AC gives an AAC, then SELECT answers 6283 and GPO 6985', () => {
    const { t, atc, arqc } = online('visa-sda-pse');
    const keys = issuerKeysFor('visa-sda-pse');
    assert.equal(t.x(toHex(keys.scriptCommand({ ins: '1E', p1: '00', p2: '00', data: '' }, atc, arqc))), '9000');
    assert.equal(t.x(apdu('00820000', toHex(keys.issuerAuthenticationData(atc, arqc, '00')), '')), '9000');
    const second = acResponse(generateAc(t, '40', {}, true));
    assert.equal(toHex(second.get(0x9f27) ?? new Uint8Array(0)), '00');
    assert.equal(decodeCvr(cvrOfIad(second.get(0x9f10) ?? new Uint8Array(0)) ?? new Uint8Array(0))?.applicationBlocked, true);
    assert.equal(selectApp(t).slice(-4), '6283');
    assert.equal(gpo(t), '6985');
  });

  test('CARD BLOCK: every SELECT answers 6A81; PIN UNBLOCK resets the try counter', () => {
    const { t, atc, arqc } = online('mastercard-pin-blocked');
    const keys = issuerKeysFor('mastercard-pin-blocked');
    assert.equal(t.x(toHex(keys.scriptCommand({ ins: '24', p1: '00', p2: '00', data: '' }, atc, arqc))), '9000');
    assert.equal(t.card.application().pinTries, 3);
    assert.equal(t.x(toHex(keys.scriptCommand({ ins: '16', p1: '00', p2: '00', data: '' }, atc, arqc))), '9000');
    assert.equal(selectApp(t), '6A81');
    assert.equal(t.x('00A404000E315041592E5359532E444446303100'), '6A81');
  });
});
