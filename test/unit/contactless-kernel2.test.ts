// Kernel 2 (EMV Contactless Book C-2, Mastercard M/Chip) against the virtual M/Chip cards in the in-process reader:
// outcomes, the ARQC checked by the issuer keys from field 55, CDA at GENERATE AC (passed; failed on a tampered
// signature or answer), CVM selection (CVM list against the CVM capability, on-device CVM of a phone, online PIN),
// and a card pulled mid-read (Try Again).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTlv, encodeTlv, type TlvInput, type TlvNode } from '../../src/apdu/tlv.js';
import { DEFAULT_COMBINATIONS } from '../../src/emv/contactless/defaults.js';
import { asEmvOutcome } from '../../src/emv/contactless/emv-outcome.js';
import { selectKernel2Cvm } from '../../src/emv/contactless/kernel2/cvm.js';
import { getProfile, loadProfiles } from '../../src/sim/emv/catalog.js';
import type { CardProfile } from '../../src/sim/emv/profile-types.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';
import { field55, tap } from '../helpers/contactless-tap.js';

/** The card with `edit` applied to the value of `tag` in its answers to instruction `ins` (a man in the middle). */
function tamper(ins: number, tag: number, edit: (v: Uint8Array) => Uint8Array): (card: VirtualCard) => VirtualCard {
  const plain = (n: TlvNode): TlvInput => (n.children.length ? { tag: n.tag, children: n.children.map(plain) } : { tag: n.tag, value: n.tag === tag ? edit(n.value.slice()) : n.value });
  return (card) => ({
    atr: card.atr,
    reset: () => card.reset(),
    process: async (c) => {
      const r = await card.process(c);
      if (c[1] !== ins || r.length < 3) return r;
      const body = encodeTlv(decodeTlv(r.subarray(0, r.length - 2)).map(plain));
      return Uint8Array.from([...body, ...r.subarray(r.length - 2)]);
    },
  });
}
const flip = (at: number) => (v: Uint8Array): Uint8Array => ((v[at < 0 ? v.length + at : at] ^= 0x01), v);
const GENERATE_AC = 0xae;
const tvr = (o: Parameters<typeof field55>[0]): number[] => [...Buffer.from(field55(o, 0x95) ?? '', 'hex')];
/** A profile's first application with `change` applied (bypasses validation: a card the loader would refuse). */
function appEdit(name: string, change: object): CardProfile {
  const p = getProfile(name);
  return { ...p, applications: [{ ...p.applications[0], ...change }] };
}

describe('Kernel 2 with every virtual M/Chip card (12.34 EUR, default reader, approving issuer)', () => {
  for (const p of loadProfiles().filter((x) => x.applications.some((a) => a.mchip))) {
    test(`${p.name}: ${p.expected}`, async () => {
      const t = await tap(p);
      assert.equal(t.outcome.outcome, p.expected, t.outcome.reason ?? '');
      const a = p.applications[0];
      assert.equal(t.outcome.kernel, 2);
      assert.equal(t.outcome.aid, a.aid);
      assert.equal(t.outcome.card?.pan, a.pan);
      assert.equal(field55(t.outcome, 0x84), a.aid);
      // Kernel 2 has no TTQ: none sent, none in field 55.
      assert.equal(t.outcome.ttq, null);
      assert.equal(field55(t.outcome, 0x9f66), undefined);
      // One GENERATE AC, CDA requested (P1 b5) exactly when the card offers CDA.
      const gac = t.commands.filter((c) => c.startsWith('80AE'));
      assert.equal(gac.length, 1);
      assert.equal((Number.parseInt(gac[0].slice(4, 6), 16) & 0x10) !== 0, a.oda === 'CDA');
      assert.equal(t.outcome.oda.method, a.oda === 'CDA' ? 'CDA' : 'none');
      if (a.oda === 'CDA') assert.equal(t.outcome.oda.result, 'ok');
      // Online: the issuer recomputed the ARQC from field 55 (the CDOL1 data rebuilt from it).
      if (t.outcome.kernelOutcome === 'online-request') assert.deepEqual(t.arqcChecks, ['ok']);
      else assert.deepEqual(t.arqcChecks, []);
    });
  }
});

describe('CDA at GENERATE AC (Book 2 §6.6.2)', () => {
  test('an ARQC with CDA: the AC recovered from the SDAD is the one the issuer verifies; 9F26 was not in the clear', async () => {
    const t = await tap('mastercard-contactless-cda');
    assert.deepEqual(t.outcome.oda, { method: 'CDA', result: 'ok' });
    assert.equal(t.outcome.cryptogram, 'ARQC');
    assert.equal(t.outcome.kernelOutcome, 'online-request');
    assert.equal(field55(t.outcome, 0x9f26)?.length, 16);
    assert.deepEqual(t.arqcChecks, ['ok']);
    assert.equal(tvr(t.outcome)[0] & 0x04, 0);
  });
  test('a tampered signature: CDA fails (TVR "CDA failed"), the tap is declined without the host', async () => {
    const t = await tap('mastercard-contactless-cda', { wrap: tamper(GENERATE_AC, 0x9f4b, flip(-3)) });
    assert.equal(t.outcome.outcome, 'declined');
    assert.equal(t.outcome.oda.method, 'CDA');
    assert.match(t.outcome.oda.result, /^failed: /);
    assert.equal(tvr(t.outcome)[0] & 0x04, 0x04);
    assert.deepEqual(t.arqcChecks, []);
    // The card data stays (for the journal); no AC in field 55: the only one was inside the failed signature.
    assert.equal(t.outcome.card?.pan, getProfile('mastercard-contactless-cda').applications[0].pan);
    assert.equal(field55(t.outcome, 0x9f26), undefined);
  });
  test('a tampered answer (IAD changed in the clear): the transaction data hash no longer matches', async () => {
    const t = await tap('mastercard-contactless-cda', { wrap: tamper(GENERATE_AC, 0x9f10, flip(0)) });
    assert.deepEqual([t.outcome.kernelOutcome, t.outcome.outcome], ['declined', 'declined']);
    assert.equal(t.outcome.oda.result, 'failed: TRANSACTION_DATA_HASH_MISMATCH');
    assert.deepEqual(t.arqcChecks, []);
  });
  test('a tampered GPO answer (AIP): the PDOL-signed answer is fine, but the static data (AIP) no longer matches the ICC certificate', async () => {
    const t = await tap('mastercard-contactless-cda', { wrap: tamper(0xa8, 0x82, (v) => ((v[0] |= 0x40), v)) });
    assert.match(t.outcome.oda.result, /^failed: /);
    assert.equal(tvr(t.outcome)[0] & 0x04, 0x04);
    // The failure was known before GENERATE AC: no CDA requested, terminal action analysis sends it online.
    assert.equal(t.commands.filter((c) => c.startsWith('80AE'))[0], '80AE8000');
    assert.equal(t.outcome.kernelOutcome, 'online-request');
  });
  test('the CID changed in the clear (signed TC → ARQC): CID_MISMATCH, declined without the host', async () => {
    const t = await tap('mastercard-contactless-phone', { wrap: tamper(GENERATE_AC, 0x9f27, () => Uint8Array.of(0x80)) });
    assert.deepEqual([t.outcome.kernelOutcome, t.outcome.outcome], ['declined', 'declined']);
    assert.equal(t.outcome.oda.result, 'failed: CID_MISMATCH');
    assert.deepEqual(t.arqcChecks, []);
  });
});

describe('CVM Selection (Book C-2)', () => {
  test('above the CVM limit the card\'s list gives signature (CVM capability 60); at the limit none (C-2 compares "above")', async () => {
    const over = await tap('mastercard-contactless-cda', { request: { amount: 6000 } });
    assert.deepEqual([over.outcome.cvm, field55(over.outcome, 0x9f34), over.outcome.parameters.receipt], ['signature', '1E0300', true]);
    assert.equal(field55(over.outcome, 0x9f33)?.slice(2, 4), '60');
    const at = await tap('mastercard-contactless-cda', { request: { amount: 5000 } });
    assert.deepEqual([at.outcome.cvm, field55(at.outcome, 0x9f34)], ['no-cvm', '1F0302']);
    assert.equal(field55(at.outcome, 0x9f33)?.slice(2, 4), '08');
  });
  test('online PIN above the limit: the PIN pad is asked, TVR "online PIN entered", CVM results 420300', async () => {
    const t = await tap('maestro-contactless-online-pin', { request: { amount: 6000 } });
    assert.equal(t.outcome.cvm, 'online-pin');
    assert.equal(t.pinPrompts.length, 1);
    assert.equal(t.pinPrompts[0].amount, 6000);
    assert.equal(field55(t.outcome, 0x9f34), '420300');
    assert.equal(tvr(t.outcome)[2] & 0x04, 0x04);
    assert.equal(t.outcome.card?.onlinePin?.block, '0123456789ABCDEF');
    assert.equal(t.outcome.outcome, 'approved');
  });
  test('no PIN pad: online PIN leaves the CVM capability, the list goes on to signature', async () => {
    const t = await tap('maestro-contactless-online-pin', { request: { amount: 6000 }, pin: 'none' });
    assert.deepEqual([t.outcome.cvm, field55(t.outcome, 0x9f34), t.pinPrompts.length], ['signature', '1E0300', 0]);
  });
  test('the cardholder cancels the PIN: End Application, nothing sent to the host', async () => {
    const t = await tap('maestro-contactless-online-pin', { request: { amount: 6000 }, pin: null });
    assert.equal(t.outcome.outcome, 'end-application');
    assert.deepEqual(t.arqcChecks, []);
  });
  test('a phone (AIP on-device CVM): "confirmation code verified" 010002 above the limit, no CVM 3F0002 below', async () => {
    const over = await tap('mastercard-contactless-phone', { request: { amount: 6000 } });
    assert.deepEqual([over.outcome.cvm, field55(over.outcome, 0x9f34), over.pinPrompts.length], ['cdcvm', '010002', 0]);
    const under = await tap('mastercard-contactless-phone');
    assert.deepEqual([under.outcome.cvm, field55(under.outcome, 0x9f34)], ['no-cvm', '3F0002']);
  });
  test('a reader configured without on-device CVM processes the phone\'s CVM list: no rule applies, CVM failed, online', async () => {
    const combinations = DEFAULT_COMBINATIONS.map((c) => (c.kernelId === 2 ? { ...c, kernel2: { cvmCapabilityCvmRequired: '60', cvmCapabilityNoCvmRequired: '08', onDeviceCvm: false } } : c));
    const t = await tap('mastercard-contactless-phone', { request: { amount: 6000 }, contactless: { combinations } });
    assert.equal(field55(t.outcome, 0x9f34), '3F0001');
    assert.equal(tvr(t.outcome)[2] & 0x80, 0x80);
    assert.equal(t.outcome.kernelOutcome, 'online-request');
  });
});

describe('outcomes', () => {
  test('the phone below its offline limit: a TC with CDA, approved offline (Y1), no host', async () => {
    const t = await tap('mastercard-contactless-phone');
    assert.deepEqual([t.outcome.cryptogram, t.outcome.outcome, t.outcome.responseCode, t.outcome.oda.result], ['TC', 'approved', 'Y1', 'ok']);
    assert.deepEqual(t.arqcChecks, []);
    assert.equal(asEmvOutcome(t.outcome)?.oda, 'CDA');
  });
  test('above the floor limit: TVR "floor limit exceeded", an ARQC goes online', async () => {
    const t = await tap('mastercard-contactless-phone', { request: { amount: 6000 } });
    assert.equal(tvr(t.outcome)[3] & 0x80, 0x80);
    assert.deepEqual([t.outcome.cryptogram, t.outcome.kernelOutcome, t.outcome.outcome], ['ARQC', 'online-request', 'approved']);
  });
  test('the issuer declines: declined with its code; no host link: declined Z3', async () => {
    const d = await tap('mastercard-contactless-cda', { host: { approve: false } });
    assert.equal(d.outcome.outcome, 'declined');
    const n = await tap('mastercard-contactless-cda', { host: null });
    assert.deepEqual([n.outcome.outcome, n.outcome.responseCode], ['declined', 'Z3']);
  });
  test('the card declines (AAC): declined without the host, no CDA asked for the AAC', async () => {
    const p = appEdit('mastercard-contactless-cda', { behaviour: { declineOffline: true, approveOfflineBelow: null, issuerScripts: [] } });
    const t = await tap(p);
    assert.deepEqual([t.outcome.cryptogram, t.outcome.outcome], ['AAC', 'declined']);
    assert.deepEqual(t.arqcChecks, []);
  });
  test('a card in mag-stripe mode only (AIP byte 2 b8 clear): End Application (mag-stripe mode is not implemented)', async () => {
    const t = await tap(appEdit('mastercard-contactless-cda', { aip: '1900' }));
    assert.equal(t.outcome.outcome, 'end-application');
    assert.match(t.outcome.reason ?? '', /mag-stripe/);
  });
  test('GPO 6985: Select Next; with no other candidate, End Application', async () => {
    const t = await tap('mastercard-contactless-cda', { wrap: (card) => ({ atr: card.atr, reset: () => card.reset(), process: async (c) => (c[1] === 0xa8 ? Uint8Array.of(0x69, 0x85) : card.process(c)) }) });
    assert.equal(t.outcome.outcome, 'end-application');
    assert.equal(t.outcome.kernel, 2);
  });
});

describe('a card pulled mid-read (Book A §6.2)', () => {
  test('pulled after each command before GENERATE AC answered: Try Again, restart at B; pulled after: the outcome', async () => {
    const clean = await tap('mastercard-contactless-cda');
    const n = clean.commands.length;
    for (let k = 1; k < n; k++) {
      const t = await tap('mastercard-contactless-cda', { faults: { dropAfter: k } });
      assert.equal(t.outcome.outcome, 'try-again', `drop after ${k}: ${t.outcome.reason ?? ''}`);
      assert.equal(t.outcome.parameters.start, 'B');
      assert.deepEqual(t.arqcChecks, []);
    }
    const late = await tap('mastercard-contactless-cda', { faults: { dropAfter: n } });
    assert.equal(late.outcome.outcome, 'approved');
  });
});

describe('selectKernel2Cvm (the CVM list against the CVM capability)', () => {
  const base = { aip: Uint8Array.of(0x18, 0x80), appCurrency: Uint8Array.of(0x09, 0x78), request: { amount: 6000, currency: '0978', type: 'purchase' as const, sequenceCounter: 1 }, cvmRequired: true, capability: 0x60, onDeviceCvm: true };
  const list = (rules: string): Uint8Array => Uint8Array.from(Buffer.from(`0000000000000000${rules}`, 'hex'));
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
  test('offline PIN (not on a contactless reader) fails; with b7 set the list goes on to signature', () => {
    const r = selectKernel2Cvm({ ...base, cvmList: list('41001E00') });
    assert.deepEqual([r.cvm, hex(r.results), r.tvr], ['signature', '1E0000', []]);
  });
  test('without b7 the failure ends the list: CVM failed, results name the failed rule', () => {
    const r = selectKernel2Cvm({ ...base, cvmList: list('01001E00') });
    assert.deepEqual([r.cvm, hex(r.results), r.tvr], ['no-cvm', '010001', ['cvmNotSuccessful']]);
  });
  test('an unknown CVM code sets "unrecognised CVM"', () => {
    const r = selectKernel2Cvm({ ...base, cvmList: list('7A001F00'), capability: 0x08 });
    assert.deepEqual(r.tvr, ['unrecognisedCvm']);
    assert.equal(r.cvm, 'no-cvm');
    assert.equal(hex(r.results), '1F0002');
  });
  test('amount conditions: "over X" in the application currency', () => {
    const l = Uint8Array.from(Buffer.from('00001388000000004207' + '1F03', 'hex')); // X = 50.00
    assert.equal(selectKernel2Cvm({ ...base, cvmList: l }).cvm, 'online-pin');
    assert.equal(selectKernel2Cvm({ ...base, cvmList: l, capability: 0x08, request: { ...base.request, amount: 1000 } }).cvm, 'no-cvm');
  });
  test('no CVM list although the AIP says CVM supported: no CVM, "ICC data missing"', () => {
    const r = selectKernel2Cvm({ ...base, cvmList: undefined });
    assert.deepEqual([hex(r.results), r.tvr], ['3F0000', ['iccDataMissing']]);
  });
  test('AIP without "CVM supported" and without on-device CVM: no CVM 3F0000', () => {
    assert.equal(hex(selectKernel2Cvm({ ...base, aip: Uint8Array.of(0x08, 0x80), cvmList: list('4203') }).results), '3F0000');
  });
});
