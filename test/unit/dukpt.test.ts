// TDES DUKPT (ANSI X9.24-1:2009) and AES DUKPT (ANSI X9.24-3:2017) against published vectors.
// Sources: ANSI X9.24-1:2009 Annex A.4 "DUKPT Test Data Examples" (A.4.2 initial sequence,
// A.4.3 rollover sequence) and the ANSI X9.24-3:2017 Supplement Test Vectors for the AES-128 BDK
// (pages 2, 5, 6, 31) and B.1; values as transcribed in the openemv/dukpt test suite
// (test/dukpt_tdes_test.c, test/dukpt_aes128_test.c, test/dukpt_aes_test.c), data only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { DUKPT_ERROR_CODES, DukptError, type DukptErrorCode } from '../../src/crypto/dukpt-errors.js';
import {
  deriveIpek,
  deriveTdesPinKeyFromBdk,
  deriveTdesTransactionKey,
  tdesDataKey,
  tdesDecryptPinBlock,
  tdesEncryptPinBlock,
  tdesKsnCounter,
  tdesMacKey,
  tdesPinKey,
} from '../../src/crypto/dukpt-tdes.js';
import {
  aesKsnCounter,
  deriveAesInitialKey,
  deriveAesPinKeyFromBdk,
  deriveAesTransactionKey,
  deriveAesWorkingKey,
  derivationData,
} from '../../src/crypto/dukpt-aes.js';
import { decipherFormat4, encipherFormat4, encodeFormat0 } from '../../src/crypto/pin-block.js';

function throwsCode(fn: () => unknown, code: DukptErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof DukptError && err.code === code);
}

const TDES_BDK = fromHex('0123456789ABCDEFFEDCBA9876543210');
const TDES_KSN0 = fromHex('FFFF9876543210E00000');
const TDES_IPEK = '6AC292FAA1315B4D858AB3A3D7D5933A';
// X9.24-1:2009 A.4: PIN 1234, PAN 4012345678909 as an ISO format 0 block.
const TDES_CLEAR_PIN_BLOCK = '041274EDCBA9876F';

// X9.24-1:2009 A.4.2 initial sequence: [KSN counter suffix, transaction key, encrypted PIN block].
const TDES_INITIAL: readonly (readonly [string, string, string])[] = [
  ['E00001', '042666B49184CFA368DE9628D0397BC9', '1B9C1845EB993A7A'],
  ['E00002', 'C46551CEF9FD24B0AA9AD834130D3BC7', '10A01C8D02C69107'],
  ['E00003', '0DF3D9422ACA56E547676D07AD6BADFA', '18DC07B94797B466'],
  ['E00004', '279C0F6AEED0BE652B2C733E1383AE91', '0BC79509D5645DF7'],
  ['E00005', '5F8DC6D2C845C125508DDC048093B83F', '5BC0AF22AD87B327'],
  ['E00006', '5E415CB0BAF9F03CD0C14B63FB62FF43', 'A16DF70AE36158D8'],
  ['E00007', '0C8F780B7C8B49D0AE84A9EB2A6CE660', '27711C16CB257F8E'],
  ['E00008', '27F66D5244FF62E1AA6F6120EDEB4280', '50E55547A5027551'],
  ['E00009', '27E31064FDC565698900E2057F658E7E', '536CF7F678ACFC8D'],
  ['E0000A', '6CF2500A22507C7CC776CEADC1E33014', 'EDABBA23221833FE'],
  ['E0000B', '3E8260BA04B2D620C01482B3819A18B7', '2328981C57B4BDBA'],
  ['E0000C', 'B716E1E11CF53D80726CAEE75C3A624F', '038D03CC926CF286'],
  ['E0000D', 'E072EDF95340535FB6C581C58FBF2533', '6C8AA97088B62C68'],
  ['E0000E', 'A80046087F5B8F245AAD95E18429084F', 'F17C9E1D72CD4950'],
  ['E0000F', '93DD5B956C4878472E453AAEFD32A5AA', 'B170F6E7F7F2F64A'],
  ['E00010', '59598DCBD9BD94C094165CE453585F57', 'D5D9638559EF53D6'],
  ['E00011', '2B5F01F4F0CC05EA639D523231BF1BA2', 'D544F8CDD292C863'],
  ['E00012', '9CF640F279C2AEE615F725EEEAC2CBAF', '7A21BD10F36DC41D'],
  ['E00013', 'C3DF489FDF1153B4F03DE97C27DC4C2F', '78649BD17D0DFA60'],
  ['E00014', '658488507721B3F14737FA93F923CBD2', '7E7E16EA0C31AD56'],
  ['E00015', 'E161D1956A61F6D2F37AFD7F9CC3699A', '72105C22EBC791E6'],
];

// X9.24-1:2009 A.4.3 rollover sequence.
const TDES_ROLLOVER: readonly (readonly [string, string, string])[] = [
  ['EFF800', 'F9CDFEBF4F5B1D9EB3EC12454527E176', '33365F5CC6F23C35'],
  ['EFF801', '5BEE92627E97825C911BF619DF72CA3B', '3A86BF003F835C9D'],
  ['EFF802', '64CA2F8AB93F61B01620B00BF77C7301', '3DB977D05C36DF3F'],
  ['EFF804', '35A168695B3BA83307E871C42021DD37', 'BA83243305712099'],
  ['EFF808', '12C380FCB72ED3C26FC6079AF63F4787', 'B0DA04AC90A36D85'],
  ['EFF810', 'D8007C833A1E3C49C6889B97A68C54FF', '2CF02BD9C309EEDA'],
  ['EFF820', 'A9C9FF9B735FDD49591F296B0BF0FD70', '9D1E2F77AEEE81C6'],
  ['EFF840', '0E3E221062CB5E03A384602783A004FA', '40870B0F8BA2011C'],
  ['EFF880', 'CA8225C587124DFBB87F279C0BE29727', '22E340D6ABB40981'],
  ['EFF900', '906AAC1751D4971A144D52C76C6E1F97', '1A4C10AFBA03A430'],
  ['EFFA00', '2B9E2CE7C2750337E10B54D2989EA6AF', '849763B43E5F9CFF'],
  ['EFFC00', 'F9430DF975082491C77BE4EF4FDB91EE', 'DEFC6F09F8927B71'],
  ['F00000', 'AA4D58DB653EC74A48C75F2F047DD2B5', '73EC88AD0AC5830E'],
];

const tdesKsn = (suffix: string): Uint8Array => fromHex('FFFF98765432' + '10' + suffix);

describe('TDES DUKPT (ANSI X9.24-1:2009)', () => {
  const ipek = deriveIpek(TDES_BDK, TDES_KSN0);

  test('IPEK from BDK and KSN (A.4)', () => {
    assert.equal(toHex(ipek), TDES_IPEK);
    // Any KSN of the device gives the same IPEK: the counter is masked with E00000.
    assert.equal(toHex(deriveIpek(TDES_BDK, tdesKsn('E00015'))), TDES_IPEK);
  });

  test('format 0 clear PIN block of the A.4 samples', () => {
    assert.equal(toHex(encodeFormat0('1234', '4012345678909')), TDES_CLEAR_PIN_BLOCK);
  });

  for (const [name, table] of [['A.4.2 initial', TDES_INITIAL], ['A.4.3 rollover', TDES_ROLLOVER]] as const) {
    for (const [suffix, txnKey, encrypted] of table) {
      test(`${name} KSN ...${suffix}: transaction key and encrypted PIN block`, () => {
        const ksn = tdesKsn(suffix);
        const key = deriveTdesTransactionKey(ipek, ksn);
        assert.equal(toHex(key), txnKey);
        const clear = fromHex(TDES_CLEAR_PIN_BLOCK);
        const enc = tdesEncryptPinBlock(tdesPinKey(key), clear);
        assert.equal(toHex(enc), encrypted);
        assert.equal(toHex(tdesDecryptPinBlock(tdesPinKey(key), enc)), TDES_CLEAR_PIN_BLOCK);
        assert.equal(toHex(deriveTdesPinKeyFromBdk(TDES_BDK, ksn)), toHex(tdesPinKey(key)));
      });
    }
  }

  // Expected values here are the A.4.2 key XOR the X9.24-1:2009 variant masks, not published outputs.
  test('PIN, MAC and data variants differ from the transaction key in the documented bytes', () => {
    const key = fromHex(TDES_INITIAL[0][1]);
    assert.equal(toHex(tdesPinKey(key)), '042666B49184CF5C68DE9628D0397B36');
    assert.equal(toHex(tdesMacKey(key)), '042666B4918430A368DE9628D03984C9');
    assert.equal(tdesDataKey(key).length, 16);
  });

  test('counter extraction and rejection of bad KSNs and keys', () => {
    assert.equal(tdesKsnCounter(tdesKsn('EFF800')), 0x0ff800);
    throwsCode(() => deriveTdesTransactionKey(ipek, TDES_KSN0), 'KSN_COUNTER_INVALID');
    throwsCode(() => deriveTdesTransactionKey(ipek, tdesKsn('E007FF')), 'KSN_COUNTER_INVALID');
    throwsCode(() => deriveIpek(TDES_BDK, fromHex('FFFF9876543210E000')), 'KSN_INVALID');
    throwsCode(() => deriveIpek(TDES_BDK.subarray(0, 8), TDES_KSN0), 'KEY_LENGTH_INVALID');
    throwsCode(() => tdesEncryptPinBlock(ipek, new Uint8Array(16)), 'PIN_BLOCK_INVALID');
  });
});

const AES_BDK = fromHex('FEDCBA9876543210F1F1F1F1F1F1F1F1');
const AES_IKID = fromHex('1234567890123456');
const AES_IK = '1273671EA26AC29AFA4D1084127652A1';
const aesKsn = (counter: string): Uint8Array => fromHex('1234567890123456' + counter);

// X9.24-3:2017 Supplement, AES-128 BDK, page 2: [counter, derivation key, PIN key, MAC gen key, data key].
const AES_FIRST: readonly (readonly [string, string, string, string, string])[] = [
  ['00000001', '4F21B565BAD9835E112B6465635EAE44', 'AF8CB133A78F8DC2D1359F18527593FB', 'A2DC23DE6FDE0824A2BC321E08E4B8B7', 'A35C412EFD41FDB98B69797C02DCD08F'],
  ['00000002', '2F34D68DE10F68D38091A73B9E7C437C', 'D30BDC73EC9714B000BEC66BDB7B6D09', '484C3B06E8562704528CD5B46FB12FB6', 'D639514AA33AC43AD9229E433D6D4E5B'],
  ['00000003', '031504E530365CF81264238540518318', '7D69F01F3B45449F62C7816ECE723268', 'A5DF7D9D800CA769766F0C77CA4E6E6C', 'EF17F6AB45B4820C93A3DCB21BC491AD'],
  ['00000004', '0EEFC7ADA628BA68878DA9165A8A1887', '91A0588318EC2673214271F70137896E', 'E6E4679647D8A9057C1FC15537CB4C4E', 'B3BD44C08BB6BA27C3BB4711D7D70387'],
  ['00000005', 'C2A7AC328A5DA2D6002D62465BFC028B', '35A43BC9EFEB09C756204B57E3FB7D4D', '0588185FE1FF8C7E22FAD78C1C61F065', 'CA02DF6F30B39E14BD0B4A30E460920F'],
  ['00000006', 'D30F7D9351DA58448A2F5E92B4EE3B7D', '02DCC6CD1201A3A2CA7099559C862123', '7B60F72A5639C0EE7EB2100FA80BB793', 'C9B8A7C4E486180B2229115164F0B293'],
  ['00000007', 'A8253CEED9AC042C54F75D35C8352278', '6ECF912F3B18CA11A7A27BB60705FD09', 'BAA08CA263C69525BC6B1BA8F4275D69', '0FA8F1F0A2DD7B1005A862D77CDED698'],
  ['00000008', '718EE6CF0B27E53D5F7AF99C4D8146A2', '4D9DF3FBEE3448FC3E676D04320A90F5', '6FD572E5D59E618875F193484F9178FB', '650F34204ABD4E57764D61AC3D266FB1'],
];

// X9.24-3:2017 Supplement page 31: encrypted format 4 PIN blocks for PIN 1234, PAN 4111111111111111,
// random fill 2F69ADDE2E9E7ACE, under the PIN keys above (counters 1..8).
const AES_PIN_BLOCKS = [
  'A912150391AB65A67E52883D81CE2D15',
  '52A00503BD34BA1383F6A7EE9FE2547F',
  'A5A27E82B43A9A866A93D7ABE89CEF93',
  '71B3D0528669498777555A8BE6698E44',
  '881A7F77A2E04E5BEA985E342FD0B628',
  'BDC1C3871AFB0B340AA5B5CEFD08695E',
  '4A8E6B8C7DBEE6CBA6DC774F0CB83396',
  '8308BB857C17F390369F761F8EB358FA',
];

// X9.24-3:2017 Supplement pages 5 and 6: derivation keys at counter rollovers and the last counters.
const AES_LATER: readonly (readonly [string, string])[] = [
  ['0001FFFE', 'E21E8C8D347F8561A2BE752DAA85A111'],
  ['00020000', 'F7AE9025468A25D37B7249CFFED224C8'],
  ['00020001', '692C8EA4013645135B36497131DF9D2C'],
  ['FFFE2000', '48E585B694EB0B18D5C35443E163C0BA'],
  ['FFFE4000', '396C2C7CA1EA701C03B86B7D41F0C562'],
  ['FFFE8000', '0387625F189B58AE03EF0E8CCA41105E'],
  ['FFFF0000', 'F6BA59389BD14A9855BE9727E7C52E3C'],
];

describe('AES DUKPT (ANSI X9.24-3:2017)', () => {
  const ik = deriveAesInitialKey(AES_BDK, AES_IKID);

  test('initial key from AES-128 BDK and initial key ID (B.1)', () => {
    assert.equal(toHex(ik), AES_IK);
  });

  test('initial key from AES-256 BDK (Supplement)', () => {
    const bdk256 = fromHex('FEDCBA9876543210F1F1F1F1F1F1F1F1FEDCBA9876543210F1F1F1F1F1F1F1F1');
    assert.equal(
      toHex(deriveAesInitialKey(bdk256, AES_IKID)),
      'CE9CE0C101D1138F97FB6CAD4DF045A7083D4EAE2D35A31789D01CCF0949550F',
    );
  });

  test('derivation data layout: version, block counter, usage, algorithm, length, ID/counter', () => {
    const data = derivationData('PIN_ENCRYPTION', 'AES128', fromHex('9012345600000001'));
    assert.equal(toHex(data), '0101100000020080' + '9012345600000001');
  });

  AES_FIRST.forEach(([counter, txnKey, pinKey, macKey, dataKey], i) => {
    test(`KSN counter ${counter}: derivation, PIN, MAC and data keys and format 4 PIN block`, () => {
      const ksn = aesKsn(counter);
      const key = deriveAesTransactionKey(ik, ksn);
      assert.equal(toHex(key), txnKey);
      const pk = deriveAesWorkingKey(key, ksn, 'PIN_ENCRYPTION', 'AES128');
      assert.equal(toHex(pk), pinKey);
      assert.equal(toHex(deriveAesPinKeyFromBdk(AES_BDK, ksn)), pinKey);
      assert.equal(toHex(deriveAesWorkingKey(key, ksn, 'MAC_GENERATION', 'AES128')), macKey);
      assert.equal(toHex(deriveAesWorkingKey(key, ksn, 'DATA_ENCRYPT', 'AES128')), dataKey);
      const block = encipherFormat4(pk, '1234', '4111111111111111', fromHex('2F69ADDE2E9E7ACE'));
      assert.equal(toHex(block), AES_PIN_BLOCKS[i]);
      assert.equal(decipherFormat4(pk, block, '4111111111111111'), '1234');
    });
  });

  for (const [counter, txnKey] of AES_LATER) {
    test(`KSN counter ${counter}: derivation key`, () => {
      assert.equal(toHex(deriveAesTransactionKey(ik, aesKsn(counter))), txnKey);
    });
  }

  test('rejects bad KSNs, counters, initial key IDs and keys', () => {
    assert.equal(aesKsnCounter(aesKsn('FFFF0000')), 0xffff0000);
    throwsCode(() => deriveAesTransactionKey(ik, aesKsn('00000000')), 'KSN_COUNTER_INVALID');
    throwsCode(() => deriveAesTransactionKey(ik, aesKsn('0001FFFF')), 'KSN_COUNTER_INVALID');
    throwsCode(() => deriveAesTransactionKey(ik, fromHex('123456789012345600')), 'KSN_INVALID');
    throwsCode(() => deriveAesInitialKey(AES_BDK, fromHex('12345678')), 'INITIAL_KEY_ID_INVALID');
    throwsCode(() => deriveAesInitialKey(fromHex('0011'), AES_IKID), 'KEY_LENGTH_INVALID');
  });
});

test('DUKPT_ERROR_CODES are unique SCREAMING_SNAKE strings', () => {
  assert.equal(new Set(DUKPT_ERROR_CODES).size, DUKPT_ERROR_CODES.length);
  for (const code of DUKPT_ERROR_CODES) assert.match(code, /^[A-Z][A-Z0-9_]*$/);
});
