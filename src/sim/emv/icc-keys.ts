import { concatBytes, fromHex } from '../../apdu/hex.js';
import { generateApplicationCryptogram, generateArpcMethod1, verifyArpcMethod1 } from '../../crypto/cryptogram.js';
import { deriveCommonSessionKey, deriveIccMasterKeyOptionA, deriveSessionKey } from '../../crypto/key-derivation.js';
import { retailMac, verifyRetailMac } from '../../crypto/retail-mac.js';
import { cryptogramInput } from './cryptogram-layout.js';
import type { ApplicationProfile } from './profile-types.js';

/** Length of the MAC at the end of an issuer script command's data (secure messaging format 2, Book 2 §9.2). */
export const SCRIPT_MAC_LENGTH = 8;

/**
 * The symmetric keys of one card application and what they compute: the application cryptogram, the ARPC
 * (method 1) and issuer script MACs. The card holds these ICC master keys; the issuer derives the same ones
 * from its master keys (issuer-keys.ts), so both sides share this code.
 */
export class IccKeys {
  /** Binds the ICC master keys for application cryptograms and for secure messaging integrity. */
  constructor(
    readonly acMasterKey: Uint8Array,
    readonly smiMasterKey: Uint8Array,
  ) {}

  /** Derives the ICC master keys from the profile's issuer master keys, PAN and PSN (Book 2 Annex A1.4.1 Option A). */
  static fromProfile(app: ApplicationProfile): IccKeys {
    return new IccKeys(deriveIccMasterKeyOptionA(fromHex(app.issuerMasterKey), app.pan, app.psn), deriveIccMasterKeyOptionA(fromHex(app.issuerScriptKey), app.pan, app.psn));
  }

  /** The AC session key for an ATC (Book 2 Annex A1.3.1, R = ATC || '00'x6). */
  sessionKey(atc: Uint8Array): Uint8Array {
    return deriveCommonSessionKey(this.acMasterKey, atc);
  }

  /** The application cryptogram over the layout of cryptogram-layout.ts. */
  cryptogram(atc: Uint8Array, cdolData: Uint8Array, aip: Uint8Array, iad: Uint8Array): Uint8Array {
    return generateApplicationCryptogram(this.sessionKey(atc), cryptogramInput(cdolData, aip, atc, iad));
  }

  /** ARPC method 1 (Book 2 §8.2.1) for an ARQC and a 2-byte ARC. */
  arpc(atc: Uint8Array, arqc: Uint8Array, arc: Uint8Array): Uint8Array {
    return generateArpcMethod1(this.sessionKey(atc), arqc, arc);
  }

  /** True when issuer authentication data (91 = ARPC || ARC) matches the ARQC the card gave under this ATC. */
  verifyIssuerAuthentication(atc: Uint8Array, arqc: Uint8Array, data91: Uint8Array): boolean {
    if (data91.length !== 10) return false;
    return verifyArpcMethod1(this.sessionKey(atc), arqc, data91.subarray(8, 10), data91.subarray(0, 8));
  }

  /**
   * The MAC of an issuer script command (secure messaging format 2, Book 2 §9.2): retail MAC (padding method 2,
   * 8 bytes) under the SMI session key (Book 2 Annex A1.3.1 with R = the ARQC) over CLA INS P1 P2 Lc || ATC ||
   * ARQC || plain data, Lc counting the MAC.
   */
  scriptMac(header: Uint8Array, plain: Uint8Array, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
    return retailMac(deriveSessionKey(this.smiMasterKey, arqc), scriptMacInput(header, plain, atc, arqc), { length: SCRIPT_MAC_LENGTH });
  }

  /** True when `mac` is the script command's MAC. */
  verifyScriptMac(header: Uint8Array, plain: Uint8Array, atc: Uint8Array, arqc: Uint8Array, mac: Uint8Array): boolean {
    return mac.length === SCRIPT_MAC_LENGTH && verifyRetailMac(deriveSessionKey(this.smiMasterKey, arqc), scriptMacInput(header, plain, atc, arqc), mac);
  }
}

function scriptMacInput(header: Uint8Array, plain: Uint8Array, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
  return concatBytes(header.subarray(0, 4), Uint8Array.of(plain.length + SCRIPT_MAC_LENGTH), atc, arqc, plain);
}
