import { readFileSync, existsSync } from 'node:fs';
import { parseAtrList, SMARTCARD_LIST_PATH, type AtrListEntry } from '../apdu/atr-list.js';
import { PcscReaderDriver } from '../drivers/pcsc/pcsc-driver.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import type { Logger } from '../log/logger.js';
import { PUBLISHED_CA_KEYS } from '../emv/ca-keys.js';
import { defaultTerminalConfig } from '../emv/terminal-defaults.js';
import type { TerminalConfig } from '../emv/types.js';

/** What every CLI command may use: output streams, a reader driver factory, the ATR list. Injected for tests. */
export interface CliContext {
  /** Writes one line (no newline needed) to standard output. */
  readonly out: (line: string) => void;
  /** Writes one line to standard error. */
  readonly err: (line: string) => void;
  /** Builds the reader driver the commands use (the real PC/SC one outside tests and the demo). */
  readonly createReaderDriver: () => Promise<ReaderDriver>;
  /** The smartcard_list.txt entries, or [] when the file is absent. */
  readonly atrList: () => AtrListEntry[];
  /** The EMV terminal configuration `emv` commands run with; `testKeys` adds the simulators' test CA (--test-keys). */
  readonly terminalConfig: (testKeys: boolean) => Promise<TerminalConfig>;
  readonly logger?: Logger;
}

/** The context of the real CLI: process streams, the PC/SC driver, pcsc-tools' ATR list when installed. */
export function processContext(logger?: Logger): CliContext {
  let list: AtrListEntry[] | null = null;
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    createReaderDriver: () => PcscReaderDriver.create({ logger }),
    atrList: () => (list ??= existsSync(SMARTCARD_LIST_PATH) ? parseAtrList(readFileSync(SMARTCARD_LIST_PATH, 'utf8')) : []),
    // The scheme's published CA keys only, unless --test-keys asks for the simulators' test CA too (virtual cards on
    // the test stand): that key's private half is public, so a card signed with it proves nothing in a shop.
    terminalConfig: async (testKeys) => defaultTerminalConfig([...PUBLISHED_CA_KEYS, ...(testKeys ? (await import('../sim/emv/sim-keys.js')).simCaKeys() : [])]),
    logger,
  };
}
