import { toHex } from '../../apdu/hex.js';
import { slotKind } from '../../drivers/pcsc/slot-kind.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** `posbridge readers`: the readers, which interface each slot is, whether a card is in each, and its ATR. */
export async function readersCommand(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  const driver = await ctx.createReaderDriver();
  try {
    const readers = (await driver.listReaders()).map((r) => ({ name: r.name, slot: slotKind(r.name, r.atr ?? null), cardPresent: r.cardPresent, atr: r.atr ? toHex(r.atr) : null }));
    if (opts.json) {
      ctx.out(JSON.stringify({ readers }));
    } else if (readers.length === 0) {
      ctx.out('No readers. Plug one in, or check `posbridge doctor`.');
    } else {
      for (const r of readers) ctx.out(`${r.name}\t${r.slot}\t${r.cardPresent ? `card present, ATR ${r.atr ?? '?'}` : 'no card'}`);
    }
    return readers.length === 0 ? EXIT.NO_SERVICE : EXIT.OK;
  } finally {
    await driver.close();
  }
}
