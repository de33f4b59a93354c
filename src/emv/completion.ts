import { CommandApdu } from '../apdu/command-apdu.js';
import { ApduError } from '../apdu/errors.js';
import { concatBytes } from '../apdu/hex.js';
import { decodeTlv, findTlv } from '../apdu/tlv.js';
import { parseDol } from '../apdu/dol.js';
import type { CardIo } from './card-io.js';
import type { EmvDataStore } from './data-store.js';
import type { BitField, TsiBit, TvrBit } from './tvr.js';

/**
 * Issuer authentication (EMV Book 3 §10.9): with issuer authentication data (91) and AIP bit "issuer
 * authentication supported", EXTERNAL AUTHENTICATE unless the card takes 91 in CDOL2 (then it checks 91 inside
 * the second GENERATE AC). A refusal sets "issuer authentication failed".
 */
export async function issuerAuthentication(io: CardIo, store: EmvDataStore, tvr: BitField<TvrBit>, tsi: BitField<TsiBit>, iad91: Uint8Array | null): Promise<void> {
  if (!iad91) return;
  store.setTerminal(0x91, iad91);
  const aip = store.getCard(0x82) ?? new Uint8Array(2);
  if ((aip[0] & 0x04) === 0) return;
  tsi.set('issuerAuthenticationPerformed');
  // With 91 in CDOL2 the card checks it inside the second GENERATE AC (Book 3 §10.9).
  const cdol2 = store.getCard(0x8d);
  if (cdol2 && parseDol(cdol2).some((e) => e.tag === 0x91)) return;
  const r = await io.send('issuer-authentication', CommandApdu.externalAuthenticate(iad91));
  if (!r.isOk) tvr.set('issuerAuthenticationFailed');
}

/** One issuer script's result, 5 bytes of Issuer Script Results (9F5B, Book 4 Annex A5). */
export type ScriptResult = Uint8Array;

/**
 * Issuer script processing (Book 3 §10.10): each template's commands (86) in order until one fails (SW1 other
 * than 90, 62, 63); results per script; TVR "script processing failed before/after final GENERATE AC".
 * A malformed template counts as a failed script, it never ends the transaction.
 */
export async function runIssuerScripts(
  io: CardIo,
  templates: readonly Uint8Array[],
  tvr: BitField<TvrBit>,
  tsi: BitField<TsiBit>,
  when: 'before' | 'after',
): Promise<ScriptResult[]> {
  const results: ScriptResult[] = [];
  for (const t of templates) {
    tsi.set('scriptProcessingPerformed');
    let id = new Uint8Array(4);
    let commands: Uint8Array[] = [];
    try {
      const node = decodeTlv(t)[0];
      const sid = findTlv(node.children, 0x9f18);
      if (sid && sid.value.length === 4) id = sid.value.slice();
      commands = node.children.filter((n) => n.tag === 0x86).map((n) => n.value);
    } catch (err) {
      if (!(err instanceof ApduError)) throw err;
      tvr.set(when === 'before' ? 'scriptFailedBeforeFinalAc' : 'scriptFailedAfterFinalAc');
      results.push(concatBytes(Uint8Array.of(0x10), id));
      continue;
    }
    let status = 0x20;
    for (let i = 0; i < commands.length; i++) {
      let ok = false;
      try {
        const r = await io.send('scripts', CommandApdu.parse(commands[i]));
        ok = r.sw1 === 0x90 || r.sw1 === 0x62 || r.sw1 === 0x63;
      } catch (err) {
        // A malformed script command fails the script, not the sale. After the final GENERATE AC nothing can change
        // the outcome: losing the card there fails this script and leaves the rest not performed.
        if (when === 'after' && !(err instanceof ApduError)) {
          tvr.set('scriptFailedAfterFinalAc');
          results.push(concatBytes(Uint8Array.of(0x10 | Math.min(i + 1, 15)), id));
          for (let k = results.length; k < templates.length; k++) results.push(new Uint8Array(5));
          return results;
        }
        if (!(err instanceof ApduError)) throw err;
      }
      if (!ok) {
        status = 0x10 | Math.min(i + 1, 15);
        tvr.set(when === 'before' ? 'scriptFailedBeforeFinalAc' : 'scriptFailedAfterFinalAc');
        break;
      }
    }
    results.push(concatBytes(Uint8Array.of(status), id));
  }
  return results;
}
