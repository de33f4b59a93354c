// Offline data authentication (EMV 4.4 Book 2 §5 SDA, §6 DDA/CDA): the shared vectors in
// shared/testdata/emv-oda (parsed at test time), round trips with fresh keys, and one-bit negatives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatBytes, fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv } from '../../src/apdu/tlv.js';
import { generateRsaKeyPair, rsaSign, sha1, type RsaPrivateKey, type RsaPublicKey } from '../../src/crypto/rsa.js';
import { EmvCryptoError } from '../../src/crypto/errors.js';
import { caKeyChecksum, verifyCaKeyChecksum } from '../../src/emv/oda/ca-key.js';
import { issuerIdentifierMatches, recoverIssuerPublicKey } from '../../src/emv/oda/issuer-key.js';
import { certificatePanMatches, recoverIccPublicKey } from '../../src/emv/oda/icc-key.js';
import { verifySda } from '../../src/emv/oda/sda.js';
import { cdaTransactionDataHash, verifyCda, verifyDda, type CdaInputs } from '../../src/emv/oda/dynamic-signature.js';
import {
  cdaDynamicData,
  ddaDynamicData,
  makeIccCertificate,
  makeIssuerCertificate,
  signCdaDynamicData,
  signDynamicData,
  signStaticData,
} from '../../src/emv/oda/create.js';
import { ODA_FAILURE_REASONS, type CaPublicKey, type CalendarMonth, type OdaFailureReason } from '../../src/emv/oda/types.js';

// ---- shared vectors ----------------------------------------------------------------------------

const primary = join(process.cwd(), '..', 'shared', 'testdata', 'emv-oda');
const VECTOR_DIR = existsSync(primary) ? primary : '/work/shared/testdata/emv-oda';

interface Vector {
  readonly name: string;
  readonly inputs: ReadonlyMap<string, string>;
  readonly expected: ReadonlyMap<string, string>;
}

/** Parses `key: value` lines under `## INPUTS` and `## EXPECTED`; `#` lines are comments. */
function loadVector(name: string): Vector {
  const inputs = new Map<string, string>();
  const expected = new Map<string, string>();
  let section: Map<string, string> | undefined;
  for (const raw of readFileSync(join(VECTOR_DIR, name), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('## INPUTS')) section = inputs;
    else if (line.startsWith('## EXPECTED')) section = expected;
    else if (line === '' || line.startsWith('#')) continue;
    else {
      const m = /^([A-Za-z0-9_]+):(.*)$/.exec(line);
      assert.ok(m && section, `${name}: cannot parse line '${line}'`);
      section.set(m[1], m[2].trim());
    }
  }
  return { name, inputs, expected };
}

function value(map: ReadonlyMap<string, string>, key: string): string {
  const v = map.get(key);
  assert.ok(v !== undefined, `vector lacks '${key}'`);
  return v;
}
const bin = (map: ReadonlyMap<string, string>, key: string): Uint8Array => fromHex(value(map, key));
const hex = (b: Uint8Array): string => toHex(b);
const mmyy = (m: CalendarMonth | undefined): string =>
  m === undefined ? 'none' : String(m.month).padStart(2, '0') + String(m.year % 100).padStart(2, '0');

function caOf(v: Vector): CaPublicKey {
  return {
    rid: bin(v.inputs, 'ca_rid'),
    index: bin(v.inputs, 'ca_index')[0],
    modulus: bin(v.inputs, 'ca_modulus'),
    exponent: bin(v.inputs, 'ca_exponent'),
    checksum: v.inputs.has('ca_checksum_sha1') ? bin(v.inputs, 'ca_checksum_sha1') : undefined,
  };
}

function issuerOf(v: Vector, today: CalendarMonth) {
  return recoverIssuerPublicKey(
    caOf(v),
    bin(v.inputs, 'tag90_issuer_pk_certificate'),
    bin(v.inputs, 'tag92_issuer_pk_remainder'),
    bin(v.inputs, 'tag9F32_issuer_pk_exponent'),
    bin(v.inputs, 'tag5A_pan'),
    today,
  );
}

function flip(bytes: Uint8Array, index = bytes.length - 1, bit = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] ^= 1 << bit;
  return out;
}

const LATE: CalendarMonth = { year: 2026, month: 11 };
const reasonOf = (r: { ok: boolean; reason?: OdaFailureReason }): string => (r.ok ? 'ok' : (r.reason ?? '?'));

const FILES = ['sda_emvtools_visa_ca01.txt', 'sda_javaemvreader_mockca07.txt', 'dda_emvtools_mastercard_ca05.txt', 'cda_emvtools_mastercard_ca05.txt'];

describe('shared vectors: shared/testdata/emv-oda', () => {
  test('the four vector files are present and parse', () => {
    const present = readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.txt')).sort();
    assert.deepEqual(present, [...FILES].sort());
    for (const f of FILES) assert.ok(loadVector(f).expected.size > 0);
  });

  for (const file of FILES) {
    const v = loadVector(file);
    test(`${file}: CA key checksum and issuer key recovery match EXPECTED`, () => {
      const ca = caOf(v);
      assert.equal(hex(caKeyChecksum(ca)), value(v.inputs, 'ca_checksum_sha1').toUpperCase());
      assert.ok(verifyCaKeyChecksum(ca));
      const r = issuerOf(v, LATE);
      const key = r.ok ? r : r.recovered;
      assert.ok(key, `no key recovered: ${r.ok ? '' : r.reason}`);
      assert.equal(hex(key.recoveredBlock), value(v.expected, 'issuer_cert_recovered_block').toUpperCase());
      assert.equal(hex(key.key.modulus), value(v.expected, 'issuer_pk_modulus').toUpperCase());
      assert.equal(key.key.modulus.length, Number.parseInt(value(v.expected, 'issuer_pk_length'), 16));
      assert.equal(hex(key.key.exponent), value(v.inputs, 'tag9F32_issuer_pk_exponent').toUpperCase());
      assert.equal(hex(key.issuerIdentifier), value(v.expected, 'issuer_identifier').toUpperCase());
      assert.equal(mmyy(key.expiry), value(v.expected, 'issuer_cert_expiry_MMYY'));
      assert.equal(hex(key.serial), value(v.expected, 'issuer_cert_serial').toUpperCase());
      assert.equal(key.hashAlgorithm, Number.parseInt(value(v.expected, 'issuer_hash_algo'), 16));
      assert.equal(key.pkAlgorithm, Number.parseInt(value(v.expected, 'issuer_pk_algo'), 16));
      // Every shared card's issuer certificate is long expired by 2026-11.
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.certificateExpired, true);
    });
  }

  test('sda_emvtools_visa_ca01: ok before expiry (2009-12), expired after; SDA gives DAC 3132', () => {
    const v = loadVector('sda_emvtools_visa_ca01.txt');
    const before = issuerOf(v, { year: 2009, month: 12 });
    assert.ok(before.ok, before.ok ? '' : before.reason);
    const after = issuerOf(v, { year: 2010, month: 1 });
    assert.ok(!after.ok);
    assert.equal(after.reason, 'CERTIFICATE_EXPIRED');
    assert.equal(after.certificateExpired, true);
    assert.equal(after.identifierMismatch, false);
    const sda = verifySda(before.key, bin(v.inputs, 'tag93_signed_static_application_data'), bin(v.inputs, 'static_data_to_authenticate'));
    assert.ok(sda.ok, sda.ok ? '' : sda.reason);
    assert.equal(hex(sda.dac), value(v.expected, 'tag9F45_data_authentication_code').toUpperCase());
    assert.equal(hex(sda.recoveredBlock), value(v.expected, 'ssad_recovered_block').toUpperCase());
    // The PAN inside the static data (4276550013234599) also matches issuer identifier 427655.
    assert.ok(issuerIdentifierMatches(before.issuerIdentifier, '4276550013234599'));
  });

  test('sda_javaemvreader_mockca07: crypto passes, expired issuer cert AND identifier mismatch are both reported', () => {
    const v = loadVector('sda_javaemvreader_mockca07.txt');
    const r = issuerOf(v, LATE);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.reason, 'ISSUER_IDENTIFIER_MISMATCH');
    assert.equal(r.certificateExpired, true);
    assert.equal(r.identifierMismatch, true);
    assert.ok(r.recovered);
    const sda = verifySda(r.recovered.key, bin(v.inputs, 'tag93_signed_static_application_data'), bin(v.inputs, 'static_data_to_authenticate'));
    assert.ok(sda.ok, sda.ok ? '' : sda.reason);
    assert.equal(hex(sda.dac), value(v.expected, 'tag9F45_data_authentication_code').toUpperCase());
    assert.equal(hex(sda.recoveredBlock), value(v.expected, 'ssad_recovered_block').toUpperCase());
    // Before expiry (2014-12) only the identifier mismatch remains.
    const early = issuerOf(v, { year: 2014, month: 12 });
    assert.ok(!early.ok);
    assert.equal(early.certificateExpired, false);
    assert.equal(early.identifierMismatch, true);
  });

  test('sda_javaemvreader_mockca07: static data = SFI 1 record 2 value (SFI < 11: 70 template stripped) || AIP', () => {
    const v = loadVector('sda_javaemvreader_mockca07.txt');
    const [record2] = decodeTlv(bin(v.inputs, 'sfi1_record2'));
    const gpo = bin(v.inputs, 'gpo_response'); // format 1: 80 len AIP(2) AFL
    assert.equal(gpo[0], 0x80);
    assert.equal(hex(concatBytes(record2.value, gpo.subarray(2, 4))), value(v.inputs, 'static_data_to_authenticate').toUpperCase());
    // The PAN in the record is the 5A the vector uses.
    assert.equal(hex(record2.children.find((n) => n.tag === 0x5a)?.value ?? new Uint8Array(0)), value(v.inputs, 'tag5A_pan').toUpperCase());
  });

  for (const file of ['dda_emvtools_mastercard_ca05.txt', 'cda_emvtools_mastercard_ca05.txt']) {
    test(`${file}: ICC key recovery matches EXPECTED; ok on 2014-09, both certificates expired on 2026-11`, () => {
      const v = loadVector(file);
      const today = { year: 2014, month: 9 };
      const issuer = issuerOf(v, today);
      assert.ok(issuer.ok, issuer.ok ? '' : issuer.reason);
      const args = [
        bin(v.inputs, 'tag9F46_icc_pk_certificate'),
        bin(v.inputs, 'tag9F48_icc_pk_remainder'),
        bin(v.inputs, 'tag9F47_icc_pk_exponent'),
        bin(v.inputs, 'static_data_to_authenticate'),
        bin(v.inputs, 'tag5A_pan'),
      ] as const;
      const icc = recoverIccPublicKey(issuer.key, ...args, today);
      assert.ok(icc.ok, icc.ok ? '' : icc.reason);
      assert.equal(hex(icc.recoveredBlock), value(v.expected, 'icc_cert_recovered_block').toUpperCase());
      assert.equal(hex(icc.key.modulus), value(v.expected, 'icc_pk_modulus').toUpperCase());
      assert.equal(icc.key.modulus.length, Number.parseInt(value(v.expected, 'icc_pk_length'), 16));
      assert.equal(hex(icc.pan), value(v.expected, 'icc_cert_pan').toUpperCase());
      assert.equal(mmyy(icc.expiry), value(v.expected, 'icc_cert_expiry_MMYY'));
      assert.equal(hex(icc.serial), value(v.expected, 'icc_cert_serial').toUpperCase());
      assert.equal(icc.hashAlgorithm, 1);
      assert.equal(icc.pkAlgorithm, 1);
      const late = recoverIccPublicKey(issuer.key, ...args, LATE);
      assert.ok(!late.ok);
      assert.equal(late.reason, 'CERTIFICATE_EXPIRED');
      assert.equal(late.certificateExpired, true);
      assert.equal(late.panMismatch, false);
      assert.equal(hex(late.recovered?.key.modulus ?? new Uint8Array(0)), hex(icc.key.modulus));
      // Last valid month of the ICC certificate (06/15) is accepted, the next refused.
      assert.ok(recoverIccPublicKey(issuer.key, ...args, { year: 2015, month: 6 }).ok);
      assert.ok(!recoverIccPublicKey(issuer.key, ...args, { year: 2015, month: 7 }).ok);
    });
  }

  function iccKeyOf(v: Vector): RsaPublicKey {
    const today = { year: 2014, month: 9 };
    const issuer = issuerOf(v, today);
    assert.ok(issuer.ok);
    const icc = recoverIccPublicKey(
      issuer.key,
      bin(v.inputs, 'tag9F46_icc_pk_certificate'),
      bin(v.inputs, 'tag9F48_icc_pk_remainder'),
      bin(v.inputs, 'tag9F47_icc_pk_exponent'),
      bin(v.inputs, 'static_data_to_authenticate'),
      bin(v.inputs, 'tag5A_pan'),
      today,
    );
    assert.ok(icc.ok);
    return icc.key;
  }

  test('dda_emvtools_mastercard_ca05: DDA gives IDN 7a33fb8c9546e1e7', () => {
    const v = loadVector('dda_emvtools_mastercard_ca05.txt');
    const r = verifyDda(iccKeyOf(v), bin(v.inputs, 'tag9F4B_signed_dynamic_application_data'), bin(v.inputs, 'ddol_data'));
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(hex(r.idn), value(v.expected, 'tag9F4C_icc_dynamic_number').toUpperCase());
    assert.equal(hex(r.iccDynamicData), value(v.expected, 'icc_dynamic_data').toUpperCase());
    assert.equal(hex(r.recoveredBlock), value(v.expected, 'sdad_recovered_block').toUpperCase());
  });

  function cdaInputsOf(v: Vector): CdaInputs {
    const tlvs = bin(v.inputs, 'genac_response_tlvs_without_9F4B');
    const cid = decodeTlv(tlvs).find((n) => n.tag === 0x9f27)?.value[0];
    assert.ok(cid !== undefined);
    return {
      unpredictableNumber: bin(v.inputs, 'tag9F37_unpredictable_number'),
      pdolData: bin(v.inputs, 'pdol_data'),
      cdolData: bin(v.inputs, 'cdol1_data'),
      genAcResponseTlvsWithout9F4B: tlvs,
      cid,
    };
  }

  test('cda_emvtools_mastercard_ca05: CDA gives IDN, CID 40, AC and transaction data hash', () => {
    const v = loadVector('cda_emvtools_mastercard_ca05.txt');
    const r = verifyCda(iccKeyOf(v), bin(v.inputs, 'tag9F4B_signed_dynamic_application_data'), cdaInputsOf(v));
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(hex(r.idn), value(v.expected, 'tag9F4C_icc_dynamic_number').toUpperCase());
    assert.equal(r.cid, Number.parseInt(value(v.expected, 'cid'), 16));
    assert.equal(hex(r.ac), value(v.expected, 'tag9F26_application_cryptogram').toUpperCase());
    assert.equal(hex(r.transactionDataHash), value(v.expected, 'transaction_data_hash_code').toUpperCase());
    assert.equal(hex(r.iccDynamicData), value(v.expected, 'icc_dynamic_data').toUpperCase());
    assert.equal(hex(r.recoveredBlock), value(v.expected, 'sdad_recovered_block').toUpperCase());
  });

  test('one-bit changes to the shared inputs give the specific reason', () => {
    const v = loadVector('cda_emvtools_mastercard_ca05.txt');
    const today = { year: 2014, month: 9 };
    const ca = caOf(v);
    const cert = bin(v.inputs, 'tag90_issuer_pk_certificate');
    const rem = bin(v.inputs, 'tag92_issuer_pk_remainder');
    const exp = bin(v.inputs, 'tag9F32_issuer_pk_exponent');
    const pan = bin(v.inputs, 'tag5A_pan');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, flip(cert), rem, exp, pan, today)), 'TRAILER_INVALID');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, cert.subarray(1), rem, exp, pan, today)), 'LENGTH_MISMATCH');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, fromHex('FF'.repeat(cert.length)), rem, exp, pan, today)), 'SIGNATURE_OUT_OF_RANGE');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, cert, flip(rem), exp, pan, today)), 'HASH_MISMATCH');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, cert, new Uint8Array(0), exp, pan, today)), 'REMAINDER_MISSING');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, cert, rem, flip(exp, 0, 1), pan, today)), 'HASH_MISMATCH');
    assert.equal(reasonOf(recoverIssuerPublicKey({ ...ca, modulus: flip(ca.modulus) }, cert, rem, exp, pan, today)), 'TRAILER_INVALID');
    const wrongPan = recoverIssuerPublicKey(ca, cert, rem, exp, flip(pan, 0, 4), today);
    assert.equal(reasonOf(wrongPan), 'ISSUER_IDENTIFIER_MISMATCH');
    assert.ok(!wrongPan.ok && wrongPan.identifierMismatch === true && wrongPan.certificateExpired === false && wrongPan.recovered);
    assert.ok(!verifyCaKeyChecksum({ ...ca, checksum: flip(bin(v.inputs, 'ca_checksum_sha1')) }));
    assert.ok(!verifyCaKeyChecksum({ ...ca, checksum: undefined }));

    const iccKey = iccKeyOf(v);
    const sdad = bin(v.inputs, 'tag9F4B_signed_dynamic_application_data');
    const inputs = cdaInputsOf(v);
    assert.equal(reasonOf(verifyCda(iccKey, flip(sdad), inputs)), 'TRAILER_INVALID');
    assert.equal(reasonOf(verifyCda(iccKey, sdad, { ...inputs, unpredictableNumber: flip(inputs.unpredictableNumber) })), 'HASH_MISMATCH');
    assert.equal(reasonOf(verifyCda(iccKey, sdad, { ...inputs, cid: 0x80 })), 'CID_MISMATCH');
    assert.equal(reasonOf(verifyCda(iccKey, sdad, { ...inputs, cdolData: flip(inputs.cdolData) })), 'TRANSACTION_DATA_HASH_MISMATCH');
    assert.equal(reasonOf(verifyCda(iccKey, sdad, { ...inputs, pdolData: fromHex('00') })), 'TRANSACTION_DATA_HASH_MISMATCH');
    assert.equal(
      reasonOf(verifyCda(iccKey, sdad, { ...inputs, genAcResponseTlvsWithout9F4B: flip(inputs.genAcResponseTlvsWithout9F4B) })),
      'TRANSACTION_DATA_HASH_MISMATCH',
    );
    assert.equal(hex(cdaTransactionDataHash(inputs.pdolData, inputs.cdolData, inputs.genAcResponseTlvsWithout9F4B)), value(v.expected, 'transaction_data_hash_code').toUpperCase());
    // The same SDAD is not a valid DDA signature over the UN (Book 2 §6.5.2 hashes DDOL data), but it is over itself.
    assert.equal(reasonOf(verifyDda(iccKey, sdad, fromHex('00000000'))), 'HASH_MISMATCH');
  });
});

// ---- round trips with fresh keys -----------------------------------------------------------------

describe('round trip: create with fresh keys, verify with the verify side', () => {
  const caPair = generateRsaKeyPair(1024, 3);
  const issuerPair = generateRsaKeyPair(896, 3);
  const iccPair = generateRsaKeyPair(768, 65537);
  const ca: CaPublicKey = { rid: fromHex('A000000999'), index: 0xf1, ...caPair.publicKey };
  const PAN = '5413330089010434';
  const TODAY: CalendarMonth = { year: 2026, month: 11 };
  const SERIAL = fromHex('00A1B2');
  const STATIC = fromHex('5F24032812315A0854133300890104345F3401019F0702FF00' + '5800');
  const issuerCert = makeIssuerCertificate(caPair.privateKey, issuerPair.publicKey, '541333', '1228', SERIAL);
  const iccCert = makeIccCertificate(issuerPair.privateKey, iccPair.publicKey, PAN, '1227', fromHex('000001'), STATIC);

  const recoverIssuer = (over: Partial<{ cert: Uint8Array; rem: Uint8Array; exp: Uint8Array; pan: string; today: CalendarMonth }> = {}) =>
    recoverIssuerPublicKey(
      ca,
      over.cert ?? issuerCert.cert90,
      over.rem ?? issuerCert.remainder92,
      over.exp ?? issuerCert.exponent9F32,
      over.pan ?? PAN,
      over.today ?? TODAY,
    );
  const recoverIcc = (over: Partial<{ cert: Uint8Array; rem: Uint8Array; exp: Uint8Array; data: Uint8Array; pan: string; today: CalendarMonth }> = {}) =>
    recoverIccPublicKey(
      issuerPair.publicKey,
      over.cert ?? iccCert.cert9F46,
      over.rem ?? iccCert.remainder9F48,
      over.exp ?? iccCert.exponent9F47,
      over.data ?? STATIC,
      over.pan ?? PAN,
      over.today ?? TODAY,
    );

  test('issuer certificate (1024-bit CA, 896-bit issuer: 20-byte remainder) recovers the issuer key', () => {
    assert.equal(issuerCert.cert90.length, 128);
    assert.equal(issuerCert.remainder92.length, 112 - (128 - 36));
    const r = recoverIssuer();
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(hex(r.key.modulus), hex(issuerPair.publicKey.modulus));
    assert.equal(hex(r.key.exponent), '03');
    assert.equal(hex(r.issuerIdentifier), '541333FF');
    assert.deepEqual(r.expiry, { year: 2028, month: 12 });
    assert.equal(hex(r.serial), '00A1B2');
  });

  test('ICC certificate (768-bit ICC, exponent 65537: 26-byte remainder) recovers the ICC key', () => {
    assert.equal(iccCert.remainder9F48.length, 96 - (112 - 42));
    const r = recoverIcc();
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(hex(r.key.modulus), hex(iccPair.publicKey.modulus));
    assert.equal(hex(r.key.exponent), '010001');
    assert.equal(hex(r.pan), '5413330089010434FFFF');
    assert.ok(certificatePanMatches(r.pan, fromHex('5413330089010434')));
  });

  test('short keys fit in the certificate without a remainder (BB padding)', () => {
    const small = generateRsaKeyPair(640, 3);
    const cert = makeIssuerCertificate(caPair.privateKey, small.publicKey, '5413', '1228', SERIAL);
    assert.equal(cert.remainder92.length, 0);
    const r = recoverIssuerPublicKey(ca, cert.cert90, cert.remainder92, cert.exponent9F32, PAN, TODAY);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(hex(r.key.modulus), hex(small.publicKey.modulus));
    const icc = makeIccCertificate(issuerPair.privateKey, generateRsaKeyPair(512, 3).publicKey, PAN, '1227', SERIAL, STATIC);
    assert.equal(icc.remainder9F48.length, 0);
    assert.ok(recoverIccPublicKey(issuerPair.publicKey, icc.cert9F46, icc.remainder9F48, icc.exponent9F47, STATIC, PAN, TODAY).ok);
  });

  test('SDA, DDA and CDA signatures verify', () => {
    const sda = verifySda(issuerPair.publicKey, signStaticData(issuerPair.privateKey, fromHex('DAC1'), STATIC), STATIC);
    assert.ok(sda.ok && hex(sda.dac) === 'DAC1');
    const ddol = fromHex('0A1B2C3D');
    const dda = verifyDda(iccPair.publicKey, signDynamicData(iccPair.privateKey, ddaDynamicData(fromHex('0102030405')), ddol), ddol);
    assert.ok(dda.ok && hex(dda.idn) === '0102030405');
    const inputs = {
      idn: fromHex('1122'),
      cid: 0x80,
      ac: fromHex('0123456789ABCDEF'),
      unpredictableNumber: fromHex('CAFEBABE'),
      pdolData: fromHex('000000001000'),
      cdolData: fromHex('0000000010000000000000000826'),
      genAcResponseTlvsWithout9F4B: fromHex('9F2701809F360200429F100706010A03A00000'),
    };
    const cda = verifyCda(iccPair.publicKey, signCdaDynamicData(iccPair.privateKey, inputs), inputs);
    assert.ok(cda.ok, cda.ok ? '' : cda.reason);
    assert.equal(hex(cda.idn), '1122');
    assert.equal(cda.cid, 0x80);
    assert.equal(hex(cda.ac), '0123456789ABCDEF');
    assert.equal(hex(cda.transactionDataHash), hex(sha1(inputs.pdolData, inputs.cdolData, inputs.genAcResponseTlvsWithout9F4B)));
  });

  test('one bit flipped in each certificate input gives the specific reason', () => {
    assert.equal(reasonOf(recoverIssuer({ cert: flip(issuerCert.cert90) })), 'TRAILER_INVALID');
    assert.equal(reasonOf(recoverIssuer({ rem: flip(issuerCert.remainder92, 3) })), 'HASH_MISMATCH');
    assert.equal(reasonOf(recoverIssuer({ exp: fromHex('01') })), 'HASH_MISMATCH');
    assert.equal(reasonOf(recoverIssuer({ pan: '5513330089010434' })), 'ISSUER_IDENTIFIER_MISMATCH');
    const expired = recoverIssuer({ today: { year: 2029, month: 1 } });
    assert.ok(!expired.ok && expired.reason === 'CERTIFICATE_EXPIRED' && expired.certificateExpired && !expired.identifierMismatch);
    assert.ok(recoverIssuer({ today: { year: 2028, month: 12 } }).ok);

    assert.equal(reasonOf(recoverIcc({ cert: flip(iccCert.cert9F46) })), 'TRAILER_INVALID');
    assert.equal(reasonOf(recoverIcc({ rem: flip(iccCert.remainder9F48, 0, 7) })), 'HASH_MISMATCH');
    assert.equal(reasonOf(recoverIcc({ rem: new Uint8Array(0) })), 'REMAINDER_MISSING');
    assert.equal(reasonOf(recoverIcc({ exp: fromHex('010003') })), 'HASH_MISMATCH');
    assert.equal(reasonOf(recoverIcc({ data: flip(STATIC, 10) })), 'HASH_MISMATCH');
    const otherPan = recoverIcc({ pan: '5413330089010435' });
    assert.ok(!otherPan.ok && otherPan.reason === 'PAN_MISMATCH' && otherPan.panMismatch && !otherPan.certificateExpired && otherPan.recovered);
    const both = recoverIcc({ pan: '541333008901043', today: { year: 2028, month: 1 } });
    assert.ok(!both.ok && both.reason === 'PAN_MISMATCH' && both.panMismatch && both.certificateExpired);
  });

  test('one bit flipped in each signed-data input gives the specific reason', () => {
    const ssad = signStaticData(issuerPair.privateKey, fromHex('DAC1'), STATIC);
    // A flipped signature recovers to random bytes: the trailer check catches it, except when the random last byte
    // happens to be BC (1 in 256), then the header check does. Either way it is refused before any hash.
    const garbled = (r: string | undefined): boolean => r === 'TRAILER_INVALID' || r === 'HEADER_INVALID' || r === 'SIGNATURE_OUT_OF_RANGE';
    assert.ok(garbled(reasonOf(verifySda(issuerPair.publicKey, flip(ssad), STATIC))));
    assert.equal(reasonOf(verifySda(issuerPair.publicKey, ssad, flip(STATIC, 0))), 'HASH_MISMATCH');
    assert.equal(reasonOf(verifySda(issuerPair.publicKey, ssad.subarray(0, 100), STATIC)), 'LENGTH_MISMATCH');
    assert.equal(reasonOf(verifySda(iccPair.publicKey, ssad, STATIC)), 'LENGTH_MISMATCH');
    const ddol = fromHex('0A1B2C3D');
    const sdad = signDynamicData(iccPair.privateKey, ddaDynamicData(fromHex('0102')), ddol);
    assert.ok(garbled(reasonOf(verifyDda(iccPair.publicKey, flip(sdad), ddol))));
    assert.equal(reasonOf(verifyDda(iccPair.publicKey, sdad, flip(ddol))), 'HASH_MISMATCH');
    // Format 03 is not format 05, and a DDA signature is not an issuer certificate.
    assert.equal(reasonOf(verifyDda(issuerPair.publicKey, ssad, ddol)), 'FORMAT_INVALID');
    assert.equal(reasonOf(recoverIssuerPublicKey(ca, signStaticData(caPair.privateKey, fromHex('0000'), STATIC), new Uint8Array(0), fromHex('03'), PAN, TODAY)), 'FORMAT_INVALID');
  });

  // Hand-made blocks reach the checks a well-formed signer never trips.
  function signed(key: RsaPrivateKey, header: number, format: number, body: Uint8Array, trailer: number, ...hashed: Uint8Array[]): Uint8Array {
    const head = concatBytes(Uint8Array.of(format), body);
    return rsaSign(key, concatBytes(Uint8Array.of(header), head, sha1(head, ...hashed), Uint8Array.of(trailer)));
  }
  const field = (len: number, fill = 0xbb): Uint8Array => new Uint8Array(len).fill(fill);

  test('crafted blocks: header, hash algorithm, PK algorithm, key lengths, expiry, dynamic data', () => {
    const n = caPair.privateKey.modulus.length;
    const issuerBody = (hashAlg: number, pkAlg: number, keyLen: number, expLen: number, expiry = '1228'): Uint8Array =>
      concatBytes(fromHex('541333FF' + expiry + '000001'), Uint8Array.of(hashAlg, pkAlg, keyLen, expLen), field(n - 36, 0xc5));
    const rec = (cert: Uint8Array, exp = fromHex('03')) => recoverIssuerPublicKey(ca, cert, new Uint8Array(0), exp, PAN, TODAY);
    const exp3 = fromHex('03');
    assert.equal(reasonOf(rec(signed(caPair.privateKey, 0x6b, 0x02, issuerBody(1, 1, 80, 1), 0xbc, exp3))), 'HEADER_INVALID');
    assert.equal(reasonOf(rec(signed(caPair.privateKey, 0x6a, 0x02, issuerBody(2, 1, 80, 1), 0xbc, exp3))), 'HASH_ALGORITHM_UNSUPPORTED');
    assert.equal(reasonOf(rec(signed(caPair.privateKey, 0x6a, 0x02, issuerBody(1, 2, 80, 1), 0xbc, new Uint8Array(0), exp3))), 'PK_ALGORITHM_UNSUPPORTED');
    assert.equal(reasonOf(rec(signed(caPair.privateKey, 0x6a, 0x02, issuerBody(1, 1, 80, 3), 0xbc, new Uint8Array(0), exp3))), 'KEY_LENGTH_INVALID');
    assert.equal(reasonOf(rec(signed(caPair.privateKey, 0x6a, 0x02, issuerBody(1, 1, 0, 1), 0xbc, new Uint8Array(0), exp3))), 'KEY_LENGTH_INVALID');
    const okCrafted = rec(signed(caPair.privateKey, 0x6a, 0x02, issuerBody(1, 1, 80, 1), 0xbc, new Uint8Array(0), exp3));
    assert.ok(okCrafted.ok && okCrafted.key.modulus.length === 80 && okCrafted.key.modulus.every((b) => b === 0xc5));
    const badDate = rec(signed(caPair.privateKey, 0x6a, 0x02, issuerBody(1, 1, 80, 1, '1328'), 0xbc, new Uint8Array(0), exp3));
    assert.ok(!badDate.ok && badDate.reason === 'CERTIFICATE_EXPIRED' && badDate.recovered?.expiry === undefined);

    const m = iccPair.privateKey.modulus.length;
    const dyn = (ldd: number, data: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(0x01, ldd), data, field(m - 25 - data.length));
    const ddol = fromHex('00000000');
    const overrun = signed(iccPair.privateKey, 0x6a, 0x05, dyn(m - 24, fromHex('0201')), 0xbc, ddol);
    assert.equal(reasonOf(verifyDda(iccPair.publicKey, overrun, ddol)), 'DYNAMIC_DATA_INVALID');
    const shortIdn = signed(iccPair.privateKey, 0x6a, 0x05, dyn(2, fromHex('0101')), 0xbc, ddol);
    assert.equal(reasonOf(verifyDda(iccPair.publicKey, shortIdn, ddol)), 'DYNAMIC_DATA_INVALID');
    // A DDA-shaped dynamic data is too short for CDA's Table 22 layout.
    const ddaShaped = signDynamicData(iccPair.privateKey, ddaDynamicData(fromHex('0102')), ddol);
    const cdaIn = { unpredictableNumber: ddol, pdolData: new Uint8Array(0), cdolData: new Uint8Array(0), genAcResponseTlvsWithout9F4B: new Uint8Array(0), cid: 0x40 };
    assert.equal(reasonOf(verifyCda(iccPair.publicKey, ddaShaped, cdaIn)), 'DYNAMIC_DATA_INVALID');
    assert.equal(reasonOf(verifyDda({ modulus: fromHex('C1'.repeat(20)), exponent: fromHex('03') }, new Uint8Array(20), ddol)), 'KEY_INVALID');
  });

  test('creation refuses impossible fields with EmvCryptoError', () => {
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
        return 'no error';
      } catch (e) {
        return e instanceof EmvCryptoError ? e.code : String(e);
      }
    };
    assert.equal(codeOf(() => makeIssuerCertificate(caPair.privateKey, issuerPair.publicKey, '54', '1228', SERIAL)), 'CERT_FIELD_INVALID');
    assert.equal(codeOf(() => makeIssuerCertificate(caPair.privateKey, issuerPair.publicKey, '541333', '1328', SERIAL)), 'CERT_FIELD_INVALID');
    assert.equal(codeOf(() => makeIssuerCertificate(caPair.privateKey, issuerPair.publicKey, '541333', '1228', fromHex('01'))), 'CERT_FIELD_INVALID');
    assert.equal(codeOf(() => makeIssuerCertificate(issuerPair.privateKey, caPair.publicKey, '541333', '1228', SERIAL)), 'RSA_KEY_INVALID');
    assert.equal(codeOf(() => makeIccCertificate(issuerPair.privateKey, iccPair.publicKey, '54AB', '1228', SERIAL, STATIC)), 'PAN_INVALID');
    assert.equal(codeOf(() => signStaticData(issuerPair.privateKey, fromHex('01'), STATIC)), 'CERT_FIELD_INVALID');
    assert.equal(codeOf(() => ddaDynamicData(fromHex('01'))), 'CERT_FIELD_INVALID');
    assert.equal(codeOf(() => cdaDynamicData(fromHex('0102'), 0x40, fromHex('01'), new Uint8Array(20))), 'CERT_FIELD_INVALID');
    assert.equal(codeOf(() => signDynamicData(iccPair.privateKey, new Uint8Array(96 - 24), fromHex('00'))), 'CERT_FIELD_INVALID');
  });
});

test('ODA_FAILURE_REASONS are unique SCREAMING_SNAKE identifiers', () => {
  assert.equal(new Set(ODA_FAILURE_REASONS).size, ODA_FAILURE_REASONS.length);
  for (const r of ODA_FAILURE_REASONS) assert.match(r, /^[A-Z][A-Z0-9_]+$/);
});

test('every shipped CA public key matches its published SHA-1 checksum', async () => {
  const { PUBLISHED_CA_KEYS } = await import('../../src/emv/ca-keys.js');
  const { verifyCaKeyChecksum } = await import('../../src/emv/oda/ca-key.js');
  const published = (await import('../../src/emv/ca-keys.json', { with: { type: 'json' } })).default;
  assert.ok(published.keys.length >= 11);
  for (const k of published.keys) {
    const ca = { rid: fromHex(k.rid), index: Number.parseInt(k.index, 16), modulus: fromHex(k.modulus), exponent: fromHex(k.exponent), checksum: fromHex(k.checksum) };
    assert.ok(verifyCaKeyChecksum(ca), `${k.rid}/${k.index}`);
  }
  const ids = PUBLISHED_CA_KEYS.map((k) => `${k.rid}/${k.index}`);
  assert.equal(new Set(ids).size, ids.length, 'no RID/index twice');
  for (const id of ['A000000003/92', 'A000000003/94', 'A000000003/95', 'A000000004/F1', 'A000000004/EF', 'A000000004/05']) assert.ok(ids.includes(id), id);
  // The live keys of the other schemes: each names its source and is verified above like the others.
  for (const id of ['A000000333/08', 'A000000333/09', 'A000000333/0B', 'A000000025/0E', 'A000000025/0F', 'A000000025/10', 'A000000152/5B', 'A000000152/5C', 'A000000065/11', 'A000000065/13']) {
    assert.ok(ids.includes(id), id);
    const k = published.keys.find((x) => `${x.rid}/${x.index}` === id);
    assert.ok(k && 'source' in k && typeof k.source === 'string' && k.source.length > 0, `${id} names its source`);
  }
});

test('a CA key whose modulus was mistyped fails its checksum (the check above can fail)', async () => {
  const { verifyCaKeyChecksum } = await import('../../src/emv/oda/ca-key.js');
  const published = (await import('../../src/emv/ca-keys.json', { with: { type: 'json' } })).default;
  const k = published.keys.find((x) => x.rid === 'A000000333' && x.index === '0B');
  assert.ok(k);
  const modulus = fromHex(k.modulus);
  modulus[10] ^= 0x01;
  assert.ok(!verifyCaKeyChecksum({ rid: fromHex(k.rid), index: 0x0b, modulus, exponent: fromHex(k.exponent), checksum: fromHex(k.checksum) }));
});
