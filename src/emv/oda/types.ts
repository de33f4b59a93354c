import type { RsaPublicKey } from '../../crypto/rsa.js';

/**
 * Why offline data authentication failed; stable identifiers a kernel maps to TVR bits
 * (EMV Book 3 §10.3: "SDA failed", "DDA failed", "CDA failed", "ICC data missing").
 */
export const ODA_FAILURE_REASONS = [
  /** The verifying key itself is unusable (modulus too short for the format, exponent zero). */
  'KEY_INVALID',
  /** Certificate or signature length differs from the verifying key's modulus length (Book 2 §5.3 step 1). */
  'LENGTH_MISMATCH',
  /** The value is not smaller than the modulus, so nothing can be recovered. */
  'SIGNATURE_OUT_OF_RANGE',
  /** Recovered data trailer is not 'BC' (Book 2 §5.3 step 2). */
  'TRAILER_INVALID',
  /** Recovered data header is not '6A' (Book 2 §5.3 step 3). */
  'HEADER_INVALID',
  /** Certificate or signed data format is not the one expected ('02', '03', '04' or '05'). */
  'FORMAT_INVALID',
  /** Hash algorithm indicator is not '01' (SHA-1), the only one Book 2 Annex B3 defines. */
  'HASH_ALGORITHM_UNSUPPORTED',
  /** A public key remainder the certificate needs is absent (Book 3 §10.3: "ICC data missing"). */
  'REMAINDER_MISSING',
  /** The recomputed hash differs from the recovered one. */
  'HASH_MISMATCH',
  /** Declared key or exponent lengths do not fit the certificate, remainder and exponent given. */
  'KEY_LENGTH_INVALID',
  /** Public key algorithm indicator is not '01' (RSA, Book 2 Annex B2). */
  'PK_ALGORITHM_UNSUPPORTED',
  /** Issuer identifier in the issuer certificate does not match the leftmost PAN digits (§5.3 step 8). */
  'ISSUER_IDENTIFIER_MISMATCH',
  /** Application PAN in the ICC certificate differs from the card's PAN (Book 2 §6.4 step 8). */
  'PAN_MISMATCH',
  /** Certificate expiration month is before the transaction month (§5.3 step 9, §6.4 step 9). */
  'CERTIFICATE_EXPIRED',
  /** ICC dynamic data length or layout is impossible (Book 2 §6.5.2, §6.6.2 Table 22). */
  'DYNAMIC_DATA_INVALID',
  /** CID in the signed dynamic data differs from the CID of the GENERATE AC response (Book 2 §6.6.2). */
  'CID_MISMATCH',
  /** Transaction data hash code differs from the hash of PDOL, CDOL and response data (Book 2 §6.6.2). */
  'TRANSACTION_DATA_HASH_MISMATCH',
] as const;

/** One ODA failure reason. */
export type OdaFailureReason = (typeof ODA_FAILURE_REASONS)[number];

/** A failed check; never thrown, returned. */
export interface OdaFailure {
  readonly ok: false;
  readonly reason: OdaFailureReason;
}

/** The transaction month, passed in because these modules read no clock. */
export interface CalendarMonth {
  /** Four-digit year, e.g. 2026. */
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
}

/** A certification authority public key as the terminal stores it (EMV Book 2 §11, CA public key management). */
export interface CaPublicKey extends RsaPublicKey {
  /** Registered Application Provider Identifier, 5 bytes (e.g. A000000003). */
  readonly rid: Uint8Array;
  /** Certification Authority Public Key Index (tag 8F). */
  readonly index: number;
  /** Key expiry as the scheme publishes it, informational (terminals must drop expired keys). */
  readonly expiry?: CalendarMonth;
  /** SHA-1 checksum over RID || index || modulus || exponent, when the scheme provides it. */
  readonly checksum?: Uint8Array;
}

/** What an issuer public key certificate says about the key it carries (EMV Book 2 §5.3, Table 6). */
export interface RecoveredIssuerKey {
  /** Modulus (leftmost digits || remainder 92) and exponent (9F32). */
  readonly key: RsaPublicKey;
  /** Leftmost 3-8 PAN digits padded with 'F' (4 bytes), as in the certificate. */
  readonly issuerIdentifier: Uint8Array;
  /** Certificate expiration month (MMYY in the certificate); undefined when not a valid MMYY. */
  readonly expiry: CalendarMonth | undefined;
  /** Certificate serial number, 3 bytes. */
  readonly serial: Uint8Array;
  /** Hash algorithm indicator (01 = SHA-1). */
  readonly hashAlgorithm: number;
  /** Issuer public key algorithm indicator (01 = RSA). */
  readonly pkAlgorithm: number;
  /** The whole recovered block 6A .. BC, for logs and diagnostics. */
  readonly recoveredBlock: Uint8Array;
}

/**
 * Result of issuer key recovery. When only the identifier or expiry checks fail, the failure still
 * carries both flags and the recovered key, so a kernel can set the precise TVR bits.
 */
export type IssuerKeyResult =
  | ({ readonly ok: true } & RecoveredIssuerKey)
  | {
      readonly ok: false;
      readonly reason: OdaFailureReason;
      readonly certificateExpired?: boolean;
      readonly identifierMismatch?: boolean;
      readonly recovered?: RecoveredIssuerKey;
    };

/** What an ICC public key certificate says about the key it carries (EMV Book 2 §6.4, Table 14). */
export interface RecoveredIccKey {
  /** Modulus (leftmost digits || remainder 9F48) and exponent (9F47). */
  readonly key: RsaPublicKey;
  /** Application PAN padded with 'F' (10 bytes), as in the certificate. */
  readonly pan: Uint8Array;
  /** Certificate expiration month; undefined when not a valid MMYY. */
  readonly expiry: CalendarMonth | undefined;
  /** Certificate serial number, 3 bytes. */
  readonly serial: Uint8Array;
  /** Hash algorithm indicator (01 = SHA-1). */
  readonly hashAlgorithm: number;
  /** ICC public key algorithm indicator (01 = RSA). */
  readonly pkAlgorithm: number;
  /** The whole recovered block 6A .. BC. */
  readonly recoveredBlock: Uint8Array;
}

/** Result of ICC key recovery; PAN and expiry failures carry both flags and the recovered key. */
export type IccKeyResult =
  | ({ readonly ok: true } & RecoveredIccKey)
  | {
      readonly ok: false;
      readonly reason: OdaFailureReason;
      readonly certificateExpired?: boolean;
      readonly panMismatch?: boolean;
      readonly recovered?: RecoveredIccKey;
    };

/** Result of SDA: the Data Authentication Code (9F45) on success. */
export type SdaResult = { readonly ok: true; readonly dac: Uint8Array; readonly recoveredBlock: Uint8Array } | OdaFailure;

/** Result of DDA: ICC Dynamic Number (9F4C) and the whole ICC dynamic data on success. */
export type DdaResult =
  | { readonly ok: true; readonly idn: Uint8Array; readonly iccDynamicData: Uint8Array; readonly recoveredBlock: Uint8Array }
  | OdaFailure;

/** Result of CDA: IDN (9F4C), CID (9F27), AC (9F26) and transaction data hash code on success. */
export type CdaResult =
  | {
      readonly ok: true;
      readonly idn: Uint8Array;
      readonly cid: number;
      readonly ac: Uint8Array;
      readonly transactionDataHash: Uint8Array;
      readonly iccDynamicData: Uint8Array;
      readonly recoveredBlock: Uint8Array;
    }
  | OdaFailure;
