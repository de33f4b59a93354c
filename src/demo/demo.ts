import { toHex } from '../apdu/hex.js';
import type { CliContext } from '../cli/context.js';
import { processContext } from '../cli/context.js';
import { runCli } from '../cli/program.js';
import { PcscReaderDriver } from '../drivers/pcsc/pcsc-driver.js';
import type { ReaderDriver } from '../drivers/pcsc/types.js';
import { InProcessReaderDriver } from '../sim/in-process-reader.js';
import { PcscdStack } from '../sim/pcscd-stack.js';
import { createCard } from '../sim/emv/catalog.js';
import { VpcdCardClient } from '../sim/vpcd-client.js';

/** The sample exchange: SELECT the PSE, read its directory, SELECT the application, read its record. */
export const DEMO_APDUS = ['00A404000E315041592E5359532E444446303100', '00B2010C00', '00A4040007A000000003101000', '00B2020C00'];

/** Where the demo's card lives: a real pcscd with a vpcd reader, or the in-process reader. */
export type DemoMode = 'pcscd' | 'in-process';

/**
 * Runs the demo: a virtual EMV card in a reader, then `posbridge readers`, `posbridge atr`, a sample `posbridge apdu`
 * exchange and `posbridge emv read --test-keys` (the card is signed under the simulators' test CA), printed as a
 * technician would see them.
 */
export async function runDemo(mode: DemoMode, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  let stack: PcscdStack | null = null;
  let vpcd: VpcdCardClient | null = null;
  let makeDriver: () => Promise<ReaderDriver>;
  const card = createCard('visa-sda-pse');
  if (mode === 'pcscd') {
    stack = await PcscdStack.start({ readerName: 'Posbridge Virtual PCD' });
    vpcd = new VpcdCardClient({ port: stack.ports[0] });
    await vpcd.insert(card);
    makeDriver = () => PcscReaderDriver.create();
    await waitForCard(await makeDriver(), stack.readers[0]);
    print(`PC/SC stack: private pcscd with vpcd readers "${stack.readers.join('", "')}"; virtual card inserted in the first.`);
  } else {
    const driver = new InProcessReaderDriver(['Posbridge Virtual Reader 0']);
    driver.insertCard('Posbridge Virtual Reader 0', card);
    // Each command closes the driver it was given: hand out views whose close() leaves the shared reader running.
    const borrowed: ReaderDriver = {
      listReaders: () => driver.listReaders(),
      subscribe: (l) => driver.subscribe(l),
      connect: (r, o) => driver.connect(r, o),
      close: async () => undefined,
    };
    makeDriver = async () => borrowed;
    print('No private PC/SC stack here (needs Linux, root and pcscd): using the in-process virtual reader.');
  }
  const ctx: CliContext = { ...processContext(), out: print, err: print, createReaderDriver: makeDriver };
  try {
    let worst = 0;
    for (const argv of [['readers'], ['atr', toHex(card.atr)], ['apdu', ...DEMO_APDUS], ['emv', 'read', '--test-keys']]) {
      print('');
      print(`$ posbridge ${argv.join(' ')}`);
      worst = Math.max(worst, await runCli(ctx, argv));
    }
    return worst;
  } finally {
    await vpcd?.remove();
    await stack?.stop();
  }
}

async function waitForCard(driver: ReaderDriver, reader: string): Promise<void> {
  try {
    for (let i = 0; i < 200; i++) {
      if ((await driver.listReaders()).some((r) => r.name === reader && r.cardPresent)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the virtual card did not appear in "${reader}"`);
  } finally {
    await driver.close();
  }
}
