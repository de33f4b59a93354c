// Entry Point (EMV Contactless Book B) on the in-process reader: pre-processing per combination (TTQ, limits, zero
// amount, status check), the candidate list from the PPSE by kernel identifier and priority, Select Next, and the
// outcomes that end a tap before or around the kernel: not allowed, no PPSE, see phone, a card pulled or mute.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { bestCandidate, requestedKernel, type ContactlessCandidate } from '../../src/emv/contactless/candidates.js';
import { DEFAULT_COMBINATIONS, defaultContactlessConfig } from '../../src/emv/contactless/defaults.js';
import { runContactless } from '../../src/emv/contactless/entry-point.js';
import { preProcess } from '../../src/emv/contactless/pre-processing.js';
import type { CombinationConfig } from '../../src/emv/contactless/types.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import { createCard, getProfile } from '../../src/sim/emv/catalog.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import type { ApplicationProfile, CardProfile } from '../../src/sim/emv/profile-types.js';
import { tap } from '../helpers/contactless-tap.js';

const VISA: CombinationConfig = { ...DEFAULT_COMBINATIONS[0], transactionLimit: 10000, floorLimit: 2000, cvmRequiredLimit: 5000, statusCheck: true, zeroAmountAllowed: false, ttq: '37C04000' };
const req = (amount: number) => ({ amount, currency: '0978', type: 'purchase' as const, sequenceCounter: 1 });

/** A copy of a profile with its first application changed and more applications added. */
function withApps(name: string, first: Partial<ApplicationProfile>, ...more: Partial<ApplicationProfile>[]): CardProfile {
  const p = getProfile(name);
  const a = p.applications[0];
  return { ...p, applications: [{ ...a, ...first }, ...more.map((m) => ({ ...a, oda: 'none' as const, aip: '0000', ...m }))] };
}

describe('Entry Point pre-processing (Book B §3.1.1)', () => {
  test('below every limit: TTQ byte 2 b8/b7 cleared whatever the configuration says', () => {
    const r = preProcess(VISA, req(1000));
    assert.equal(toHex(r.ttq), '37004000');
    assert.deepEqual([r.notAllowed, r.floorLimitExceeded, r.cvmRequired, r.zeroAmount], [false, false, false, false]);
  });
  test('above the floor limit: online cryptogram required (byte 2 b8); at the CVM limit: CVM required (b7)', () => {
    assert.equal(toHex(preProcess(VISA, req(2001)).ttq), '37804000');
    assert.equal(preProcess(VISA, req(2001)).ttq[1], 0x80);
    assert.equal(preProcess(VISA, req(5000)).ttq[1], 0xc0);
    assert.equal(preProcess(VISA, req(2000)).ttq[1], 0x00);
  });
  test('at or above the transaction limit: contactless not allowed', () => {
    assert.equal(preProcess(VISA, req(9999)).notAllowed, false);
    assert.equal(preProcess(VISA, req(10000)).notAllowed, true);
    assert.equal(preProcess({ ...VISA, transactionLimit: null }, req(10_000_000)).notAllowed, false);
  });
  test('zero amount: not allowed unless the combination allows it, then online', () => {
    assert.equal(preProcess(VISA, req(0)).notAllowed, true);
    const z = preProcess({ ...VISA, zeroAmountAllowed: true }, req(0));
    assert.equal(z.notAllowed, false);
    assert.equal(z.ttq[1] & 0x80, 0x80);
  });
  test('status check: one unit of currency goes online when the combination supports it', () => {
    assert.equal(preProcess(VISA, req(100)).ttq[1], 0x80);
    assert.equal(preProcess({ ...VISA, statusCheck: false }, req(100)).ttq[1], 0x00);
  });
});

describe('Entry Point combination selection (Book B §3.3)', () => {
  test('kernel identifier: 9F2A byte 1 for an international kernel, else the RID default; domestic kernels unsupported', () => {
    assert.equal(requestedKernel(undefined, fromHex('A0000000031010')), 3);
    assert.equal(requestedKernel(undefined, fromHex('A000000333010102')), 7);
    assert.equal(requestedKernel(fromHex('02'), fromHex('A0000000031010')), 2);
    assert.equal(requestedKernel(fromHex('00'), fromHex('A0000000041010')), 2);
    assert.equal(requestedKernel(fromHex('C1'), fromHex('A0000000031010')), null);
    assert.equal(requestedKernel(undefined, fromHex('A0000009990101')), null);
  });
  test('priority: 1 first, absent last, the card order among equals', () => {
    const c = (aid: string, priority: number | null, order: number): ContactlessCandidate => ({ aid, label: null, priority, kernelId: 3, order, combination: preProcess(VISA, req(1)) });
    assert.equal(bestCandidate([c('A', null, 0), c('B', 2, 1), c('C', 1, 2), c('D', 1, 3)])?.aid, 'C');
    assert.equal(bestCandidate([c('A', null, 0), c('B', null, 1)])?.aid, 'A');
    assert.equal(bestCandidate([]), null);
  });
  test('two applications: the one with priority 1 is selected even when listed second', async () => {
    const p = withApps('visa-qvsdc-fdda', { priority: 2 }, { aid: 'A0000000032010', label: 'VISA DEBIT', priority: 1, pan: '4761739001010119', psn: '09', qvsdc: { ...getProfile('visa-qvsdc-fdda').applications[0].qvsdc!, fdda: null } });
    const t = await tap(p);
    assert.equal(t.outcome.aid, 'A0000000032010');
    assert.equal(t.outcome.outcome, 'approved');
    assert.deepEqual(t.arqcChecks, ['ok']);
  });
  test('Select Next: the first candidate refusing GPO (6985) is dropped and the next one runs', async () => {
    const q = getProfile('visa-qvsdc-fdda').applications[0].qvsdc!;
    const p = withApps('visa-qvsdc-fdda', { priority: 1, qvsdc: { ...q, gpoStatus: '6985' } }, { aid: 'A0000000032010', priority: 2, pan: '4761739001010119', psn: '09', qvsdc: { ...q, fdda: null } });
    const t = await tap(p);
    assert.equal(t.outcome.aid, 'A0000000032010');
    assert.equal(t.outcome.outcome, 'approved');
    assert.equal(t.commands.filter((c) => c === '80A80000').length, 2);
  });
  test('a directory entry naming another kernel (9F2A 02 for a Visa AID) is no candidate: End Application', async () => {
    const q = getProfile('visa-qvsdc-fdda').applications[0].qvsdc!;
    const t = await tap(withApps('visa-qvsdc-fdda', { qvsdc: { ...q, kernelId: '02' } }));
    assert.equal(t.outcome.outcome, 'end-application');
    assert.equal(t.outcome.kernel, null);
    assert.deepEqual(t.commands, ['00A40400']);
  });
});

describe('Entry Point outcomes', () => {
  test('over the transaction limit everywhere: Try Another Interface before any APDU (Book B §3.1.1.13)', async () => {
    const t = await tap('visa-qvsdc-fdda', { request: { amount: 1_000_000 } });
    assert.equal(t.outcome.outcome, 'try-another-interface');
    assert.equal(t.outcome.parameters.alternateInterface, 'contact');
    assert.equal(t.outcome.uiRequest.message, 'insert-card');
    assert.deepEqual(t.commands, []);
  });
  test('zero amount: not allowed by default; allowed, it goes online with an ARQC', async () => {
    assert.equal((await tap('visa-qvsdc-expired', { request: { amount: 0 } })).outcome.outcome, 'try-another-interface');
    const combinations = DEFAULT_COMBINATIONS.map((c) => ({ ...c, zeroAmountAllowed: true }));
    // The expired card approves small amounts offline, but a zero amount asks for an online cryptogram.
    const t = await tap('visa-qvsdc-expired', { request: { amount: 0 }, contactless: { combinations } });
    assert.equal(t.outcome.cryptogram, 'ARQC');
    assert.equal(t.outcome.kernelOutcome, 'online-request');
    assert.deepEqual(t.arqcChecks, ['ok']);
  });
  test('a contact-only card has no PPSE: End Application', async () => {
    const t = await tap('visa-sda-pse');
    assert.equal(t.outcome.outcome, 'end-application');
    assert.match(t.outcome.reason ?? '', /PPSE/);
  });
  test('a card for the full EMV flow (no cryptogram after GPO and records): Try Another Interface', async () => {
    const t = await tap('visa-contactless');
    assert.equal(t.outcome.outcome, 'try-another-interface');
    assert.equal(t.outcome.kernel, 3);
  });
  test('GPO 6986 (a phone wants its user): Try Again, "see phone", restart at B', async () => {
    const q = getProfile('visa-qvsdc-phone').applications[0].qvsdc!;
    const t = await tap(withApps('visa-qvsdc-phone', { qvsdc: { ...q, gpoStatus: '6986' } }));
    assert.equal(t.outcome.outcome, 'try-again');
    assert.equal(t.outcome.parameters.start, 'B');
    assert.equal(t.outcome.parameters.uiOnOutcome?.message, 'see-phone');
    assert.equal(t.outcome.parameters.uiOnRestart?.message, 'present-card');
  });
  test('the card pulled after each APDU before the read completes: Try Again, no authorisation', async () => {
    const clean = await tap('visa-qvsdc-fdda');
    assert.equal(clean.outcome.outcome, 'approved');
    for (let k = 0; k < clean.commands.length; k++) {
      const t = await tap('visa-qvsdc-fdda', { faults: { dropAfter: k } });
      assert.equal(t.outcome.outcome, 'try-again', `drop after ${k}: ${t.outcome.reason ?? ''}`);
      assert.equal(t.outcome.parameters.uiOnRestart?.message, 'present-card-again');
      assert.deepEqual(t.arqcChecks, [], `drop after ${k}`);
    }
    // Removed once the card read is complete: the tap stands (the host decides without the card).
    const late = await tap('visa-qvsdc-fdda', { faults: { dropAfter: clean.commands.length } });
    assert.equal(late.outcome.outcome, 'approved');
  });
  test('a card that stops answering: Try Again after the reader timeout, never a hang', async () => {
    const t = await tap('visa-qvsdc-fdda', { faults: { muteAfter: 3 }, transmitTimeoutMs: 100 });
    assert.equal(t.outcome.outcome, 'try-again');
    assert.match(t.outcome.reason ?? '', /no answer/);
  });
  test('a failure that is not the reader\'s (a channel throwing a TypeError) rejects instead of asking for the card again', async () => {
    const channel = { atr: new Uint8Array(2), protocol: 'T=1' as const, transmit: async (): Promise<Uint8Array> => Promise.reject(new TypeError('bug')) };
    await assert.rejects(runContactless(channel, req(1234), { terminal: defaultTerminalConfig(simCaKeys()), contactless: defaultContactlessConfig(), now: () => new Date(), randomBytes: (n) => new Uint8Array(n) }), (e: unknown) => (e as { code?: string }).code === 'EMV_READER_FAILED');
  });
  test('cancelled: rejects with EMV_CANCELLED', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(tapCancelled(ac.signal), (e: unknown) => (e as { code?: string }).code === 'EMV_CANCELLED');
  });
});

/** A tap whose transaction is cancelled through the signal (the helper takes none: the runner is called directly). */
async function tapCancelled(signal: AbortSignal): Promise<unknown> {
  const card = createCard('visa-qvsdc-fdda');
  const channel = { atr: card.atr, protocol: 'T=1' as const, transmit: async (c: Uint8Array) => card.process(c) };
  return runContactless(channel, req(1234), { terminal: defaultTerminalConfig(simCaKeys()), contactless: defaultContactlessConfig(), now: () => new Date(), randomBytes: (n) => new Uint8Array(n), signal });
}
