// SELECT (EMV Book 1 §11.3, §12.3) and the directory files: the PSE with its records, the PPSE (EMV Book B §3.3).
import type { CommandApdu } from '../../apdu/command-apdu.js';
import { bytesEqual } from '../../apdu/hex.js';
import { encodeTlv } from '../../apdu/tlv.js';
import { newSession } from './card-state.js';
import { reply, status, SW, type CardContext } from './card-context.js';

const PSE = new TextEncoder().encode('1PAY.SYS.DDF01');
const PPSE = new TextEncoder().encode('2PAY.SYS.DDF01');
/** The PSE directory's SFI (Book 1 §12.2.2: 1-10). */
export const PSE_SFI = 1;

/** SELECT by DF name: P1 04; P2 00 first occurrence, 02 next occurrence (partial AIDs, Book 1 §12.3.3). */
export function select(ctx: CardContext, cmd: CommandApdu): Uint8Array {
  if (cmd.p1 !== 0x04 || (cmd.p2 !== 0x00 && cmd.p2 !== 0x02)) return status(SW.WRONG_P1P2);
  if (cmd.data.length < 1 || cmd.data.length > 16) return status(SW.WRONG_LENGTH);
  if (ctx.cardBlocked) return status(SW.FUNCTION_NOT_SUPPORTED);
  const previous = ctx.session.selected;
  // A SELECT ends whatever was going on (Book 1 §11.3): the new DF starts a fresh session.
  ctx.session = newSession();
  const name = cmd.data;
  if (bytesEqual(name, PSE)) return selectPse(ctx);
  if (bytesEqual(name, PPSE)) return selectPpse(ctx);
  let from = 0;
  if (cmd.p2 === 0x02 && previous?.kind === 'app' && bytesEqual(ctx.apps[previous.index].image.aid.subarray(0, name.length), name)) from = previous.index + 1;
  for (let i = from; i < ctx.apps.length; i++) {
    const app = ctx.apps[i];
    if (app.image.aid.length < name.length || !bytesEqual(app.image.aid.subarray(0, name.length), name)) continue;
    ctx.session.selected = { kind: 'app', index: i };
    ctx.session.phase = 'selected';
    return reply(app.image.fci, app.blocked ? SW.SELECTED_FILE_INVALIDATED : SW.OK);
  }
  return status(SW.FILE_NOT_FOUND);
}

function selectPse(ctx: CardContext): Uint8Array {
  if (!ctx.profile.pse || !ctx.profile.interfaces.includes('contact')) return status(SW.FILE_NOT_FOUND);
  ctx.session.selected = { kind: 'pse' };
  const fci = encodeTlv([
    {
      tag: 0x6f,
      children: [
        { tag: 0x84, value: PSE },
        { tag: 0xa5, children: [{ tag: 0x88, value: Uint8Array.of(PSE_SFI) }, { tag: 0x5f2d, value: new TextEncoder().encode('en') }] },
      ],
    },
  ]);
  return reply(fci);
}

function selectPpse(ctx: CardContext): Uint8Array {
  if (!ctx.profile.interfaces.includes('contactless')) return status(SW.FILE_NOT_FOUND);
  ctx.session.selected = { kind: 'ppse' };
  const fci = encodeTlv([
    { tag: 0x6f, children: [{ tag: 0x84, value: PPSE }, { tag: 0xa5, children: [{ tag: 0xbf0c, children: ctx.apps.map((a) => a.image.entry) }] }] },
  ]);
  return reply(fci);
}

/** The PSE directory record `n` (Book 1 §12.2.3): one 70 template per application, holding its 61 entry. */
export function pseRecord(ctx: CardContext, sfi: number, n: number): Uint8Array {
  if (sfi !== PSE_SFI) return status(SW.FILE_NOT_FOUND);
  const app = ctx.apps[n - 1];
  if (!app) return status(SW.RECORD_NOT_FOUND);
  return reply(encodeTlv([{ tag: 0x70, children: [app.image.entry] }]));
}
