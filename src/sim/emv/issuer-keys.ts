// The issuer's side of the virtual card, for the host simulator and tests: recompute the ARQC from field 55,
// produce the ARPC (issuer authentication data, tag 91) and MAC'd issuer scripts. Same keys and layouts as the card.
import { buildDolData, parseDol } from '../../apdu/dol.js';
import { bytesEqual, concatBytes, fromHex, toHex } from '../../apdu/hex.js';
import { decodeTlv, encodeTlv, type TlvNode } from '../../apdu/tlv.js';
import { dolFormatOf } from '../../emv/data-store.js';
import type { OnlineResponse } from '../../emv/types.js';
import { cvrOfIad, decodeCvr, type CvrFields } from './cryptogram-layout.js';
import { IccKeys } from './icc-keys.js';
import type { ApplicationProfile, ScriptCommandProfile, ScriptProfile } from './profile-types.js';

/** Why an ARQC did not verify. */
export type ArqcFailure = 'ICC_DATA_MALFORMED' | 'ICC_DATA_MISSING' | 'NOT_AN_ARQC' | 'IAD_UNKNOWN_FORMAT' | 'CRYPTOGRAM_MISMATCH';

/** The issuer's check of a first GENERATE AC's cryptogram from field 55. */
export type ArqcCheck =
  | { readonly ok: true; readonly atc: Uint8Array; readonly arqc: Uint8Array; readonly cvr: CvrFields }
  | { readonly ok: false; readonly reason: ArqcFailure; readonly atc: Uint8Array | null; readonly arqc: Uint8Array | null };

/** What the host decided, for `respond`. */
export interface IssuerDecision {
  readonly approve: boolean;
  /** Authorisation response code (8A), 2 characters; default '00' approved, '05' declined. */
  readonly responseCode?: string;
  readonly authCode?: string;
  /** Send the profile's issuer scripts (default true). */
  readonly scripts?: boolean;
  /** Corrupt the ARPC (tests of failed issuer authentication). */
  readonly badArpc?: boolean;
}

/** The issuer keys of one card application: ICC master keys derived from the profile's issuer master keys. */
export class IssuerKeys {
  readonly keys: IccKeys;

  /** Derives the application's ICC master keys (Book 2 Annex A1.4.1 Option A). */
  constructor(readonly application: ApplicationProfile) {
    this.keys = IccKeys.fromProfile(application);
  }

  /** CDOL1 data as the card received it, rebuilt from field 55 with the card's CDOL1 (the issuer knows it). */
  cdol1Data(iccData: Uint8Array): Uint8Array {
    const tags = tagMap(decodeTlv(iccData));
    return buildDolData(parseDol(fromHex(this.application.cdol1)), (t) => tags.get(t), dolFormatOf);
  }

  /** Recomputes the ARQC of field 55 (9F26 over CDOL1 data || AIP || ATC || IAD, cryptogram-layout.ts). */
  verifyArqc(iccData: Uint8Array): ArqcCheck {
    let tags: Map<number, Uint8Array>;
    try {
      tags = tagMap(decodeTlv(iccData));
    } catch {
      return { ok: false, reason: 'ICC_DATA_MALFORMED', atc: null, arqc: null };
    }
    const [arqc, cid, atc, aip, iad] = [0x9f26, 0x9f27, 0x9f36, 0x82, 0x9f10].map((t) => tags.get(t));
    if (!arqc || !cid || !atc || !aip || !iad || atc.length !== 2) return { ok: false, reason: 'ICC_DATA_MISSING', atc: atc ?? null, arqc: arqc ?? null };
    if ((cid[0] & 0xc0) !== 0x80) return { ok: false, reason: 'NOT_AN_ARQC', atc, arqc };
    const cvrBytes = cvrOfIad(iad);
    const cvr = cvrBytes ? decodeCvr(cvrBytes) : null;
    if (!cvr) return { ok: false, reason: 'IAD_UNKNOWN_FORMAT', atc, arqc };
    const expected = this.keys.cryptogram(atc, this.cdol1Data(iccData), aip, iad);
    return bytesEqual(expected, arqc) ? { ok: true, atc, arqc, cvr } : { ok: false, reason: 'CRYPTOGRAM_MISMATCH', atc, arqc };
  }

  /** Issuer authentication data (91): ARPC method 1 || ARC (Book 2 §8.2.1), ARC as 2 ASCII characters. */
  issuerAuthenticationData(atc: Uint8Array, arqc: Uint8Array, responseCode = '00'): Uint8Array {
    const arc = new TextEncoder().encode(responseCode.padEnd(2, ' ').slice(0, 2));
    return concatBytes(this.keys.arpc(atc, arqc, arc), arc);
  }

  /** One script command with CLA 84 and its MAC (secure messaging format 2), for this transaction's ATC and ARQC. */
  scriptCommand(c: ScriptCommandProfile, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
    const header = fromHex(`84${c.ins}${c.p1}${c.p2}`);
    const plain = fromHex(c.data);
    const data = concatBytes(plain, this.keys.scriptMac(header, plain, atc, arqc));
    return concatBytes(header, Uint8Array.of(data.length), data);
  }

  /** An issuer script template (71 or 72) with its identifier (9F18) and MAC'd commands (86), Book 3 §10.10. */
  scriptTemplate(script: ScriptProfile, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
    const children = [{ tag: 0x9f18, value: fromHex(script.id) }, ...script.commands.map((c) => ({ tag: 0x86, value: this.scriptCommand(c, atc, arqc) }))];
    return encodeTlv([{ tag: Number.parseInt(script.template, 16), children }]);
  }

  /**
   * The host's answer to field 55, as the kernel's `authorize` returns it: ARQC checked (a mismatch is declined
   * with 05 and no ARPC), then the ARPC over the response code and, when approving, the profile's scripts.
   */
  respond(iccData: Uint8Array, decision: IssuerDecision): OnlineResponse {
    const check = this.verifyArqc(iccData);
    if (!check.ok) return { outcome: 'declined', responseCode: '05' };
    const responseCode = decision.responseCode ?? (decision.approve ? '00' : '05');
    const data91 = this.issuerAuthenticationData(check.atc, check.arqc, responseCode);
    if (decision.badArpc) data91[0] ^= 0x01;
    const scripts = decision.scripts === false ? [] : this.application.behaviour.issuerScripts.map((s) => toHex(this.scriptTemplate(s, check.atc, check.arqc)));
    return {
      outcome: decision.approve ? 'approved' : 'declined',
      responseCode,
      issuerAuthenticationData: toHex(data91),
      ...(scripts.length ? { scripts } : {}),
      ...(decision.authCode ? { authCode: decision.authCode } : decision.approve ? { authCode: 'SIM001' } : {}),
    };
  }
}

function tagMap(nodes: readonly TlvNode[]): Map<number, Uint8Array> {
  return new Map(nodes.map((n) => [n.tag, n.value]));
}
