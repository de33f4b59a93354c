import { describeAtr } from '../../apdu/atr-list.js';
import { parseAtr } from '../../apdu/atr.js';
import { fromHex } from '../../apdu/hex.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** `posbridge atr HEX`: the ATR decoded per ISO 7816-3, with the card's description from smartcard_list.txt. */
export async function atrCommand(ctx: CliContext, hex: string, opts: { json?: boolean }): Promise<number> {
  const atr = parseAtr(fromHex(hex));
  const description = describeAtr(ctx.atrList(), atr.atr);
  if (opts.json) {
    ctx.out(
      JSON.stringify({
        atr: atr.atr,
        convention: atr.convention,
        protocols: atr.protocols,
        interfaceBytes: atr.interfaceBytes,
        historicalBytes: atr.historicalBytes,
        historical: atr.historical,
        tckValid: atr.tckValid,
        notes: atr.notes,
        description,
      }),
    );
    return EXIT.OK;
  }
  ctx.out(`ATR: ${atr.atr}`);
  ctx.out(`Convention: ${atr.convention}`);
  ctx.out(`Protocols: ${atr.protocols.join(', ')}`);
  for (const [k, v] of Object.entries(atr.interfaceBytes)) ctx.out(`  ${k} = ${v}`);
  for (const n of atr.notes) ctx.out(`  ${n}`);
  ctx.out(`Historical bytes: ${atr.historicalBytes || '(none)'}`);
  if (atr.historical.category) ctx.out(`  category ${atr.historical.category}`);
  for (const o of atr.historical.objects) ctx.out(`  ${o.name}: ${o.value}`);
  if (atr.historical.status) ctx.out(`  status: ${atr.historical.status}`);
  ctx.out(`TCK: ${atr.tckValid === null ? 'absent' : atr.tckValid ? 'valid' : 'WRONG'}`);
  if (description.length) {
    ctx.out('Known as:');
    for (const d of description) ctx.out(`  ${d}`);
  }
  return EXIT.OK;
}
