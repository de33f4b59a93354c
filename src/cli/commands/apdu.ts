import { CommandApdu } from '../../apdu/command-apdu.js';
import { ApduError } from '../../apdu/errors.js';
import { fromHex, toHex } from '../../apdu/hex.js';
import { ResponseApdu } from '../../apdu/response-apdu.js';
import { withT0Handling } from '../../apdu/t0.js';
import { ReaderError } from '../../drivers/pcsc/errors.js';
import type { ReaderDriver } from '../../drivers/pcsc/types.js';
import { redactString } from '../../log/redact.js';
import type { CliContext } from '../context.js';
import { errorLine, EXIT, UsageError } from '../exit-codes.js';

/** One command and its answer, as printed. */
export interface Exchange {
  readonly command: string;
  readonly response: string;
  readonly sw: string;
  readonly meaning: string;
}

/** The reader to use: the named one, else the only one holding a card. */
export async function pickReader(driver: ReaderDriver, name?: string): Promise<string> {
  const readers = await driver.listReaders();
  if (name !== undefined) {
    if (!readers.some((r) => r.name === name)) {
      throw new ReaderError('READER_NOT_FOUND', `no reader named "${name}"; readers: ${readers.map((r) => `"${r.name}"`).join(', ') || 'none'}`, { reader: name });
    }
    return name;
  }
  if (readers.length === 0) throw new ReaderError('NO_READER', 'no reader is connected');
  const withCard = readers.filter((r) => r.cardPresent);
  if (withCard.length === 0) throw new ReaderError('NO_CARD', 'no reader holds a card; insert one');
  if (withCard.length > 1) throw new UsageError(`several readers hold a card (${withCard.map((r) => `"${r.name}"`).join(', ')}): choose one with --reader`);
  return withCard[0].name;
}

/**
 * `posbridge apdu`: sends each command in order in one reader transaction, with T=0 handling (61xx, 6Cxx).
 * Card data is masked in the output (PANs, track 2). Exit 1 when the card refused a command (error SW) or gave
 * an unusable answer (e.g. under 2 bytes, endless 61xx): the exchanges up to then are printed, the failure on stderr.
 */
export async function apduCommand(ctx: CliContext, hexes: readonly string[], opts: { reader?: string; json?: boolean }): Promise<number> {
  const commands = hexes.map((h, i) => {
    try {
      return CommandApdu.parse(fromHex(h));
    } catch (err) {
      throw new UsageError(`command ${i + 1} ("${h}") is not a valid APDU: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  if (commands.length === 0) throw new UsageError('give at least one command APDU in hex, e.g. 00A404000E315041592E5359532E444446303100');
  const driver = await ctx.createReaderDriver();
  try {
    const reader = await pickReader(driver, opts.reader);
    const conn = await driver.connect(reader);
    const exchanges: Exchange[] = [];
    // An ApduError here comes from the card's answer, not from the user's input: exit 1, not 2 (bad usage).
    let badAnswer: ApduError | null = null;
    try {
      await conn.transaction(async (raw) => {
        const channel = withT0Handling(raw);
        for (const c of commands) {
          const r = ResponseApdu.parse(await channel.transmit(c.encode()));
          exchanges.push({ command: c.toHex(), response: redactString(toHex(r.data)), sw: r.swHex, meaning: r.status.meaning });
        }
      });
    } catch (err) {
      if (!(err instanceof ApduError)) throw err;
      badAnswer = err;
    } finally {
      await conn.disconnect();
    }
    if (opts.json) {
      ctx.out(JSON.stringify({ reader, exchanges }));
    } else {
      ctx.out(`Reader: ${reader}`);
      for (const e of exchanges) {
        ctx.out(`> ${e.command}`);
        ctx.out(`< ${e.response}${e.response ? ' ' : ''}${e.sw}  (${e.meaning})`);
      }
    }
    if (badAnswer) {
      ctx.err(`${errorLine(badAnswer)} (answer to command ${exchanges.length + 1}, ${commands[exchanges.length].toHex()})`);
      return EXIT.FAILED;
    }
    const refused = exchanges.some((e) => e.sw !== '9000' && !e.sw.startsWith('62') && !e.sw.startsWith('63'));
    return refused ? EXIT.FAILED : EXIT.OK;
  } finally {
    await driver.close();
  }
}
