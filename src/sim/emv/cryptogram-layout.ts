// The virtual card's proprietary cryptogram version (EMV Book 2 §8.1 leaves the data and IAD format to the issuer):
// what the application cryptogram covers and how Issuer Application Data (9F10) is laid out. The card and the
// issuer side (issuer-keys.ts) both use this module, so they cannot drift apart.
//
// Application cryptogram (9F26), "posbridge CVN 01":
//   AC = retail MAC (ISO 9797-1 algorithm 3, padding method 2, 8 bytes; Book 2 Annex A1.2.1) under the AC session
//   key SK = common session key derivation (Book 2 Annex A1.3.1, R = ATC || 00..00) from the ICC master key
//   MK = Option A derivation (Book 2 Annex A1.4.1) from the issuer master key, the PAN and the PSN, over
//     CDOL-related data exactly as sent in this GENERATE AC (CDOL1 data for the first, CDOL2 data for the second)
//     || AIP (82, 2 bytes) || ATC (9F36, 2 bytes) || IAD (9F10, 7 bytes, below).
//
// Issuer Application Data (9F10), 7 bytes:
//   byte 1   Derivation Key Index '01'
//   byte 2   Cryptogram Version Number '01'
//   bytes 3-6 Card Verification Results (CVR), 4 bytes:
//     CVR byte 1: b8-7 AC type of the 2nd GENERATE AC (00 AAC, 01 TC, 10 not requested)
//                 b6-5 AC type of the 1st GENERATE AC (00 AAC, 01 TC, 10 ARQC)
//                 b4 CDA signature generated in this response
//                 b3 offline PIN verification performed   b2 offline PIN verification failed
//                 b1 unable to go online (8A = Y3 or Z3 in the CDOL2 data)
//     CVR byte 2: b8 last online transaction not completed (issuer authentication failed or missing)
//                 b7 PIN try limit exceeded   b6 lower consecutive offline limit exceeded
//                 b5 upper consecutive offline limit exceeded   b4 issuer authentication performed
//                 b3 issuer authentication failed   b2 new card (no online transaction yet)
//                 b1 transaction currency differs from the application currency (9F42)
//     CVR byte 3: b8-5 number of issuer script commands processed in this transaction (max 15)
//                 b4 issuer script processing failed   b3 amount not below the offline approval limit
//                 b2 the card declines offline (profile)   b1 application blocked by an issuer script
//     CVR byte 4: PIN try counter (tries left, 0-15)
//   byte 7   consecutive offline transactions since the last online one (saturates at 255)
import { concatBytes } from '../../apdu/hex.js';

/** Derivation key index: the first byte of the IAD. */
export const IAD_DKI = 0x01;
/** Cryptogram version number ("posbridge CVN 01", the layout above): the second byte of the IAD. */
export const IAD_CVN = 0x01;
/** Length of the IAD this card returns. */
export const IAD_LENGTH = 7;

/** Cryptogram types as the card reports them in the CVR. */
export type AcType = 'AAC' | 'TC' | 'ARQC';

/** The Card Verification Results, field by field (see the layout above). */
export interface CvrFields {
  readonly secondAc: 'AAC' | 'TC' | 'not-requested';
  readonly firstAc: AcType;
  readonly cdaSigned: boolean;
  readonly offlinePinPerformed: boolean;
  readonly offlinePinFailed: boolean;
  readonly unableToGoOnline: boolean;
  readonly lastOnlineNotCompleted: boolean;
  readonly pinTryLimitExceeded: boolean;
  readonly lowerLimitExceeded: boolean;
  readonly upperLimitExceeded: boolean;
  readonly issuerAuthPerformed: boolean;
  readonly issuerAuthFailed: boolean;
  readonly newCard: boolean;
  readonly foreignCurrency: boolean;
  readonly scriptCommands: number;
  readonly scriptFailed: boolean;
  readonly offlineAmountExceeded: boolean;
  readonly declinedByProfile: boolean;
  readonly applicationBlocked: boolean;
  readonly pinTries: number;
}

const FIRST: Readonly<Record<AcType, number>> = { AAC: 0, TC: 1, ARQC: 2 };
const SECOND: Readonly<Record<CvrFields['secondAc'], number>> = { AAC: 0, TC: 1, 'not-requested': 2 };

function bits(...flags: ReadonlyArray<readonly [boolean, number]>): number {
  let v = 0;
  for (const [on, mask] of flags) if (on) v |= mask;
  return v;
}

/** The 4 CVR bytes of `f`. */
export function encodeCvr(f: CvrFields): Uint8Array {
  const b1 = (SECOND[f.secondAc] << 6) | (FIRST[f.firstAc] << 4) | bits([f.cdaSigned, 0x08], [f.offlinePinPerformed, 0x04], [f.offlinePinFailed, 0x02], [f.unableToGoOnline, 0x01]);
  const b2 = bits(
    [f.lastOnlineNotCompleted, 0x80],
    [f.pinTryLimitExceeded, 0x40],
    [f.lowerLimitExceeded, 0x20],
    [f.upperLimitExceeded, 0x10],
    [f.issuerAuthPerformed, 0x08],
    [f.issuerAuthFailed, 0x04],
    [f.newCard, 0x02],
    [f.foreignCurrency, 0x01],
  );
  const b3 = (Math.min(f.scriptCommands, 15) << 4) | bits([f.scriptFailed, 0x08], [f.offlineAmountExceeded, 0x04], [f.declinedByProfile, 0x02], [f.applicationBlocked, 0x01]);
  return Uint8Array.of(b1, b2, b3, Math.min(f.pinTries, 15));
}

/** The fields of 4 CVR bytes; null when the length is wrong or a 2-bit code is reserved. */
export function decodeCvr(cvr: Uint8Array): CvrFields | null {
  if (cvr.length !== 4) return null;
  const [b1, b2, b3, b4] = cvr;
  const second = (['AAC', 'TC', 'not-requested'] as const)[b1 >> 6];
  const first = (['AAC', 'TC', 'ARQC'] as const)[(b1 >> 4) & 3];
  if (second === undefined || first === undefined) return null;
  const on = (b: number, m: number): boolean => (b & m) !== 0;
  return {
    secondAc: second,
    firstAc: first,
    cdaSigned: on(b1, 0x08),
    offlinePinPerformed: on(b1, 0x04),
    offlinePinFailed: on(b1, 0x02),
    unableToGoOnline: on(b1, 0x01),
    lastOnlineNotCompleted: on(b2, 0x80),
    pinTryLimitExceeded: on(b2, 0x40),
    lowerLimitExceeded: on(b2, 0x20),
    upperLimitExceeded: on(b2, 0x10),
    issuerAuthPerformed: on(b2, 0x08),
    issuerAuthFailed: on(b2, 0x04),
    newCard: on(b2, 0x02),
    foreignCurrency: on(b2, 0x01),
    scriptCommands: b3 >> 4,
    scriptFailed: on(b3, 0x08),
    offlineAmountExceeded: on(b3, 0x04),
    declinedByProfile: on(b3, 0x02),
    applicationBlocked: on(b3, 0x01),
    pinTries: b4,
  };
}

/** The 7-byte IAD: DKI, CVN, CVR, consecutive offline count. */
export function buildIad(cvr: Uint8Array, consecutiveOffline: number): Uint8Array {
  return concatBytes(Uint8Array.of(IAD_DKI, IAD_CVN), cvr, Uint8Array.of(Math.min(consecutiveOffline, 255)));
}

/** The CVR inside an IAD of this card's format; null for another format. */
export function cvrOfIad(iad: Uint8Array): Uint8Array | null {
  return iad.length === IAD_LENGTH && iad[0] === IAD_DKI && iad[1] === IAD_CVN ? iad.slice(2, 6) : null;
}

/** The data the application cryptogram covers: CDOL data as sent || AIP || ATC || IAD. */
export function cryptogramInput(cdolData: Uint8Array, aip: Uint8Array, atc: Uint8Array, iad: Uint8Array): Uint8Array {
  return concatBytes(cdolData, aip, atc, iad);
}
