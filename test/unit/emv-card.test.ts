// The virtual EMV card at the APDU level (EMV 4.4 Books 1–3), hex in, hex out: selection (PSE, PPSE, partial AIDs),
// the rules a real card enforces (order 6985, class 6E00, instruction 6D00, lengths 6700) and offline PIN with its
// try counter. Cryptograms, ODA data and issuer scripts: emv-card-crypto.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concatBytes, fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv, findTlv } from '../../src/apdu/tlv.js';
import { bigIntToBytes, bytesToBigInt } from '../../src/crypto/bytes.js';
import { modPow } from '../../src/crypto/rsa.js';
import { simIccKey } from '../../src/sim/emv/sim-keys.js';
import { plaintextPinBlock } from '../../src/sim/pinpad/sim-pin-entry.js';
import { apdu, app, cardUnderTest, dolData, generateAc, gpo, selectApp, type CardUnderTest } from '../helpers/emv-card.js';

const PSE_FCI = '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000';

const VISA_AID = 'A0000000031010';
const VISA_FCI = '6F248407A0000000031010A519500B56495341204352454449548701015F2D02656E9F1101019000';



describe('virtual EMV card: selection', () => {
  test('PSE: FCI with SFI 1, directory record 70/61 with 4F, 50, 87; no second record', () => {
    const t = cardUnderTest('visa-sda-pse');
    assert.equal(t.x('00A404000E315041592E5359532E444446303100'), PSE_FCI);
    assert.equal(t.x('00B2010C00'), '701B61194F07A0000000031010500B56495341204352454449548701019000');
    assert.equal(t.x('00B2020C00'), '6A83');
    assert.equal(t.x('00B2011400'), '6A82', 'the PSE has no SFI 2');
  });

  test('SELECT by AID, exact and partial (P2=00), next occurrence (P2=02) ends with 6A82', () => {
    const t = cardUnderTest('visa-sda-pse');
    assert.equal(t.x(apdu('00A40400', VISA_AID)), VISA_FCI);
    assert.equal(t.x(apdu('00A40400', 'A000000003')), VISA_FCI);
    assert.equal(t.x(apdu('00A40402', 'A000000003')), '6A82');
    assert.equal(t.x(apdu('00A40400', 'A0000000041010')), '6A82');
    assert.equal(t.x(apdu('00A40000', VISA_AID)), '6A86', 'only selection by DF name (P1=04)');
  });

  test('two applications under one prefix: first occurrence, next occurrence, then 6A82; a new P2=00 starts over', () => {
    const t = cardUnderTest('visa-two-apps');
    const dfName = (r: string): string => toHex(findTlv(decodeTlv(fromHex(r.slice(0, -4))), 0x84)?.value ?? new Uint8Array(0));
    assert.equal(dfName(t.x(apdu('00A40400', VISA_AID))), 'A000000003101001');
    assert.equal(dfName(t.x(apdu('00A40402', VISA_AID))), 'A000000003101002');
    assert.equal(t.x(apdu('00A40402', VISA_AID)), '6A82');
    assert.equal(dfName(t.x(apdu('00A40400', VISA_AID))), 'A000000003101001');
    assert.equal(dfName(t.x(apdu('00A40400', 'A000000003101002'))), 'A000000003101002', 'the full AID');
  });

  test('a card without PSE answers 6A82 to 1PAY and 2PAY', () => {
    const t = cardUnderTest('mastercard-dda-online-pin');
    assert.equal(t.x('00A404000E315041592E5359532E444446303100'), '6A82');
    assert.equal(t.x('00A404000E325041592E5359532E444446303100'), '6A82');
  });

  test('contactless only: no PSE; the PPSE FCI lists the application in BF0C/61; the FCI carries the PDOL', () => {
    const t = cardUnderTest('visa-contactless');
    assert.equal(t.x('00A404000E315041592E5359532E444446303100'), '6A82');
    const ppse = t.x('00A404000E325041592E5359532E444446303100');
    assert.equal(ppse.slice(-4), '9000');
    const entry = findTlv(findTlv(decodeTlv(fromHex(ppse.slice(0, -4))), 0xbf0c)?.children ?? [], 0x61);
    assert.equal(toHex(findTlv(entry?.children ?? [], 0x4f)?.value ?? new Uint8Array(0)), VISA_AID);
    const fci = decodeTlv(fromHex(selectApp(t).slice(0, -4)));
    assert.equal(toHex(findTlv(fci, 0x9f38)?.value ?? new Uint8Array(0)), '9F66049F02069F37045F2A02');
  });

  test('a blocked application: FCI with 6283, then GPO 6985', () => {
    const t = cardUnderTest('visa-blocked');
    const r = selectApp(t);
    assert.equal(r.slice(-4), '6283');
    assert.equal(r.slice(0, -4), VISA_FCI.slice(0, -4));
    assert.equal(gpo(t), '6985');
  });
});

describe('virtual EMV card: the rules a card enforces', () => {
  test('commands out of order: 6985', () => {
    const t = cardUnderTest('visa-sda-pse');
    assert.equal(t.x('00B2010C00'), '6985', 'READ RECORD before SELECT');
    assert.equal(gpo(t), '6985', 'GPO before SELECT');
    assert.equal(t.x('80CA9F3600'), '6985', 'GET DATA before SELECT');
    assert.equal(t.x(apdu('00200080', toHex(plaintextPinBlock('1234')), '')), '6985', 'VERIFY before SELECT');
    selectApp(t);
    assert.equal(generateAc(t, '80'), '6985', 'GENERATE AC before GPO');
    assert.equal(t.x('008200000A00000000000000003030'), '6985', 'EXTERNAL AUTHENTICATE before GPO');
    assert.equal(gpo(t).slice(-4), '9000');
    assert.equal(gpo(t), '6985', 'a second GPO');
    assert.equal(t.x('008200000A00000000000000003030'), '6985', 'EXTERNAL AUTHENTICATE before an ARQC');
    assert.equal(generateAc(t, '00').slice(-4), '9000', 'first GENERATE AC (AAC)');
    assert.equal(generateAc(t, '40', {}, true), '6985', 'no second GENERATE AC after an AAC');
    assert.equal(generateAc(t, '00'), '6985', 'nor another first one');
  });

  test('INTERNAL AUTHENTICATE: after the application SELECT and before GENERATE AC; 6D00 on an SDA card', () => {
    const dda = cardUnderTest('mastercard-dda-online-pin');
    assert.equal(dda.x('00880000041122334400'), '6985');
    selectApp(dda);
    assert.equal(dda.x('00880000041122334400').slice(-4), '9000');
    gpo(dda);
    generateAc(dda, '80');
    assert.equal(dda.x('00880000041122334400'), '6985');
    const sda = cardUnderTest('visa-sda-pse');
    selectApp(sda);
    assert.equal(sda.x('00880000041122334400'), '6D00');
  });

  test('unknown instruction 6D00, wrong class 6E00, malformed Lc and wrong data lengths 6700', () => {
    const t = cardUnderTest('visa-contactless');
    assert.equal(t.x('00B0000000'), '6D00', 'READ BINARY is not an EMV command');
    assert.equal(t.x(apdu('80A40400', VISA_AID)), '6E00', 'SELECT with CLA 80');
    assert.equal(t.x('00A8000002830000'), '6E00', 'GPO with CLA 00');
    assert.equal(t.x('FFCA000000'), '6E00', 'a reader pseudo-APDU');
    assert.equal(t.x('841E000000'), '6985', 'a script command outside a transaction');
    assert.equal(t.x('00A404000E3150'), '6700', 'Lc says 14 bytes, 1 follows');
    selectApp(t);
    assert.equal(t.x('80A8000002830000'), '6700', 'PDOL data missing');
    assert.equal(t.x('80A80000038301AA'), '6700', 'one byte of PDOL data instead of 16');
    assert.equal(gpo(t).slice(-4), '9000');
    assert.equal(t.x(apdu('80AE8000', dolData(app(t).cdol1).slice(2))), '6700', 'CDOL1 data one byte short');
    assert.equal(t.x(apdu('80AEC000', dolData(app(t).cdol1))), '6A86', 'P1 with the reserved cryptogram type');
  });

  test('contactless GPO refuses a reader without EMV mode in its TTQ (6985)', () => {
    const t = cardUnderTest('visa-contactless');
    selectApp(t);
    assert.equal(gpo(t, { '9F66': '16004000' }), '6985');
    selectApp(t);
    assert.equal(gpo(t).slice(-4), '9000');
  });

  test('reset forgets the session (selection, transaction) but not the ATC', () => {
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    gpo(t);
    t.card.reset();
    assert.equal(t.x('00B2010C00'), '6985');
    selectApp(t);
    assert.equal(t.x('80CA9F3600'), '9F360200019000');
  });
});

describe('virtual EMV card: offline PIN', () => {
  const verifyPlain = (t: CardUnderTest, pin: string): string => t.x(apdu('00200080', toHex(plaintextPinBlock(pin)), ''));

  test('plaintext VERIFY counts tries (63Cx), resets them on success, blocks at zero (6983)', () => {
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    assert.equal(t.x('80CA9F1700'), '9F1701039000');
    assert.equal(verifyPlain(t, '0000'), '63C2');
    assert.equal(verifyPlain(t, '9999'), '63C1');
    assert.equal(t.x('0020008000'), '63C1', 'VERIFY without data tells the tries left');
    assert.equal(verifyPlain(t, '1234'), '9000');
    assert.equal(t.x('80CA9F1700'), '9F1701039000');
    for (const sw of ['63C2', '63C1', '63C0']) assert.equal(verifyPlain(t, '4321'), sw);
    assert.equal(verifyPlain(t, '1234'), '6983', 'blocked even for the right PIN');
    assert.equal(t.x('80CA9F1700'), '9F1701009000');
    assert.equal(t.card.application().pinTries, 0);
  });

  test('a malformed PIN block is 6A80 and costs no try; a wrong length 6700', () => {
    const t = cardUnderTest('visa-sda-pse');
    selectApp(t);
    assert.equal(t.x(apdu('00200080', '24123FFFFFFFFFFF', '')), '6A80', 'length nibble 4 but 3 digits');
    assert.equal(t.x(apdu('00200080', '2412', '')), '6700');
    assert.equal(t.x('80CA9F1700'), '9F1701039000');
  });

  test('the exhausted card answers 9F17 = 0 and 6983', () => {
    const t = cardUnderTest('mastercard-pin-blocked');
    selectApp(t);
    assert.equal(t.x('80CA9F1700'), '9F1701009000');
    assert.equal(verifyPlain(t, '1111'), '6983');
  });

  test('enciphered VERIFY (P2=88): needs GET CHALLENGE, deciphers with the ICC key, checks 7F and the challenge', () => {
    const t = cardUnderTest('mastercard-cda-enciphered-pin');
    selectApp(t);
    // The ICC public key as the terminal recovers it from 9F46 (emv-card-crypto.test.ts checks that path).
    const key = simIccKey(t.profile.name, app(t).aid);
    const encipher = (pin: string, challenge: Uint8Array): string => {
      const n = key.modulus.length;
      const block = concatBytes(Uint8Array.of(0x7f), plaintextPinBlock(pin), challenge, new Uint8Array(n - 17).fill(0x33));
      return toHex(bigIntToBytes(modPow(bytesToBigInt(block), bytesToBigInt(key.exponent), bytesToBigInt(key.modulus)), n));
    };
    const challenge = fromHex('A5A5A5A5A5A5A5A5');
    assert.equal(t.x(apdu('00200088', encipher('2468', challenge), '')), '6985', 'no challenge yet');
    assert.equal(t.x('0084000004'), '6700', 'the challenge is 8 bytes');
    assert.equal(t.x('0084000000'), 'A5A5A5A5A5A5A5A59000');
    assert.equal(t.x(apdu('00200088', encipher('2468', challenge), '')), '9000');
    assert.equal(t.x(apdu('00200088', encipher('2468', challenge), '')), '6985', 'a challenge serves once');
    t.x('0084000000');
    assert.equal(t.x(apdu('00200088', encipher('2468', fromHex('0000000000000000')), '')), '63C2', 'another challenge: a failed presentation');
    t.x('0084000000');
    assert.equal(t.x(apdu('00200088', '00112233', '')), '6700');
  });
});

