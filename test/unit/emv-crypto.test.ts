// EMV symmetric crypto (EMV 4.4 Book 2 Annex A1, §8.1-8.2) and the RSA/SHA-1 helpers, fed hex.
// Published vectors and their sources are named at each test.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { EMV_CRYPTO_ERROR_CODES, EmvCryptoError, type EmvCryptoErrorCode } from '../../src/crypto/errors.js';
import { adjustKeyParity, desDecrypt, desEncrypt, hasOddParity, keyCheckValue, tdesDecrypt, tdesEncrypt } from '../../src/crypto/des.js';
import { padIso9797, retailMac, verifyRetailMac } from '../../src/crypto/retail-mac.js';
import { deriveCommonSessionKey, deriveIccMasterKeyOptionA, deriveSessionKey } from '../../src/crypto/key-derivation.js';
import {
  generateApplicationCryptogram,
  generateArpcMethod1,
  generateArpcMethod2,
  verifyApplicationCryptogram,
  verifyArpcMethod1,
  verifyArpcMethod2,
} from '../../src/crypto/cryptogram.js';
import { generateRsaKeyPair, modPow, rsaRecover, rsaSign, sha1 } from '../../src/crypto/rsa.js';
import { bigIntToBytes, bytesToBigInt, panDigits, xorBytes } from '../../src/crypto/bytes.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => toHex(b);
const IMK = fromHex('0123456789ABCDEFFEDCBA9876543210');

function throwsCode(fn: () => unknown, code: EmvCryptoErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof EmvCryptoError && e.code === code);
}

describe('DES and 3DES (node:crypto des-ede3-ecb)', () => {
  test('FIPS PUB 81 Appendix B ECB example: key 0123456789ABCDEF, "Now is the time for all "', () => {
    assert.equal(hex(desEncrypt(fromHex('0123456789ABCDEF'), ascii('Now is the time for all '))), '3FA40E8A984D48156A271787AB8883F9893D51EC4B563B53');
  });

  test('"The DES Algorithm Illustrated" (J. Orlin Grabbe): key 133457799BBCDFF1, block 0123456789ABCDEF', () => {
    const c = desEncrypt(fromHex('133457799BBCDFF1'), fromHex('0123456789ABCDEF'));
    assert.equal(hex(c), '85E813540F0AB405');
    assert.equal(hex(desDecrypt(fromHex('133457799BBCDFF1'), c)), '0123456789ABCDEF');
  });

  test('3DES with K1 = K2 is single DES; decryption inverts encryption', () => {
    const k = fromHex('133457799BBCDFF1');
    const data = fromHex('0123456789ABCDEF1122334455667788');
    assert.equal(hex(tdesEncrypt(fromHex('133457799BBCDFF1133457799BBCDFF1'), data)), hex(desEncrypt(k, data)));
    assert.equal(hex(tdesDecrypt(IMK, tdesEncrypt(IMK, data))), hex(data));
  });

  test('key check value of the pyemv test issuer master key is 08D7 (pyemv tests/test_kd.py)', () => {
    assert.equal(hex(keyCheckValue(IMK, 2)), '08D7');
  });

  test('parity adjustment sets odd parity and changes only bit 1 of each byte', () => {
    const raw = fromHex('0000FFFE0102030480817F7E');
    const adjusted = adjustKeyParity(raw);
    assert.equal(hex(adjusted), '0101FEFE0102020480807F7F');
    assert.ok(hasOddParity(adjusted));
    assert.ok(!hasOddParity(raw));
    adjusted.forEach((b, i) => assert.equal(b & 0xfe, raw[i] & 0xfe));
  });

  test('refuses wrong key lengths and partial blocks', () => {
    throwsCode(() => tdesEncrypt(new Uint8Array(8), new Uint8Array(8)), 'KEY_LENGTH_INVALID');
    throwsCode(() => desEncrypt(new Uint8Array(16), new Uint8Array(8)), 'KEY_LENGTH_INVALID');
    throwsCode(() => tdesEncrypt(IMK, new Uint8Array(7)), 'DATA_LENGTH_INVALID');
    throwsCode(() => tdesEncrypt(IMK, new Uint8Array(0)), 'DATA_LENGTH_INVALID');
  });
});

describe('ISO/IEC 9797-1 MAC algorithm 3 (EMV Book 2 Annex A1.2.1)', () => {
  test('padding methods 1 and 2', () => {
    assert.equal(hex(padIso9797(fromHex('0102'), 'method1')), '0102000000000000');
    assert.equal(hex(padIso9797(new Uint8Array(0), 'method1')), '0000000000000000');
    assert.equal(hex(padIso9797(fromHex('0102'), 'method2')), '0102800000000000');
    assert.equal(hex(padIso9797(new Uint8Array(8), 'method2')), '00000000000000008000000000000000');
  });

  test('ISO/IEC 9797-1:2011 Annex B.4 examples (as quoted by RustCrypto retail-mac README)', () => {
    assert.equal(hex(retailMac(IMK, ascii('Now is the time for all '), { padding: 'method1' })), 'A1C72E74EA3FA9B6');
    assert.equal(hex(retailMac(IMK, ascii('Now is the time for it'), { padding: 'method1' })), '2E2B1428CC78254F');
  });

  test('pyemv tests/test_mac.py: "hello world" with padding methods 1 and 2', () => {
    const k = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
    assert.equal(hex(retailMac(k, ascii('hello world'), { padding: 'method1' })), '78DA3D3DEB48FD4D');
    assert.equal(hex(retailMac(k, ascii('hello world'), { padding: 'method2' })), '2BC2D9EDE0CF31F6');
  });

  test('Bouncy Castle ISO9797Alg3MacTest: "Hello World !!!!"', () => {
    assert.equal(hex(retailMac(fromHex('7CA110454A1A6E570131D9619DC1376E'), ascii('Hello World !!!!'), { padding: 'method1' })), 'F09B856213BAB83B');
  });

  test('truncation to 4 bytes is the leftmost bytes; verify accepts the MAC and refuses a flipped bit', () => {
    const data = ascii('posbridge');
    const full = retailMac(IMK, data);
    assert.equal(hex(retailMac(IMK, data, { length: 4 })), hex(full.subarray(0, 4)));
    assert.ok(verifyRetailMac(IMK, data, full));
    const bad = Uint8Array.from(full);
    bad[7] ^= 1;
    assert.ok(!verifyRetailMac(IMK, data, bad));
    throwsCode(() => retailMac(IMK, data, { length: 9 }), 'DATA_LENGTH_INVALID');
    throwsCode(() => retailMac(IMK.subarray(0, 8), data), 'KEY_LENGTH_INVALID');
  });
});

describe('key derivation (EMV Book 2 Annex A1.3, A1.4.1)', () => {
  test('Option A master keys: pyemv kd.py documented examples', () => {
    assert.equal(hex(deriveIccMasterKeyOptionA(IMK, '12345678901234567', '01')), '73AD54688CEF2934B0979857E3C719F1');
    assert.equal(hex(deriveIccMasterKeyOptionA(IMK, '99012345678901234', '45')), '67F8292358083E5EA7AB7FDA58D53B6B');
  });

  test('Option A from tag values: 5A with F padding and 5F34 as one BCD byte give the same key', () => {
    const fromText = deriveIccMasterKeyOptionA(IMK, '1234567890123456', '00');
    assert.equal(hex(keyCheckValue(fromText, 2)), 'BAB0'); // pyemv tests/test_cvn_hsm.py (Visa CVN 10)
    assert.equal(hex(deriveIccMasterKeyOptionA(IMK, fromHex('1234567890123456'), fromHex('00'))), hex(fromText));
    assert.equal(hex(deriveIccMasterKeyOptionA(IMK, fromHex('1234567890123456'))), hex(fromText));
    assert.ok(hasOddParity(fromText));
  });

  test('Option A short PAN||PSN is left-padded with zeros to 16 digits', () => {
    const y = fromHex('0000123456789001');
    const expected = adjustKeyParity(new Uint8Array([...tdesEncrypt(IMK, y), ...tdesEncrypt(IMK, xorBytes(y, new Uint8Array(8).fill(0xff)))]));
    assert.equal(hex(deriveIccMasterKeyOptionA(IMK, '1234567890', '01')), hex(expected));
  });

  test('common session key: pyemv kd.py example, MK 0123..3210 with R = 001C000000000000', () => {
    assert.equal(hex(deriveCommonSessionKey(IMK, fromHex('001C'))), 'E9FB384AF807B940FEDCEA613461B0C4');
    assert.equal(hex(deriveSessionKey(IMK, fromHex('001C000000000000'))), 'E9FB384AF807B940FEDCEA613461B0C4');
  });

  test('session keys differ per ATC and have odd parity', () => {
    const mk = deriveIccMasterKeyOptionA(IMK, '5413330089010434', '01');
    const keys = ['0001', '0002', '0100', 'FFFF'].map((atc) => deriveCommonSessionKey(mk, fromHex(atc)));
    assert.equal(new Set(keys.map(hex)).size, 4);
    for (const k of keys) assert.ok(hasOddParity(k));
    assert.notEqual(hex(keys[0].subarray(0, 8)), hex(keys[0].subarray(8)));
  });

  test('refuses bad inputs', () => {
    throwsCode(() => deriveIccMasterKeyOptionA(IMK.subarray(0, 8), '1234'), 'KEY_LENGTH_INVALID');
    throwsCode(() => deriveIccMasterKeyOptionA(IMK, '12AB'), 'PAN_INVALID');
    throwsCode(() => deriveIccMasterKeyOptionA(IMK, '1234', '1'), 'PAN_INVALID');
    throwsCode(() => deriveCommonSessionKey(IMK, fromHex('01')), 'DATA_LENGTH_INVALID');
    throwsCode(() => deriveSessionKey(IMK, new Uint8Array(7)), 'DATA_LENGTH_INVALID');
  });
});

describe('application cryptograms and ARPC (EMV Book 2 §8.1, §8.2)', () => {
  // Transaction data of pyemv tests/test_cvn_hsm.py: 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36.
  const TXN = '000000004000' + '000000000000' + '0124' + '8000048000' + '0124' + '191105' + '01' + '52BF4585' + '1800' + '001C';

  test('Visa CVN 18 chain (pyemv test_cvn_hsm.py): Option A MK, common SK for ATC 001C, ARQC, ARPC method 2', () => {
    const mk = deriveIccMasterKeyOptionA(IMK, '1234567890123456', '00');
    const sk = deriveCommonSessionKey(mk, fromHex('001C'));
    assert.equal(hex(keyCheckValue(sk, 2)), '22C8');
    const data = fromHex(TXN + '06011203A0B800'); // || IAD 9F10
    const arqc = generateApplicationCryptogram(sk, data);
    assert.equal(hex(arqc), '7A788EA6B8A3E733');
    assert.ok(verifyApplicationCryptogram(sk, data, arqc));
    const arpc = generateArpcMethod2(sk, arqc, fromHex('00000000'));
    assert.equal(hex(arpc), '9AF514C1');
    assert.ok(verifyArpcMethod2(sk, arqc, fromHex('00000000'), new Uint8Array(0), arpc));
  });

  test('Visa CVN 10 (pyemv test_cvn_hsm.py): MK as key, padding method 1, ARPC method 1 with ARC 3030', () => {
    const mk = deriveIccMasterKeyOptionA(IMK, '1234567890123456', '00');
    const arqc = generateApplicationCryptogram(mk, fromHex(TXN + '03A06010'), 'method1'); // || CVR
    assert.equal(hex(arqc), '29CCA15AE665FA2E');
    const arpc = generateArpcMethod1(mk, arqc, fromHex('3030'));
    assert.equal(hex(arpc), '28993816AFAE4AEB');
    assert.ok(verifyArpcMethod1(mk, arqc, fromHex('3030'), arpc));
  });

  test('pyemv ac.py documented examples (session key AAAA..BBBB)', () => {
    const sk = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
    const data = fromHex('000000002000' + '000000000000' + '0124' + '0000008000' + '0124' + '110309' + '00' + '3804823E' + '5800' + '0001');
    assert.equal(hex(generateApplicationCryptogram(sk, data)), '3B76CF10FECD8789');
    assert.equal(hex(generateArpcMethod1(sk, fromHex('1234567890ABCDEF'), fromHex('0000'))), 'F5E6F44147E2F1B0');
    assert.equal(hex(generateArpcMethod2(sk, fromHex('1234567890ABCDEF'), fromHex('00000000'))), '9308BEBC');
  });

  test('ARPC method 1 equals 3DES(SK)[ARQC xor ARC||00..] and fails on any other ARC, ARQC or key', () => {
    const sk = deriveCommonSessionKey(deriveIccMasterKeyOptionA(IMK, '4761739001010119', '01'), fromHex('0042'));
    const arqc = fromHex('8E5AB2A1D4C30F77');
    const arpc = generateArpcMethod1(sk, arqc, fromHex('3030'));
    assert.equal(hex(arpc), hex(tdesEncrypt(sk, xorBytes(arqc, fromHex('3030000000000000')))));
    assert.ok(verifyArpcMethod1(sk, arqc, fromHex('3030'), arpc));
    assert.ok(!verifyArpcMethod1(sk, arqc, fromHex('3035'), arpc));
    assert.ok(!verifyArpcMethod1(sk, fromHex('8E5AB2A1D4C30F76'), fromHex('3030'), arpc));
    assert.ok(!verifyArpcMethod1(deriveCommonSessionKey(IMK, fromHex('0043')), arqc, fromHex('3030'), arpc));
  });

  test('ARPC method 2 covers CSU and proprietary data; cryptograms change with the data', () => {
    const sk = deriveCommonSessionKey(IMK, fromHex('0007'));
    const arqc = fromHex('1122334455667788');
    const arpc = generateArpcMethod2(sk, arqc, fromHex('00800000'), fromHex('0102'));
    assert.equal(arpc.length, 4);
    assert.ok(verifyArpcMethod2(sk, arqc, fromHex('00800000'), fromHex('0102'), arpc));
    assert.ok(!verifyArpcMethod2(sk, arqc, fromHex('00000000'), fromHex('0102'), arpc));
    assert.ok(!verifyArpcMethod2(sk, arqc, fromHex('00800000'), new Uint8Array(0), arpc));
    const a = generateApplicationCryptogram(sk, fromHex(TXN));
    const b = generateApplicationCryptogram(sk, fromHex(TXN.replace('52BF4585', '52BF4586')));
    assert.notEqual(hex(a), hex(b));
    assert.ok(!verifyApplicationCryptogram(sk, fromHex(TXN), b));
  });

  test('refuses wrong field lengths', () => {
    const sk = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
    throwsCode(() => generateArpcMethod1(sk, new Uint8Array(7), fromHex('3030')), 'DATA_LENGTH_INVALID');
    throwsCode(() => generateArpcMethod1(sk, new Uint8Array(8), fromHex('30')), 'DATA_LENGTH_INVALID');
    throwsCode(() => generateArpcMethod2(sk, new Uint8Array(8), new Uint8Array(3)), 'DATA_LENGTH_INVALID');
    throwsCode(() => generateArpcMethod2(sk, new Uint8Array(8), new Uint8Array(4), new Uint8Array(9)), 'DATA_LENGTH_INVALID');
  });
});

describe('RSA and SHA-1 helpers', () => {
  test('SHA-1 of "abc" (FIPS 180-2 Appendix A.1) and over several parts', () => {
    assert.equal(hex(sha1(ascii('abc'))), 'A9993E364706816ABA3E25717850C26C9CD0D89D');
    assert.equal(hex(sha1(ascii('a'), ascii('bc'))), 'A9993E364706816ABA3E25717850C26C9CD0D89D');
  });

  test('modPow and integer/byte conversion', () => {
    assert.equal(modPow(4n, 13n, 497n), 445n);
    assert.equal(modPow(5n, 0n, 7n), 1n);
    assert.equal(hex(bigIntToBytes(0x0102n, 4)), '00000102');
    assert.equal(bytesToBigInt(fromHex('00000102')), 0x102n);
    throwsCode(() => bigIntToBytes(0x10000n, 2), 'RSA_INPUT_OUT_OF_RANGE');
  });

  for (const e of [3, 65537] as const) {
    test(`generated 768-bit key with exponent ${e}: sign then recover returns the message`, () => {
      const { publicKey, privateKey } = generateRsaKeyPair(768, e);
      assert.equal(publicKey.modulus.length, 96);
      assert.equal(hex(publicKey.exponent), e === 3 ? '03' : '010001');
      assert.equal(modPow(2n, privateKey.d * bytesToBigInt(publicKey.exponent), bytesToBigInt(publicKey.modulus)), 2n);
      const msg = new Uint8Array(96).fill(0xbb);
      msg[0] = 0x6a;
      msg[95] = 0xbc;
      const sig = rsaSign(privateKey, msg);
      assert.equal(hex(rsaRecover(publicKey, sig) ?? new Uint8Array(0)), hex(msg));
      throwsCode(() => rsaSign(privateKey, new Uint8Array(95)), 'RSA_INPUT_OUT_OF_RANGE');
      throwsCode(() => rsaSign(privateKey, new Uint8Array(96).fill(0xff)), 'RSA_INPUT_OUT_OF_RANGE');
    });
  }

  test('recovery returns undefined instead of throwing for out-of-range or wrong-length input', () => {
    const key = { modulus: fromHex('C1'.repeat(64)), exponent: fromHex('03') };
    assert.equal(rsaRecover(key, fromHex('FF'.repeat(64))), undefined);
    assert.equal(rsaRecover(key, fromHex('01'.repeat(63))), undefined);
    assert.equal(rsaRecover({ modulus: new Uint8Array(0), exponent: fromHex('03') }, new Uint8Array(0)), undefined);
  });

  test('key generation refuses sizes EMV cannot carry', () => {
    throwsCode(() => generateRsaKeyPair(1001), 'RSA_KEY_INVALID');
    throwsCode(() => generateRsaKeyPair(2048), 'RSA_KEY_INVALID');
  });

  test('PAN digits from text or BCD with F padding; malformed gives undefined', () => {
    assert.equal(panDigits(fromHex('5413330089010434')), '5413330089010434');
    assert.equal(panDigits(fromHex('541333008901043FFF')), '541333008901043');
    assert.equal(panDigits('12A4'), undefined);
    assert.equal(panDigits(new Uint8Array(0)), undefined);
  });
});

test('EMV_CRYPTO_ERROR_CODES are unique SCREAMING_SNAKE codes', () => {
  assert.equal(new Set(EMV_CRYPTO_ERROR_CODES).size, EMV_CRYPTO_ERROR_CODES.length);
  for (const c of EMV_CRYPTO_ERROR_CODES) assert.match(c, /^[A-Z][A-Z0-9_]+$/);
});
