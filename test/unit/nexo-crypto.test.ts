// The nexo message security checked against Adyen's own Node library (@adyen/api-library, dev dependency): what
// theirs encrypts ours decrypts, what ours encrypts theirs decrypts, and the failures have their codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import adyen from '@adyen/api-library';
import keyGenerator from '@adyen/api-library/lib/src/security/nexoDerivedKeyGenerator.js';
import { decryptMessage, deriveKeys, encryptMessage, type SecuredMessage } from '../../src/nexo/nexo-crypto.js';
import { NexoError } from '../../src/nexo/errors.js';

const key = { keyIdentifier: 'posbridge-demo', keyVersion: 1, passphrase: 'posbridge-demo-passphrase' };
const theirKey = { KeyIdentifier: key.keyIdentifier, KeyVersion: key.keyVersion, Passphrase: key.passphrase, AdyenCryptoVersion: 1 };
const header = { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: 'Payment', MessageType: 'Request', SaleID: 'till-1', ServiceID: 'svc-1', POIID: 'posbridge-A' };
const body = JSON.stringify({ SaleToPOIRequest: { MessageHeader: header, PaymentRequest: { SaleData: { SaleTransactionID: { TransactionID: 'r1', TimeStamp: '2026-01-01T00:00:00Z' } }, PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 12.34 } } } } });


test('key derivation: 80 bytes of PBKDF2-HMAC-SHA1 split 32/32/16, equal to Adyen\'s', () => {
  const ours = deriveKeys(key.passphrase);
  const theirs = keyGenerator.default.deriveKeyMaterial(key.passphrase);
  assert.deepEqual([ours.hmacKey, ours.cipherKey, ours.iv].map((b) => b.toString('hex')), [theirs.hmacKey, theirs.cipherKey, theirs.iv].map((b) => b.toString('hex')));
});

test('a message Adyen\'s library encrypts decrypts with ours, HMAC verified', () => {
  const secured = adyen.NexoCrypto.encrypt(header as never, body, theirKey) as unknown as SecuredMessage;
  assert.equal(decryptMessage(secured, key), body);
});

test('a message ours encrypts decrypts with Adyen\'s library', () => {
  const secured = encryptMessage(header, body, key);
  assert.equal(secured.SecurityTrailer.AdyenCryptoVersion, 1);
  assert.equal(Buffer.from(secured.SecurityTrailer.Nonce, 'base64').length, 16);
  const plain = new adyen.NexoCrypto().decrypt(secured as never, theirKey);
  assert.equal(plain, body);
});

test('the same nonce and key give the same blob as Adyen\'s cipher (AES-256-CBC, IV XOR nonce)', () => {
  const a = encryptMessage(header, body, key);
  const b = encryptMessage(header, body, key, Buffer.from(a.SecurityTrailer.Nonce, 'base64'));
  assert.equal(a.NexoBlob, b.NexoBlob);
  assert.equal(a.SecurityTrailer.Hmac, b.SecurityTrailer.Hmac);
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof NexoError);
    return err.code;
  }
  return 'no error';
}

test('another key identifier, key version, passphrase or an altered HMAC are refused with their codes', () => {
  const secured = adyen.NexoCrypto.encrypt(header as never, body, theirKey) as unknown as SecuredMessage;
  assert.equal(codeOf(() => decryptMessage(secured, { ...key, keyIdentifier: 'other' })), 'NEXO_KEY_UNKNOWN');
  assert.equal(codeOf(() => decryptMessage(secured, { ...key, keyVersion: 2 })), 'NEXO_KEY_VERSION');
  assert.equal(codeOf(() => decryptMessage(secured, { ...key, passphrase: 'another passphrase' })), 'NEXO_HMAC_INVALID');
  const hmac = Buffer.from(secured.SecurityTrailer.Hmac, 'base64');
  hmac[0] = (hmac[0] ?? 0) ^ 1;
  const altered = { ...secured, SecurityTrailer: { ...secured.SecurityTrailer, Hmac: hmac.toString('base64') } };
  assert.equal(codeOf(() => decryptMessage(altered, key)), 'NEXO_HMAC_INVALID');
});
