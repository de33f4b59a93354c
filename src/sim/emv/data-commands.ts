// GET PROCESSING OPTIONS, READ RECORD, GET DATA and INTERNAL AUTHENTICATE (EMV Book 3 §6.5.7–6.5.11).
import type { CommandApdu } from '../../apdu/command-apdu.js';
import type { DolEntry } from '../../apdu/dol.js';
import { encodeTlv } from '../../apdu/tlv.js';
import { ddaDynamicData, signDynamicData } from '../../emv/oda/create.js';
import { u16 } from './card-state.js';
import { reply, selectedApp, status, SW, type CardContext } from './card-context.js';
import { recordKey } from './personalise.js';
import { qvsdcGpo } from './qvsdc-card.js';
import { pseRecord } from './selection-commands.js';

/** Length of the ICC Dynamic Number the card puts in DDA and CDA signatures (9F4C, 2-8 bytes). */
export const IDN_LENGTH = 8;

/** The value of command data `83 L V` (Book 3 §6.5.8.2), or null when the template or its length is wrong. */
function commandTemplateValue(data: Uint8Array): Uint8Array | null {
  if (data.length < 2 || data[0] !== 0x83) return null;
  let len = data[1];
  let off = 2;
  if (len === 0x81 && data.length >= 3) {
    len = data[2];
    off = 3;
  } else if (len > 0x7f) return null;
  return data.length === off + len ? data.subarray(off) : null;
}

/** Offset and length of `tag` in DOL-related data, or null when the DOL does not ask for it. */
export function dolField(dol: readonly DolEntry[], tag: number): { offset: number; length: number } | null {
  let offset = 0;
  for (const e of dol) {
    if (e.tag === tag) return { offset, length: e.length };
    offset += e.length;
  }
  return null;
}

/** Total length of a DOL's related data. */
export function dolLength(dol: readonly DolEntry[]): number {
  return dol.reduce((n, e) => n + e.length, 0);
}

/**
 * GET PROCESSING OPTIONS (Book 3 §6.5.8): only right after the application's SELECT; the PDOL data must have the
 * PDOL's length (else 6700). A blocked application, an exhausted ATC or (contactless) a reader without EMV mode
 * in its TTQ get 6985. The ATC is incremented here, once per transaction.
 */
export function getProcessingOptions(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.WRONG_P1P2);
  const app = selectedApp(ctx);
  if (!app || ctx.session.phase !== 'selected') return status(SW.CONDITIONS_NOT_SATISFIED);
  const pdolData = commandTemplateValue(cmd.data);
  if (!pdolData || pdolData.length !== dolLength(app.image.pdol)) return status(SW.WRONG_LENGTH);
  if (app.blocked || app.atc >= 0xffff) return status(SW.CONDITIONS_NOT_SATISFIED);
  const ttq = dolField(app.image.pdol, 0x9f66);
  // EMV Book C-3 §5.2: TTQ byte 1 bit 6 "EMV mode supported"; this card has no magnetic-stripe mode.
  if (ttq && (pdolData[ttq.offset] & 0x20) === 0) return status(SW.CONDITIONS_NOT_SATISFIED);
  if (app.image.profile.qvsdc) return qvsdcGpo(ctx, app, pdolData);
  app.atc++;
  ctx.session.pdolData = pdolData.slice();
  ctx.session.phase = 'initiated';
  const { aip, afl } = app.image;
  if (app.image.profile.responseFormat === 1) return reply(encodeTlv([{ tag: 0x80, value: new Uint8Array([...aip, ...afl]) }]));
  return reply(encodeTlv([{ tag: 0x77, children: [{ tag: 0x82, value: aip }, { tag: 0x94, value: afl }] }]));
}

/** READ RECORD (Book 3 §6.5.11): a record of the selected PSE or application; 6985 with nothing selected. */
export function readRecord(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  if ((cmd.p2 & 0x07) !== 0x04 || cmd.p1 === 0) return status(SW.WRONG_P1P2);
  const sfi = cmd.p2 >> 3;
  const sel = ctx.session.selected;
  if (!sel) return status(SW.CONDITIONS_NOT_SATISFIED);
  if (sel.kind === 'pse') return pseRecord(ctx, sfi, cmd.p1);
  const app = selectedApp(ctx);
  if (!app) return status(SW.FILE_NOT_FOUND); // the PPSE has no records
  const record = app.records.get(recordKey(sfi, cmd.p1));
  if (record) return reply(record);
  const sfiExists = [...app.records.keys()].some((k) => k.startsWith(`${sfi}:`));
  return status(sfiExists ? SW.RECORD_NOT_FOUND : SW.FILE_NOT_FOUND);
}

/** GET DATA (Book 3 §6.5.7): PIN try counter 9F17, ATC 9F36, last online ATC 9F13, offline limits 9F14/9F23. */
export function getData(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  const app = selectedApp(ctx);
  if (!app) return status(SW.CONDITIONS_NOT_SATISFIED);
  const tag = (cmd.p1 << 8) | cmd.p2;
  let value: Uint8Array | null = null;
  if (tag === 0x9f17) value = Uint8Array.of(app.pinTries);
  else if (tag === 0x9f36) value = u16(app.atc);
  else if (tag === 0x9f13) value = u16(app.lastOnlineAtc);
  else if (tag === 0x9f14 && app.lowerLimit !== null) value = Uint8Array.of(app.lowerLimit);
  else if (tag === 0x9f23 && app.upperLimit !== null) value = Uint8Array.of(app.upperLimit);
  if (!value) return status(SW.REFERENCED_DATA_NOT_FOUND);
  return reply(encodeTlv([{ tag, value }]));
}

/**
 * INTERNAL AUTHENTICATE (Book 3 §6.5.9, Book 2 §6.5.1): Signed Dynamic Application Data over a fresh ICC Dynamic
 * Number and the DDOL data sent. Only before GENERATE AC, only on a card with an ICC key (else 6D00).
 */
export function internalAuthenticate(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  const app = selectedApp(ctx);
  if (!app) return status(SW.CONDITIONS_NOT_SATISFIED);
  const key = app.image.iccKey;
  if (!key) return status(SW.INS_NOT_SUPPORTED);
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return status(SW.WRONG_P1P2);
  if (cmd.data.length === 0) return status(SW.WRONG_LENGTH);
  if (ctx.session.phase !== 'selected' && ctx.session.phase !== 'initiated') return status(SW.CONDITIONS_NOT_SATISFIED);
  const sdad = signDynamicData(key, ddaDynamicData(ctx.random(IDN_LENGTH)), cmd.data);
  if (app.image.profile.responseFormat === 1) return reply(encodeTlv([{ tag: 0x80, value: sdad }]));
  return reply(encodeTlv([{ tag: 0x77, children: [{ tag: 0x9f4b, value: sdad }] }]));
}
