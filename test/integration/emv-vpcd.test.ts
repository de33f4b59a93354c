// Virtual EMV cards end to end on the real PC/SC stack: pcscd + vpcd, the smartcard binding, the EMV kernel, and
// the issuer helper as host. T=0 (with 61xx/6Cxx handled over the wire) and T=1 profiles; a card pulled mid-way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PcscReaderDriver } from '../../src/drivers/pcsc/pcsc-driver.js';
import { EmvError } from '../../src/emv/errors.js';
import { EmvKernel, type EmvOutcome } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import { createCard, getProfile, issuerKeysForTransaction, listProfiles } from '../../src/sim/emv/catalog.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import type { FaultOptions } from '../../src/sim/faults.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';
import { VpcdCardClient } from '../../src/sim/vpcd-client.js';
import { pcscSkip, startStack, waitForCard, type StackFixture } from '../helpers/pcsc.js';

const PORT = 36200;
const NOW = new Date('2026-03-15T10:00:00Z');

describe('virtual EMV cards on pcscd + vpcd', { skip: pcscSkip, timeout: 60_000 }, () => {
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

  /** Puts profile `name`'s card in slot i (after pcscd saw the previous one leave). */
  async function insert(i: 0 | 1, name: string, faults: FaultOptions = {}): Promise<void> {
    await fx.slots[i].remove();
    await waitForCard(driver, fx.readers[i], false);
    await fx.slots[i].insert(createCard(name), faults);
    await waitForCard(driver, fx.readers[i], true);
  }

  /** One purchase of 12.34 EUR on the card in slot i, the host approving through the issuer helper. */
  async function pay(i: 0 | 1, name: string): Promise<{ outcome: EmvOutcome; protocol: string }> {
    const p = getProfile(name);
    const kernel = new EmvKernel({
      config: defaultTerminalConfig(simCaKeys()),
      pin: new SimulatedPinEntry(async () => p.pin),
      authorize: async (iccData, card) => issuerKeysForTransaction(iccData, card.pan, card.panSequenceNumber)?.respond(iccData, { approve: true }) ?? { outcome: 'declined', responseCode: '14' },
      now: () => NOW,
      randomBytes: (n) => new Uint8Array(n).fill(0x42),
      interface: p.interfaces.includes('contact') ? 'contact' : 'contactless',
    });
    const conn = await driver.connect(fx.readers[i]);
    try {
      const outcome = await conn.transaction((ch) => kernel.run(ch, { amount: 1234, currency: '0978', type: 'purchase', sequenceCounter: 7 }));
      return { outcome, protocol: conn.protocol };
    } finally {
      await conn.disconnect().catch(() => undefined);
    }
  }

  test('T=0 (visa-sda-pse) and T=1 (mastercard-cda-enciphered-pin) side by side: both approved with ODA ok', async () => {
    await insert(0, 'visa-sda-pse');
    await insert(1, 'mastercard-cda-enciphered-pin');
    const [visa, mc] = await Promise.all([pay(0, 'visa-sda-pse'), pay(1, 'mastercard-cda-enciphered-pin')]);
    assert.equal(visa.protocol, 'T=0');
    assert.deepEqual([visa.outcome.result, visa.outcome.oda, visa.outcome.odaResult, visa.outcome.cvm, visa.outcome.cryptogram], ['approved', 'SDA', 'ok', 'offline-pin', 'TC']);
    assert.equal(mc.protocol, 'T=1');
    assert.deepEqual([mc.outcome.result, mc.outcome.oda, mc.outcome.odaResult, mc.outcome.cvm, mc.outcome.cryptogram], ['approved', 'CDA', 'ok', 'offline-pin', 'TC']);
  });

  test('contactless (PPSE, CDA) approved; DDA with online PIN approved; a declining card declined', async () => {
    await insert(0, 'visa-contactless');
    assert.equal((await pay(0, 'visa-contactless')).outcome.result, 'approved');
    await insert(0, 'mastercard-dda-online-pin');
    const dda = (await pay(0, 'mastercard-dda-online-pin')).outcome;
    assert.deepEqual([dda.result, dda.oda, dda.odaResult, dda.cvm], ['approved', 'DDA', 'ok', 'online-pin']);
    await insert(1, 'visa-decline-offline');
    const declined = (await pay(1, 'visa-decline-offline')).outcome;
    assert.deepEqual([declined.result, declined.decidedBy], ['declined', 'card-offline']);
  });

  test('the card pulled after 13 APDUs: EMV_CARD_REMOVED naming the step', async () => {
    // A fresh client for the slot: VpcdCardClient counts APDUs for dropAfter over its whole life, not per insert.
    await fx.slots[0].remove();
    await waitForCard(driver, fx.readers[0], false);
    const client = new VpcdCardClient({ port: PORT });
    await client.insert(createCard('mastercard-dda-online-pin'), { dropAfter: 13 });
    try {
      await waitForCard(driver, fx.readers[0], true);
      // SELECT PSE (6A82), SELECT of the 9 terminal AIDs, final SELECT, GPO, READ RECORD, then the card is gone.
      await assert.rejects(pay(0, 'mastercard-dda-online-pin'), (e: unknown) => {
        assert.ok(e instanceof EmvError, String(e));
        assert.equal(e.code, 'EMV_CARD_REMOVED', e.message);
        assert.equal(e.step, 'read-records');
        return true;
      });
    } finally {
      await client.remove();
    }
  });

  test('every profile ends as its profile says, through the real stack', async () => {
    // The qVSDC cards are Kernel 3's (contactless-vpcd.test.ts).
    for (const name of listProfiles().filter((n) => !getProfile(n).applications.some((a) => a.qvsdc || a.mchip))) {
      const p = getProfile(name);
      await insert(0, name);
      try {
        const { outcome } = await pay(0, name);
        assert.equal(outcome.result, p.expected, `${name}: ${outcome.result} (TVR ${outcome.tvr})`);
        assert.match(outcome.maskedPan, /^\d{6}\*+\d{4}$/, `${name}: PAN masked`);
      } catch (err) {
        if (p.expected !== 'failed') throw err;
        assert.ok(err instanceof EmvError, `${name}: ${String(err)}`);
        assert.equal(err.code, p.expectedError, `${name}: ${err.message}`);
      }
    }
  });
});
