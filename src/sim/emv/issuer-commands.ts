// What the issuer sends back through the terminal: EXTERNAL AUTHENTICATE (EMV Book 3 §6.5.4) and issuer script
// commands (Book 3 §10.10) with CLA 84, protected by secure messaging format 2 (Book 2 §9.2: MAC in the last 8 bytes).
import type { CommandApdu } from '../../apdu/command-apdu.js';
import { toHex } from '../../apdu/hex.js';
import { decodeTlv } from '../../apdu/tlv.js';
import type { AppState } from './card-state.js';
import { selectedApp, status, SW, type CardContext } from './card-context.js';
import { SCRIPT_MAC_LENGTH } from './icc-keys.js';
import { recordKey } from './personalise.js';

/** EXTERNAL AUTHENTICATE with 91 = ARPC (8) || ARC (2): once, after an ARQC and before the second GENERATE AC. */
export function externalAuthenticate(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.WRONG_P1P2);
  const app = selectedApp(ctx);
  const s = ctx.session;
  if (!app || s.phase !== 'online' || !s.first || s.issuerAuth !== 'none') return status(SW.CONDITIONS_NOT_SATISFIED);
  if (cmd.data.length !== 10) return status(SW.WRONG_LENGTH);
  const ok = app.image.keys.verifyIssuerAuthentication(s.first.atc, s.first.ac, cmd.data);
  s.issuerAuth = ok ? 'passed' : 'failed';
  return status(ok ? SW.OK : SW.AUTHENTICATION_FAILED);
}

/**
 * An issuer script command (CLA 84): allowed after this transaction's ARQC (its MAC key is derived from the ARQC),
 * MAC checked (6988 when wrong), then executed. Every command is recorded in the card's script log.
 */
export function scriptCommand(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  const app = selectedApp(ctx);
  const s = ctx.session;
  const header = toHex(Uint8Array.of(cmd.cla, cmd.ins, cmd.p1, cmd.p2));
  const plain = cmd.data.subarray(0, Math.max(0, cmd.data.length - SCRIPT_MAC_LENGTH));
  const record = (sw: number, macValid: boolean): Uint8Array => {
    ctx.scriptLog.push({ header, data: toHex(plain), macValid, sw: sw.toString(16).toUpperCase().padStart(4, '0') });
    s.scriptCommands++;
    if (sw !== SW.OK) s.scriptFailed = true;
    return status(sw);
  };
  if (!app || !s.first || s.first.type !== 'ARQC' || (s.phase !== 'online' && s.phase !== 'done')) return record(SW.CONDITIONS_NOT_SATISFIED, false);
  if (cmd.data.length < SCRIPT_MAC_LENGTH) return record(SW.WRONG_LENGTH, false);
  const mac = cmd.data.subarray(cmd.data.length - SCRIPT_MAC_LENGTH);
  if (!app.image.keys.verifyScriptMac(Uint8Array.of(cmd.cla, cmd.ins, cmd.p1, cmd.p2), plain, s.first.atc, s.first.ac, mac)) return record(SW.SM_INCORRECT, false);
  return record(execute(ctx, app, cmd, plain), true);
}

function execute(ctx: CardContext, app: AppState, cmd: CommandApdu, plain: Uint8Array): number {
  const p1p2 = (cmd.p1 << 8) | cmd.p2;
  switch (cmd.ins) {
    case 0x1e: // APPLICATION BLOCK (Book 3 §6.5.1): the second GENERATE AC answers AAC, SELECT 6283 from now on
      if (p1p2 !== 0 || plain.length) return p1p2 !== 0 ? SW.WRONG_P1P2 : SW.WRONG_LENGTH;
      app.blocked = true;
      return SW.OK;
    case 0x18: // APPLICATION UNBLOCK (§6.5.2)
      if (p1p2 !== 0 || plain.length) return p1p2 !== 0 ? SW.WRONG_P1P2 : SW.WRONG_LENGTH;
      app.blocked = false;
      return SW.OK;
    case 0x16: // CARD BLOCK (§6.5.3): every later SELECT answers 6A81
      if (p1p2 !== 0 || plain.length) return p1p2 !== 0 ? SW.WRONG_P1P2 : SW.WRONG_LENGTH;
      ctx.cardBlocked = true;
      return SW.OK;
    case 0x24: // PIN CHANGE/UNBLOCK (§6.5.10), P2 00: reset the try counter (PIN change is not supported)
      if (p1p2 !== 0) return SW.WRONG_P1P2;
      if (plain.length) return SW.WRONG_LENGTH;
      app.pinTries = app.image.profile.pinTryLimit;
      return SW.OK;
    case 0xda: // PUT DATA (ISO 7816-4 §11.4; Book 3 §10.10 leaves such commands to the issuer): offline limits
      return putData(app, p1p2, plain);
    case 0xdc: // UPDATE RECORD (ISO 7816-4 §11.3): P1 record, P2 SFI << 3 | 4; the data must be a 70 template
      return updateRecord(app, cmd, plain);
    default:
      return SW.INS_NOT_SUPPORTED;
  }
}

function putData(app: AppState, tag: number, value: Uint8Array): number {
  if (tag !== 0x9f14 && tag !== 0x9f23) return SW.REFERENCED_DATA_NOT_FOUND;
  if (value.length !== 1) return SW.WRONG_LENGTH;
  if (tag === 0x9f14) app.lowerLimit = value[0];
  else app.upperLimit = value[0];
  return SW.OK;
}

function updateRecord(app: AppState, cmd: CommandApdu, plain: Uint8Array): number {
  if ((cmd.p2 & 0x07) !== 0x04 || cmd.p1 === 0) return SW.WRONG_P1P2;
  const key = recordKey(cmd.p2 >> 3, cmd.p1);
  if (!app.records.has(key)) return SW.RECORD_NOT_FOUND;
  try {
    const nodes = decodeTlv(plain);
    if (nodes.length !== 1 || nodes[0].tag !== 0x70) return SW.WRONG_DATA;
  } catch {
    return SW.WRONG_DATA;
  }
  app.records.set(key, plain.slice());
  return SW.OK;
}
