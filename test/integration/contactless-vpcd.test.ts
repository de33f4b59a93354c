// A contactless tap end to end on the real PC/SC stack: pcscd + vpcd, the smartcard binding, Entry Point and
// Kernel 3 or Kernel 2 (runContactless), the issuer keys as host checking the ARQC from field 55. And a card pulled mid-read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PcscReaderDriver } from '../../src/drivers/pcsc/pcsc-driver.js';
import { defaultContactlessConfig } from '../../src/emv/contactless/defaults.js';
import { runContactless } from '../../src/emv/contactless/entry-point.js';
import type { ContactlessOutcome } from '../../src/emv/contactless/types.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import { createCard, issuerKeysForTransaction } from '../../src/sim/emv/catalog.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import { VpcdCardClient } from '../../src/sim/vpcd-client.js';
import { pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

const PORT = 36460;
const NOW = new Date('2026-03-15T10:00:00Z');

describe('contactless tap on pcscd + vpcd', { skip: pcscSkip, timeout: 60_000 }, () => {
  let fx: StackFixture;
  let driver: PcscReaderDriver;

  before(async () => {
    fx = await startStack(PORT);
    driver = await PcscReaderDriver.create({ pollMs: 200, retryMs: 100 });
  });
  after(async () => {
    await driver?.close();
    for (const s of fx?.slots ?? []) await s.remove();
    await fx?.stack.stop();
  });

  /** One tap of 12.34 EUR on the card in slot 0; the host is the card's issuer (ARQC checked, as the host simulator does). */
  async function tapOnce(): Promise<{ outcome: ContactlessOutcome; arqc: string[] }> {
    const arqc: string[] = [];
    const conn = await driver.connect(fx.readers[0]);
    try {
      const outcome = await conn.transaction((ch) =>
        runContactless(ch, { amount: 1234, currency: '0978', type: 'purchase', sequenceCounter: 7 }, {
          terminal: defaultTerminalConfig(simCaKeys()),
          contactless: defaultContactlessConfig(),
          authorize: async (iccData, card) => {
            const keys = issuerKeysForTransaction(iccData, card.pan, card.panSequenceNumber);
            const check = keys?.verifyArqc(iccData);
            arqc.push(check ? (check.ok ? 'ok' : check.reason) : 'unknown card');
            return keys?.respond(iccData, { approve: true }) ?? { outcome: 'declined', responseCode: '14' };
          },
          now: () => NOW,
          randomBytes: (n) => new Uint8Array(n).fill(0x42),
        }),
      );
      return { outcome, arqc };
    } finally {
      await conn.disconnect().catch(() => undefined);
    }
  }

  test('the qVSDC card: PPSE, GPO with the cryptogram, records, fDDA ok, ARQC verified by the issuer, approved', async () => {
    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
    await fx.slots[0].insert(createCard('visa-qvsdc-fdda'));
    await waitForCard(driver, fx.readers[0], true);
    const { outcome, arqc } = await tapOnce();
    assert.deepEqual([outcome.outcome, outcome.kernel, outcome.cryptogram, outcome.oda.result], ['approved', 3, 'ARQC', 'ok']);
    assert.deepEqual(arqc, ['ok']);
    assert.equal(outcome.maskedPan, '476173******0036');
  });

  test('the M/Chip card (Kernel 2): records, GENERATE AC with CDA, SDAD ok, ARQC verified by the issuer, approved', async () => {
    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
    await fx.slots[0].insert(createCard('mastercard-contactless-cda'));
    await waitForCard(driver, fx.readers[0], true);
    const { outcome, arqc } = await tapOnce();
    assert.deepEqual([outcome.outcome, outcome.kernel, outcome.cryptogram, outcome.oda.method, outcome.oda.result], ['approved', 2, 'ARQC', 'CDA', 'ok']);
    assert.deepEqual(arqc, ['ok']);
  });

  test('the card pulled after GPO: Try Again (restart at B), nothing sent to the host', async () => {
    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
    // A fresh client: VpcdCardClient counts APDUs for dropAfter over its whole life.
    const client = new VpcdCardClient({ port: PORT });
    await client.insert(createCard('visa-qvsdc-fdda'), { dropAfter: 3 });
    try {
      await waitForCard(driver, fx.readers[0], true);
      const { outcome, arqc } = await tapOnce();
      assert.deepEqual([outcome.outcome, outcome.parameters.start], ['try-again', 'B'], outcome.reason ?? '');
      assert.deepEqual(arqc, []);
    } finally {
      await client.remove();
    }
  });
});
