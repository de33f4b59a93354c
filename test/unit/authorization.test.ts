// The one authorisation module: the request of each entry path, the answer for the kernel, and how an armed request
// ends (complete, reverse, advise) — checked on a recording link.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EmvOutcome } from '../../src/emv/kernel.js';
import type { AuthResult } from '../../src/host/link.js';
import type { AuthRequest } from '../../src/host/messages.js';
import { Authorization, authorizationRequest, kernelAnswer, reversalReason, type AuthorizationLink, type ChipCard } from '../../src/payments/authorization.js';

const CARD: ChipCard = { pan: '4761739001010119', expiry: '2912', panSequenceNumber: '01', onlinePin: { block: 'AABBCCDDEEFF0011', ksn: 'FFFF9876543210E00001', format: 0 } };
const ICC = Uint8Array.from([0x9f, 0x26, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
const SUBJECT = { type: 'sale' as const, ref: 'p-1', amount: 1234, currency: '978' };

/** A link that records every call and answers `answer`. */
class RecordingLink implements AuthorizationLink {
  readonly calls: string[] = [];
  readonly requests: AuthRequest[] = [];
  constructor(private readonly answer: AuthResult) {}
  async authorize(r: AuthRequest): Promise<AuthResult> {
    this.requests.push(r);
    this.calls.push(`authorize ${r.kind}`);
    return this.answer;
  }
  complete(id: number): void {
    this.calls.push(`complete ${id}`);
  }
  reverse(id: number, reason: string): void {
    this.calls.push(`reverse ${id}: ${reason}`);
  }
  adviseOfflineApproval(r: AuthRequest, code: string): number {
    this.requests.push(r);
    this.calls.push(`advise ${code}`);
    return 9;
  }
}

const approved: AuthResult = { outcome: 'approved', responseCode: '00', authCode: 'A1B2C3', issuerAuthenticationData: '0102030405060708', stan: '000001', reversalId: 7, reversalQueued: false };
const outcome = (result: 'approved' | 'declined', responseCode = '00'): EmvOutcome => ({ result, responseCode, iccData: '9F2608AABBCCDDEEFF0011' }) as unknown as EmvOutcome;

describe('the authorisation request', () => {
  test('chip: field 22 051, field 55, PAN sequence number, PIN block and KSN', () => {
    const r = authorizationRequest(SUBJECT, { entry: 'chip', card: CARD, iccData: ICC });
    assert.deepEqual(r, { kind: 'sale', ref: 'p-1', amount: 1234, currency: '978', pan: CARD.pan, expiry: '2912', panSequenceNumber: '01', posEntryMode: '051', iccData: ICC, pinBlock: 'AABBCCDDEEFF0011', ksn: 'FFFF9876543210E00001' });
  });

  test('contactless: field 22 071; no PIN, no PSN: neither field sent', () => {
    const r = authorizationRequest({ ...SUBJECT, type: 'preauth' }, { entry: 'contactless', card: { ...CARD, panSequenceNumber: null, onlinePin: null }, iccData: ICC });
    assert.equal(r.posEntryMode, '071');
    assert.equal(r.kind, 'preauth');
    assert.ok(!('pinBlock' in r) && !('ksn' in r) && !('panSequenceNumber' in r));
  });

  test('swipe: the track fields as given, with the online PIN; refund kind', () => {
    const fields = { pan: '5413330089010608', expiry: '2512', track2: '5413330089010608D2512201', posEntryMode: '901' };
    const r = authorizationRequest({ ...SUBJECT, type: 'refund' }, { entry: 'swiped', fields, pin: { block: '00112233', format: 0 } });
    assert.deepEqual(r, { kind: 'refund', ref: 'p-1', amount: 1234, currency: '978', ...fields, pinBlock: '00112233' });
  });

  test("the host's answer for the kernel keeps what the card needs, nothing else", () => {
    assert.deepEqual(kernelAnswer(approved), { outcome: 'approved', responseCode: '00', authCode: 'A1B2C3', issuerAuthenticationData: '0102030405060708' });
    assert.deepEqual(kernelAnswer({ outcome: 'unable' }), { outcome: 'unable' });
  });
});

describe('ending an authorisation', () => {
  test('approved by host and card: completed once; a second end does nothing', async () => {
    const link = new RecordingLink(approved);
    const a = new Authorization(link, SUBJECT);
    await a.send({ entry: 'chip', card: CARD, iccData: ICC });
    assert.equal(a.reversalId, 7);
    assert.equal(a.end(outcome('approved'), null, CARD), 'completed');
    assert.equal(a.end(outcome('approved'), null, CARD), 'nothing');
    assert.deepEqual(link.calls, ['authorize sale', 'complete 7']);
  });

  test('the card declines after the host approved: reversed with the reason', async () => {
    const link = new RecordingLink(approved);
    const a = new Authorization(link, SUBJECT);
    await a.send({ entry: 'chip', card: CARD, iccData: ICC });
    assert.equal(a.end(outcome('declined'), null, CARD), 'reversed');
    assert.deepEqual(link.calls, ['authorize sale', 'reverse 7: card declined after host approval']);
  });

  test('card removed or cancelled after the request left: reversed, each with its reason', async () => {
    for (const [err, cancelled, why] of [
      [{ code: 'EMV_CARD_REMOVED' }, false, 'card removed after approval'],
      [null, true, 'cancelled after the request left'],
    ] as const) {
      const link = new RecordingLink(approved);
      const a = new Authorization(link, SUBJECT);
      await a.send({ entry: 'chip', card: CARD, iccData: ICC });
      assert.equal(a.end(null, err, CARD, cancelled), 'reversed');
      assert.equal(link.calls[1], `reverse 7: ${why}`);
    }
  });

  test('an offline approval (Y1/Y3) is advised with the final field 55 and no PIN; a Z1 decline is not', () => {
    const link = new RecordingLink(approved);
    assert.equal(new Authorization(link, SUBJECT).end(outcome('approved', 'Y3'), null, CARD), 'advised');
    const advice = link.requests[0];
    assert.equal(advice.posEntryMode, '051');
    assert.equal(Buffer.from(advice.iccData ?? []).toString('hex').toUpperCase(), '9F2608AABBCCDDEEFF0011');
    assert.ok(!('pinBlock' in advice));
    assert.equal(new Authorization(link, SUBJECT).end(outcome('declined', 'Z1'), null, CARD), 'nothing');
    assert.deepEqual(link.calls, ['advise Y3']);
  });

  test('a request sent twice is refused (one payment, one request)', async () => {
    const a = new Authorization(new RecordingLink(approved), SUBJECT);
    await a.send({ entry: 'chip', card: CARD, iccData: ICC });
    await assert.rejects(a.send({ entry: 'chip', card: CARD, iccData: ICC }));
  });

  test('reversal reasons', () => {
    assert.equal(reversalReason({ result: 'approved' }, null), null);
    assert.equal(reversalReason({ result: 'declined' }, null), 'card declined after host approval');
    assert.equal(reversalReason(null, { code: 'EMV_READER_FAILED' }), 'payment failed after the request left: EMV_READER_FAILED');
  });
});
