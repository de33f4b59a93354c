// Kernel 3 (EMV Contactless Book C-3) and its UnionPay twin (kernel 7) against every virtual qVSDC card in the
// in-process reader: outcome, cryptogram checked by the issuer keys from field 55, fDDA (formats 05 and 95, 9F69 of
// 5 and 7 bytes) and what a tampered signature or CTQ does, CVM by the CTQ (online PIN, signature, CDCVM), expiry.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTlv, encodeTlv, type TlvInput, type TlvNode } from '../../src/apdu/tlv.js';
import { DEFAULT_COMBINATIONS } from '../../src/emv/contactless/defaults.js';
import { asEmvOutcome } from '../../src/emv/contactless/emv-outcome.js';
import { getProfile, issuerKeysFor, loadProfiles } from '../../src/sim/emv/catalog.js';
import type { CardProfile } from '../../src/sim/emv/profile-types.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';
import { field55, tap } from '../helpers/contactless-tap.js';

/** The card with `edit` applied to the value of `tag` in its GPO answer (a man in the middle, or a bad card). */
function tamperGpo(tag: number, edit: (v: Uint8Array) => Uint8Array): (card: VirtualCard) => VirtualCard {
  const plain = (n: TlvNode): TlvInput => (n.children.length ? { tag: n.tag, children: n.children.map(plain) } : { tag: n.tag, value: n.tag === tag ? edit(n.value.slice()) : n.value });
  return (card) => ({
    atr: card.atr,
    reset: () => card.reset(),
    process: async (c) => {
      const r = await card.process(c);
      if (c[1] !== 0xa8 || r.length < 3) return r;
      const body = encodeTlv(decodeTlv(r.subarray(0, r.length - 2)).map(plain));
      return Uint8Array.from([...body, ...r.subarray(r.length - 2)]);
    },
  });
}
const flipLast = (v: Uint8Array): Uint8Array => (v[v.length - 3] ^= 0x01, v);
/** A profile's first application with its qvsdc part changed. */
function qvsdcEdit(name: string, change: object): CardProfile {
  const p = getProfile(name);
  const a = p.applications[0];
  return { ...p, applications: [{ ...a, qvsdc: { ...a.qvsdc!, ...change } }] };
}
const tvr = (o: Parameters<typeof field55>[0]): number[] => [...Buffer.from(field55(o, 0x95) ?? '', 'hex')];

describe('Kernel 3 with every virtual qVSDC card (12.34 EUR, default reader, approving issuer)', () => {
  for (const p of loadProfiles().filter((x) => x.applications.some((a) => a.qvsdc))) {
    test(`${p.name}: ${p.expected}`, async () => {
      const t = await tap(p);
      assert.equal(t.outcome.outcome, p.expected, t.outcome.reason ?? '');
      if (p.expected === 'try-another-interface') return;
      const a = p.applications[0];
      assert.equal(t.outcome.aid, a.aid);
      assert.equal(t.outcome.kernel, a.aid.startsWith('A000000333') ? 7 : 3);
      assert.equal(t.outcome.maskedPan, `${a.pan.slice(0, 6)}******${a.pan.slice(-4)}`);
      assert.equal(t.outcome.card?.pan, a.pan);
      assert.equal(field55(t.outcome, 0x9f66), t.outcome.ttq);
      assert.ok(field55(t.outcome, 0x9f6c), 'CTQ in field 55');
      assert.equal(field55(t.outcome, 0x84), a.aid);
      // Online: the issuer recomputed the ARQC from field 55 (the host simulator's check).
      if (t.outcome.kernelOutcome === 'online-request') assert.deepEqual(t.arqcChecks, ['ok']);
      else assert.deepEqual(t.arqcChecks, []);
    });
  }
});

describe('fDDA (Book C-3 §5.8, Annex C)', () => {
  test('online ARQC signed with format 05 and a 7-byte 9F69: fDDA ok, the ICC dynamic number is the ATC', async () => {
    const t = await tap('visa-qvsdc-fdda');
    assert.deepEqual(t.outcome.oda, { method: 'fDDA', result: 'ok' });
    assert.equal(t.outcome.cryptogram, 'ARQC');
    assert.equal(field55(t.outcome, 0x9f36), '0001');
  });
  test('format 95 (the phone) and a 5-byte 9F69 on a TC (the expired card) verify too', async () => {
    assert.equal((await tap('visa-qvsdc-phone')).outcome.oda.result, 'ok');
    const e = await tap('visa-qvsdc-expired');
    assert.equal(e.outcome.cryptogram, 'TC');
    assert.equal(e.outcome.oda.result, 'ok');
  });
  test('a tampered signature fails fDDA: TVR "DDA failed"; an ARQC still goes online', async () => {
    const t = await tap('visa-qvsdc-fdda', { wrap: tamperGpo(0x9f4b, flipLast) });
    assert.match(t.outcome.oda.result, /^failed: /);
    assert.equal(tvr(t.outcome)[0] & 0x08, 0x08);
    assert.equal(t.outcome.kernelOutcome, 'online-request');
    assert.deepEqual(t.arqcChecks, ['ok']);
  });
  test('an offline TC with a tampered signature: declined; with CTQ "go online if ODA fails": online request', async () => {
    const offline = qvsdcEdit('visa-qvsdc-fdda', { offlineLimit: 5000 });
    const good = await tap(offline);
    assert.deepEqual([good.outcome.outcome, good.outcome.cryptogram, good.outcome.oda.result], ['approved', 'TC', 'ok']);
    assert.deepEqual(good.arqcChecks, []);
    const bad = await tap(offline, { wrap: tamperGpo(0x9f4b, flipLast) });
    assert.deepEqual([bad.outcome.outcome, bad.outcome.cryptogram], ['declined', 'TC']);
    const online = await tap(qvsdcEdit('visa-qvsdc-fdda', { offlineLimit: 5000, ctq: '2000' }), { wrap: tamperGpo(0x9f4b, flipLast) });
    assert.equal(online.outcome.kernelOutcome, 'online-request');
  });
  test('a forged CTQ ("CDCVM performed" removed in the clear) differs from the signed one in 9F69: fDDA fails', async () => {
    const t = await tap('visa-qvsdc-phone', { request: { amount: 6000 }, wrap: tamperGpo(0x9f6c, (v) => Uint8Array.of(v[0], v[1] ^ 0x80)) });
    assert.equal(t.outcome.oda.result, 'failed: CTQ_MISMATCH');
  });
});

describe('CVM by the CTQ (Book C-3 §5.7)', () => {
  test('online PIN above the CVM limit: the PIN pad is asked with the PAN, the block goes to the host; CVM results 020000', async () => {
    const t = await tap('visa-qvsdc-online-pin', { request: { amount: 6000 } });
    assert.equal(t.outcome.cvm, 'online-pin');
    assert.equal(t.outcome.outcome, 'approved');
    assert.equal(t.pinPrompts.length, 1);
    assert.equal((t.pinPrompts[0] as { pan?: string }).pan, '4761739001010051');
    assert.equal(t.outcome.card?.onlinePin?.block, '0123456789ABCDEF');
    assert.equal(field55(t.outcome, 0x9f34), '020000');
  });
  test('below the CVM limit: no CVM, no PIN', async () => {
    const t = await tap('visa-qvsdc-online-pin');
    assert.deepEqual([t.outcome.cvm, t.pinPrompts.length, field55(t.outcome, 0x9f34)], ['no-cvm', 0, '1F0002']);
  });
  test('the cardholder cancels the PIN: End Application, nothing sent to the host', async () => {
    const t = await tap('visa-qvsdc-online-pin', { request: { amount: 6000 }, pin: null });
    assert.equal(t.outcome.outcome, 'end-application');
    assert.deepEqual(t.arqcChecks, []);
  });
  test('no PIN pad: the TTQ says no online PIN, so the card asks for a signature', async () => {
    const t = await tap('visa-qvsdc-online-pin', { request: { amount: 6000 }, pin: 'none' });
    assert.equal(Number.parseInt((t.outcome.ttq ?? '').slice(0, 2), 16) & 0x04, 0);
    assert.equal(t.outcome.cvm, 'signature');
    assert.equal(t.outcome.parameters.receipt, true);
    assert.equal(t.outcome.uiRequest.message, 'sign-receipt');
  });
  test('a phone: consumer-device CVM performed, form factor in field 55', async () => {
    const t = await tap('visa-qvsdc-phone', { request: { amount: 6000 } });
    assert.equal(t.outcome.cvm, 'cdcvm');
    assert.equal(t.outcome.outcome, 'approved');
    assert.equal(field55(t.outcome, 0x9f6e), '23708000');
  });
  test('the card asks for a signature above the CVM limit', async () => {
    assert.equal((await tap('visa-qvsdc-fdda', { request: { amount: 6000 } })).outcome.cvm, 'signature');
  });
  test('UnionPay QuickPass: kernel 7, online PIN above the CVM limit', async () => {
    const t = await tap('unionpay-quickpass', { request: { amount: 6000 } });
    assert.deepEqual([t.outcome.kernel, t.outcome.cvm, t.outcome.outcome], [7, 'online-pin', 'approved']);
    assert.deepEqual(t.arqcChecks, ['ok']);
  });
});

describe('expiry, the cryptogram and the host', () => {
  test('expired card: its offline TC is declined; above the floor limit its ARQC goes online with TVR "expired application"', async () => {
    const off = await tap('visa-qvsdc-expired');
    assert.deepEqual([off.outcome.outcome, off.outcome.reason], ['declined', 'the application is expired']);
    assert.equal(tvr(off.outcome)[1] & 0x40, 0x40);
    const on = await tap('visa-qvsdc-expired', { request: { amount: 6000 } });
    assert.equal(on.outcome.kernelOutcome, 'online-request');
    assert.equal(tvr(on.outcome)[1] & 0x40, 0x40);
    assert.deepEqual(on.arqcChecks, ['ok']);
  });
  test('the issuer declines: declined with its response code; no host link: declined Z3', async () => {
    const d = await tap('visa-qvsdc-fdda', { host: { approve: false } });
    assert.deepEqual([d.outcome.outcome, d.outcome.responseCode, d.outcome.uiRequest.message], ['declined', '05', 'declined']);
    const u = await tap('visa-qvsdc-fdda', { host: null });
    assert.deepEqual([u.outcome.outcome, u.outcome.responseCode], ['declined', 'Z3']);
  });
  test('CTQ "switch interface for cash/cashback": such a tap goes to the contact interface, a purchase does not', async () => {
    const p = qvsdcEdit('visa-qvsdc-fdda', { ctq: '0600' });
    assert.equal((await tap(p, { request: { type: 'cash' } })).outcome.outcome, 'try-another-interface');
    assert.equal((await tap(p, { request: { type: 'cashback', amountOther: 500 } })).outcome.outcome, 'try-another-interface');
    assert.equal((await tap(p)).outcome.outcome, 'approved');
  });
  test('the card declines (AAC): declined without the host', async () => {
    const p = getProfile('visa-qvsdc-fdda');
    const t = await tap({ ...p, applications: [{ ...p.applications[0], behaviour: { ...p.applications[0].behaviour, declineOffline: true } }] });
    assert.deepEqual([t.outcome.outcome, t.outcome.cryptogram, t.arqcChecks.length], ['declined', 'AAC', 0]);
  });
  test('a card without an AFL: everything from GPO, PAN and expiry from Track 2', async () => {
    const t = await tap(qvsdcEdit('visa-qvsdc-online-pin', { afl: false }));
    assert.equal(t.outcome.outcome, 'approved');
    assert.equal(t.outcome.card?.expiry, '3012');
    assert.deepEqual(t.commands, ['00A40400', '00A40400', '80A80000']);
  });
  test('the ARQC over the PDOL data is what the issuer checks: a changed amount in field 55 fails', async () => {
    const t = await tap('visa-qvsdc-fdda');
    const icc = Buffer.from(t.outcome.iccData ?? '', 'hex');
    const at = icc.indexOf(Buffer.from('9F0206', 'hex')) + 3;
    icc[at + 5] ^= 0x01;
    assert.deepEqual(issuerKeysFor('visa-qvsdc-fdda').verifyArqc(icc).ok, false);
    assert.equal(issuerKeysFor('visa-qvsdc-fdda').respond(Buffer.from(t.outcome.iccData ?? '', 'hex'), { approve: true }).outcome, 'approved');
  });
  test('combinations: a Visa AID configured for kernel 7 finds no candidate', async () => {
    const combinations = DEFAULT_COMBINATIONS.map((c) => (c.aid.startsWith('A000000003') ? { ...c, kernelId: 7 as const } : c));
    assert.equal((await tap('visa-qvsdc-fdda', { contactless: { combinations } })).outcome.outcome, 'end-application');
  });
  test('every GPO answer corrupted (a bit flipped at each position step): an outcome, never a throw', async () => {
    const clean = await tap('visa-qvsdc-fdda');
    const size = (clean.outcome.apduLog.find((e) => e.command.startsWith('80A8'))?.response.length ?? 0) / 2;
    assert.ok(size > 100);
    const kinds = new Set<string>();
    for (let i = 0; i < size; i += 7) {
      const wrap = (card: VirtualCard): VirtualCard => ({
        atr: card.atr,
        reset: () => card.reset(),
        process: async (c) => {
          const r = await card.process(c);
          if (c[1] === 0xa8) r[i] ^= 0x10;
          return r;
        },
      });
      kinds.add((await tap('visa-qvsdc-fdda', { wrap })).outcome.outcome);
    }
    assert.ok(kinds.size >= 2, [...kinds].join(','));
  });
});

describe('the payment flow\'s view (asEmvOutcome)', () => {
  test('online approval: decided by the host, its code; offline TC: Y1 by the card (an advice follows); not final: null', async () => {
    const online = asEmvOutcome((await tap('visa-qvsdc-phone', { request: { amount: 6000 } })).outcome);
    assert.deepEqual([online?.result, online?.decidedBy, online?.responseCode, online?.cryptogram, online?.cvm, online?.oda], ['approved', 'host', '00', 'ARQC', 'cdcvm', 'DDA']);
    assert.equal(online?.authCode, 'SIM001');
    const offline = asEmvOutcome((await tap(qvsdcEdit('visa-qvsdc-fdda', { offlineLimit: 5000 }))).outcome);
    assert.deepEqual([offline?.result, offline?.decidedBy, offline?.responseCode, offline?.cryptogram, offline?.expiry], ['approved', 'card-offline', 'Y1', 'TC', '2030-12']);
    const expired = asEmvOutcome((await tap('visa-qvsdc-expired')).outcome);
    assert.deepEqual([expired?.result, expired?.responseCode, expired?.tvr.slice(2, 4)], ['declined', 'Z1', '40']);
    assert.equal(asEmvOutcome((await tap('visa-qvsdc-try-other')).outcome), null);
  });
});
