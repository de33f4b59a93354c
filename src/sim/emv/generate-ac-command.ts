// GENERATE AC (EMV Book 3 §6.5.5) with card risk management and card action analysis (Book 3 §10.8, issuer
// defined: see BehaviourProfile), the cryptogram of cryptogram-layout.ts and CDA (Book 2 §6.6).
import type { CommandApdu } from '../../apdu/command-apdu.js';
import type { DolEntry } from '../../apdu/dol.js';
import { concatBytes, toHex } from '../../apdu/hex.js';
import { encodeTlv, type TlvInput } from '../../apdu/tlv.js';
import { signCdaDynamicData } from '../../emv/oda/create.js';
import { u16, type AppState } from './card-state.js';
import { reply, selectedApp, status, SW, type CardContext } from './card-context.js';
import { buildIad, encodeCvr, type AcType } from './cryptogram-layout.js';
import { dolField, dolLength, IDN_LENGTH } from './data-commands.js';

const CID: Readonly<Record<AcType, number>> = { AAC: 0x00, TC: 0x40, ARQC: 0x80 };
/** Authorisation response codes (8A) that mean "approved" (ISO 8583 00, 08, 10, 11). */
const APPROVED_ARC = ['00', '08', '10', '11'];

/** What the card's offline checks found (CVR bits and whether an offline approval is allowed). */
interface OfflineCheck {
  readonly allowed: boolean;
  readonly amountExceeded: boolean;
  readonly foreignCurrency: boolean;
  readonly lowerExceeded: boolean;
  readonly upperExceeded: boolean;
}

function field(dol: readonly DolEntry[], data: Uint8Array, tag: number): Uint8Array | null {
  const f = dolField(dol, tag);
  return f ? data.subarray(f.offset, f.offset + f.length) : null;
}

/** Card risk management for an offline approval: amount limit, currency, consecutive offline limit, PIN, history. */
function offlineCheck(app: AppState, cdol1Data: Uint8Array, limit: 'lower' | 'upper', pinFailed: boolean): OfflineCheck {
  const p = app.image.profile;
  const amountBcd = field(app.image.cdol1, cdol1Data, 0x9f02);
  const amount = amountBcd && /^\d+$/.test(toHex(amountBcd)) ? Number(toHex(amountBcd)) : null;
  const currency = field(app.image.cdol1, cdol1Data, 0x5f2a);
  const below = p.behaviour.approveOfflineBelow;
  const amountExceeded = below === null || amount === null || amount >= below;
  const foreignCurrency = currency !== null && toHex(currency) !== p.currency;
  const lowerExceeded = app.lowerLimit !== null && app.consecutiveOffline >= app.lowerLimit;
  const upperExceeded = app.upperLimit !== null && app.consecutiveOffline >= app.upperLimit;
  const limitExceeded = limit === 'lower' ? lowerExceeded || upperExceeded : upperExceeded;
  const allowed = !p.behaviour.declineOffline && !amountExceeded && !foreignCurrency && !limitExceeded && !pinFailed && app.pinTries > 0 && !app.lastOnlineNotCompleted;
  return { allowed, amountExceeded, foreignCurrency, lowerExceeded, upperExceeded };
}

/**
 * GENERATE AC: the first after GPO (CDOL1 data), the second after an ARQC (CDOL2 data); 6985 out of that order,
 * 6700 for data of the wrong length. Never a cryptogram higher than requested (AAC < ARQC < TC).
 */
export function generateAc(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  const requested = (['AAC', 'TC', 'ARQC'] as const)[cmd.p1 >> 6];
  if (requested === undefined || cmd.p2 !== 0) return status(SW.WRONG_P1P2);
  const app = selectedApp(ctx);
  const phase = ctx.session.phase;
  if (!app || (phase !== 'initiated' && phase !== 'online')) return status(SW.CONDITIONS_NOT_SATISFIED);
  const first = phase === 'online' ? ctx.session.first : null;
  const dol = first ? app.image.cdol2 : app.image.cdol1;
  if (cmd.data.length !== dolLength(dol)) return status(SW.WRONG_LENGTH);
  if (first && requested === 'ARQC') return status(SW.WRONG_P1P2); // Book 3 §6.5.5.2: the second asks TC or AAC
  return first ? secondAc(ctx, app, cmd, requested, first.cdolData) : firstAc(ctx, app, cmd, requested);
}

function firstAc(ctx: CardContext, app: AppState, cmd: CommandApdu, requested: AcType): Uint8Array {
  const check = offlineCheck(app, cmd.data, 'lower', ctx.session.offlinePinFailed);
  const decline = app.image.profile.behaviour.declineOffline;
  const type: AcType = requested === 'AAC' || decline ? 'AAC' : requested === 'ARQC' || !check.allowed ? 'ARQC' : 'TC';
  const response = respond(ctx, app, cmd, type, check, { firstAc: type, secondAc: 'not-requested', unable: false });
  ctx.session.first = { type, ac: response.ac, atc: u16(app.atc), cdolData: cmd.data.slice() };
  ctx.session.phase = type === 'ARQC' ? 'online' : 'done';
  if (type === 'TC') app.consecutiveOffline++;
  return response.bytes;
}

function secondAc(ctx: CardContext, app: AppState, cmd: CommandApdu, requested: AcType, cdol1Data: Uint8Array): Uint8Array {
  const s = ctx.session;
  const first = s.first;
  if (!first) return status(SW.CONDITIONS_NOT_SATISFIED);
  const arcBytes = field(app.image.cdol2, cmd.data, 0x8a) ?? new Uint8Array(2);
  const arc = String.fromCharCode(...arcBytes);
  const unable = arc === 'Y3' || arc === 'Z3';
  // Issuer authentication inside the second GENERATE AC when CDOL2 asks for 91 (Book 3 §10.9).
  const data91 = field(app.image.cdol2, cmd.data, 0x91);
  if (data91 && !unable && s.issuerAuth === 'none') s.issuerAuth = app.image.keys.verifyIssuerAuthentication(first.atc, first.ac, data91) ? 'passed' : 'failed';
  const iaSupported = (app.image.aip[0] & 0x04) !== 0;
  const check = offlineCheck(app, cdol1Data, 'upper', s.offlinePinFailed);
  let type: AcType;
  if (requested === 'AAC' || app.blocked) type = 'AAC';
  else if (unable) type = check.allowed ? 'TC' : 'AAC';
  else if (!APPROVED_ARC.includes(arc)) type = 'AAC';
  else type = iaSupported && s.issuerAuth !== 'passed' ? 'AAC' : 'TC';
  const response = respond(ctx, app, cmd, type, check, { firstAc: first.type, secondAc: type === 'TC' ? 'TC' : 'AAC', unable });
  s.phase = 'done';
  if (unable) {
    if (type === 'TC') app.consecutiveOffline++;
  } else if (!iaSupported || s.issuerAuth === 'passed') {
    app.lastOnlineAtc = app.atc;
    app.lastOnlineNotCompleted = false;
    if (APPROVED_ARC.includes(arc)) app.consecutiveOffline = 0;
  } else {
    app.lastOnlineNotCompleted = true;
  }
  return response.bytes;
}

/** Builds IAD, AC and the response (format 1, format 2, or format 2 with the CDA signature). */
function respond(
  ctx: CardContext,
  app: AppState,
  cmd: CommandApdu,
  type: AcType,
  check: OfflineCheck,
  acs: { firstAc: AcType; secondAc: 'AAC' | 'TC' | 'not-requested'; unable: boolean },
): { bytes: Uint8Array; ac: Uint8Array } {
  const s = ctx.session;
  const img = app.image;
  const sign = (cmd.p1 & 0x10) !== 0 && img.profile.oda === 'CDA' && img.iccKey !== null && type !== 'AAC';
  const cvr = encodeCvr({
    ...acs,
    unableToGoOnline: acs.unable,
    cdaSigned: sign,
    offlinePinPerformed: s.offlinePinPerformed,
    offlinePinFailed: s.offlinePinFailed,
    lastOnlineNotCompleted: app.lastOnlineNotCompleted,
    pinTryLimitExceeded: app.pinTries === 0,
    lowerLimitExceeded: check.lowerExceeded,
    upperLimitExceeded: check.upperExceeded,
    issuerAuthPerformed: s.issuerAuth !== 'none',
    issuerAuthFailed: s.issuerAuth === 'failed',
    newCard: app.lastOnlineAtc === 0,
    foreignCurrency: check.foreignCurrency,
    scriptCommands: s.scriptCommands,
    scriptFailed: s.scriptFailed,
    offlineAmountExceeded: check.amountExceeded,
    declinedByProfile: img.profile.behaviour.declineOffline,
    applicationBlocked: app.blocked,
    pinTries: app.pinTries,
  });
  const atc = u16(app.atc);
  const iad = buildIad(cvr, app.consecutiveOffline);
  const ac = img.keys.cryptogram(atc, cmd.data, img.aip, iad);
  const cid = Uint8Array.of(CID[type]);
  if (img.profile.responseFormat === 1) return { bytes: reply(encodeTlv([{ tag: 0x80, value: concatBytes(cid, atc, ac, iad) }])), ac };
  if (!sign || !img.iccKey) {
    const parts: TlvInput[] = [{ tag: 0x9f27, value: cid }, { tag: 0x9f36, value: atc }, { tag: 0x9f26, value: ac }, { tag: 0x9f10, value: iad }];
    return { bytes: reply(encodeTlv([{ tag: 0x77, children: parts }])), ac };
  }
  // Book 2 §6.6.1: the AC travels inside the signature; the hash covers PDOL data, CDOL data (CDOL1 || CDOL2 for
  // the second GENERATE AC) and the response's other data objects in order; the UN is the terminal's 9F37.
  const first = s.first;
  const cdolData = first ? concatBytes(first.cdolData, cmd.data) : cmd.data;
  const un = field(first ? img.cdol2 : img.cdol1, cmd.data, 0x9f37) ?? (first ? field(img.cdol1, first.cdolData, 0x9f37) : null) ?? new Uint8Array(0);
  const others: TlvInput[] = [{ tag: 0x9f27, value: cid }, { tag: 0x9f36, value: atc }, { tag: 0x9f10, value: iad }];
  const sdad = signCdaDynamicData(img.iccKey, {
    idn: ctx.random(IDN_LENGTH),
    cid: CID[type],
    ac,
    unpredictableNumber: un,
    pdolData: s.pdolData,
    cdolData,
    genAcResponseTlvsWithout9F4B: encodeTlv(others),
  });
  const parts: TlvInput[] = [others[0], others[1], { tag: 0x9f4b, value: sdad }, others[2]];
  return { bytes: reply(encodeTlv([{ tag: 0x77, children: parts }])), ac };
}
