import { concatBytes, fromHex } from '../../apdu/hex.js';
import { panDigits } from '../../crypto/bytes.js';
import { EmvCryptoError } from '../../crypto/errors.js';
import { rsaSign, sha1, type RsaPrivateKey, type RsaPublicKey } from '../../crypto/rsa.js';
import { cdaTransactionDataHash } from './dynamic-signature.js';

// The card-issuing side of EMV Book 2 §5 and §6, for the virtual card simulator: the same formats the
// verify side recovers, signed with raw RSA (Annex A2.1). Hash and PK algorithm indicators are '01'.

/** Issuer public key certificate data objects (tags 90, 92, 9F32). */
export interface IssuerCertificate {
  readonly cert90: Uint8Array;
  /** Empty when the whole modulus fits in the certificate (then the card has no tag 92). */
  readonly remainder92: Uint8Array;
  readonly exponent9F32: Uint8Array;
}

/** ICC public key certificate data objects (tags 9F46, 9F48, 9F47). */
export interface IccCertificate {
  readonly cert9F46: Uint8Array;
  /** Empty when the whole modulus fits in the certificate (then the card has no tag 9F48). */
  readonly remainder9F48: Uint8Array;
  readonly exponent9F47: Uint8Array;
}

/** What a CDA signature certifies (Book 2 §6.6.1, Table 22) and the data its hashes cover. */
export interface CdaSigningInputs {
  readonly idn: Uint8Array;
  readonly cid: number;
  readonly ac: Uint8Array;
  readonly unpredictableNumber: Uint8Array;
  readonly pdolData: Uint8Array;
  readonly cdolData: Uint8Array;
  readonly genAcResponseTlvsWithout9F4B: Uint8Array;
}

function invalid(message: string): EmvCryptoError {
  return new EmvCryptoError('CERT_FIELD_INVALID', message);
}

/** 6A || format || body || SHA-1(format || body || hashed...) || BC, signed with the private key. */
function signBlock(key: RsaPrivateKey, format: number, body: Uint8Array, ...hashed: readonly Uint8Array[]): Uint8Array {
  const n = key.modulus.length;
  if (body.length !== n - 23) throw invalid(`signed body must be ${n - 23} bytes for this key, got ${body.length}`);
  const head = concatBytes(Uint8Array.of(format), body);
  return rsaSign(key, concatBytes(Uint8Array.of(0x6a), head, sha1(head, ...hashed), Uint8Array.of(0xbc)));
}

/** The modulus split into the certificate's field (padded with 'BB') and the remainder. */
function splitKey(key: RsaPublicKey, fieldLength: number, signer: RsaPublicKey): [Uint8Array, Uint8Array] {
  if (key.modulus.length > signer.modulus.length) {
    throw new EmvCryptoError('RSA_KEY_INVALID', 'the certified key must not be longer than the certifying key (Book 2 §5.1, §6.1)');
  }
  if (key.exponent.length !== 1 && key.exponent.length !== 3) throw invalid('public exponent must be 1 or 3 bytes');
  if (key.modulus.length > fieldLength) {
    return [key.modulus.slice(0, fieldLength), key.modulus.slice(fieldLength)];
  }
  const field = new Uint8Array(fieldLength).fill(0xbb);
  field.set(key.modulus, 0);
  return [field, new Uint8Array(0)];
}

function expiryBytes(mmyy: string): Uint8Array {
  if (!/^(0[1-9]|1[0-2])[0-9]{2}$/.test(mmyy)) throw invalid(`expiry must be MMYY, got '${mmyy}'`);
  return fromHex(mmyy);
}

function checkSerial(serial: Uint8Array): void {
  if (serial.length !== 3) throw invalid(`certificate serial number must be 3 bytes, got ${serial.length}`);
}

/** Issuer public key certificate (90, 92, 9F32) signed by the CA, EMV Book 2 §5.3 Table 6; identifier = 3-8 PAN digits. */
export function makeIssuerCertificate(
  caPrivateKey: RsaPrivateKey,
  issuerPublicKey: RsaPublicKey,
  issuerIdentifier: string,
  expiryMmyy: string,
  serial: Uint8Array,
): IssuerCertificate {
  if (!/^[0-9]{3,8}$/.test(issuerIdentifier)) throw invalid('issuer identifier must be 3-8 PAN digits');
  checkSerial(serial);
  const [field, remainder] = splitKey(issuerPublicKey, caPrivateKey.modulus.length - 36, caPrivateKey);
  const body = concatBytes(
    fromHex(issuerIdentifier.padEnd(8, 'F')),
    expiryBytes(expiryMmyy),
    serial,
    Uint8Array.of(0x01, 0x01, issuerPublicKey.modulus.length, issuerPublicKey.exponent.length),
    field,
  );
  const cert90 = signBlock(caPrivateKey, 0x02, body, remainder, issuerPublicKey.exponent);
  return { cert90, remainder92: remainder, exponent9F32: Uint8Array.from(issuerPublicKey.exponent) };
}

/** ICC public key certificate (9F46, 9F48, 9F47) signed by the issuer, EMV Book 2 §6.4 Table 14. */
export function makeIccCertificate(
  issuerPrivateKey: RsaPrivateKey,
  iccPublicKey: RsaPublicKey,
  pan: string | Uint8Array,
  expiryMmyy: string,
  serial: Uint8Array,
  staticDataToAuthenticate: Uint8Array,
): IccCertificate {
  const digits = panDigits(pan);
  if (digits === undefined) throw new EmvCryptoError('PAN_INVALID', 'PAN must be 1-19 decimal digits');
  checkSerial(serial);
  const [field, remainder] = splitKey(iccPublicKey, issuerPrivateKey.modulus.length - 42, issuerPrivateKey);
  const body = concatBytes(
    fromHex(digits.padEnd(20, 'F')),
    expiryBytes(expiryMmyy),
    serial,
    Uint8Array.of(0x01, 0x01, iccPublicKey.modulus.length, iccPublicKey.exponent.length),
    field,
  );
  const cert9F46 = signBlock(issuerPrivateKey, 0x04, body, remainder, iccPublicKey.exponent, staticDataToAuthenticate);
  return { cert9F46, remainder9F48: remainder, exponent9F47: Uint8Array.from(iccPublicKey.exponent) };
}

/** Signed Static Application Data (93), EMV Book 2 §5.4 Table 7 (format 03), with a 2-byte DAC. */
export function signStaticData(issuerPrivateKey: RsaPrivateKey, dac: Uint8Array, staticDataToAuthenticate: Uint8Array): Uint8Array {
  if (dac.length !== 2) throw invalid(`data authentication code must be 2 bytes, got ${dac.length}`);
  const pad = new Uint8Array(issuerPrivateKey.modulus.length - 26).fill(0xbb);
  return signBlock(issuerPrivateKey, 0x03, concatBytes(Uint8Array.of(0x01), dac, pad), staticDataToAuthenticate);
}

/**
 * Signed Dynamic Application Data (9F4B) over ICC and terminal dynamic data (DDOL data or UN), Book 2 §6.5.1 Table 17;
 * `format` '05', or '95' for a contactless fDDA signature (Book C-3), same layout.
 */
export function signDynamicData(iccPrivateKey: RsaPrivateKey, iccDynamicData: Uint8Array, terminalDynamicData: Uint8Array, format: 0x05 | 0x95 = 0x05): Uint8Array {
  const room = iccPrivateKey.modulus.length - 25;
  if (iccDynamicData.length > room || iccDynamicData.length > 255) {
    throw invalid(`ICC dynamic data must be at most ${Math.min(room, 255)} bytes for this key`);
  }
  const pad = new Uint8Array(room - iccDynamicData.length).fill(0xbb);
  const body = concatBytes(Uint8Array.of(0x01, iccDynamicData.length), iccDynamicData, pad);
  return signBlock(iccPrivateKey, format, body, terminalDynamicData);
}

/** ICC dynamic data for DDA: IDN length || ICC Dynamic Number (9F4C, 2-8 bytes), Book 2 §6.5.1. */
export function ddaDynamicData(idn: Uint8Array): Uint8Array {
  if (idn.length < 2 || idn.length > 8) throw invalid(`ICC dynamic number must be 2-8 bytes, got ${idn.length}`);
  return concatBytes(Uint8Array.of(idn.length), idn);
}

/** ICC dynamic data for CDA, Book 2 §6.6.1 Table 22: IDN length || IDN || CID || AC || transaction data hash code. */
export function cdaDynamicData(idn: Uint8Array, cid: number, ac: Uint8Array, transactionDataHash: Uint8Array): Uint8Array {
  if (ac.length !== 8) throw invalid(`application cryptogram must be 8 bytes, got ${ac.length}`);
  if (transactionDataHash.length !== 20) throw invalid('transaction data hash code must be 20 bytes');
  return concatBytes(ddaDynamicData(idn), Uint8Array.of(cid & 0xff), ac, transactionDataHash);
}

/** CDA's Signed Dynamic Application Data (9F4B) for a GENERATE AC response, Book 2 §6.6.1. */
export function signCdaDynamicData(iccPrivateKey: RsaPrivateKey, inputs: CdaSigningInputs): Uint8Array {
  const hash = cdaTransactionDataHash(inputs.pdolData, inputs.cdolData, inputs.genAcResponseTlvsWithout9F4B);
  return signDynamicData(iccPrivateKey, cdaDynamicData(inputs.idn, inputs.cid, inputs.ac, hash), inputs.unpredictableNumber);
}
