// The host simulator's issuer (src/sim/host/issuer.ts, unchanged) on the 0200 of a contactless tap: it finds the
// virtual qVSDC or M/Chip (Kernel 2) card by PAN, PSN and AID, verifies the ARQC computed over the PDOL data from field 55, and checks
// the online PIN (TDES DUKPT) of the UnionPay card — no change to the host simulator was needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv, type TlvNode } from '../../src/apdu/tlv.js';
import type { AuthorizeContext } from '../../src/emv/kernel.js';
import type { OnlineResponse } from '../../src/emv/types.js';
import { Iso8583Message } from '../../src/host/iso8583/index.js';
import { getProfile } from '../../src/sim/emv/catalog.js';
import { builtInCards, decideAuthorization, type IssuerAnswer } from '../../src/sim/host/issuer.js';
import { encryptOnlinePin, SIM_TDES_BDK } from '../../src/sim/pinpad/sim-dukpt.js';
import { tap } from '../helpers/contactless-tap.js';

const KSN = fromHex('FFFF9876543210E00007');

/** A 0200 of the tap, as the host link would build it (PAN, PSN, amount, field 55, online PIN and KSN). */
function sale(iccData: Uint8Array, card: AuthorizeContext, amount: number): Iso8583Message {
  const f: Record<number, string | Uint8Array | readonly TlvNode[]> = { 2: card.pan, 3: '000000', 4: String(amount).padStart(12, '0'), 11: '000001', 41: 'POSB0001', 49: '978', 55: decodeTlv(iccData) };
  if (card.panSequenceNumber) f[23] = card.panSequenceNumber.padStart(3, '0');
  if (card.onlinePin) {
    f[52] = fromHex(card.onlinePin.block);
    f[53] = fromHex(card.onlinePin.ksn ?? '');
  }
  return Iso8583Message.of('0200', f);
}

/** Taps `name` with the host simulator's issuer deciding; returns the outcome and the issuer's answer. */
async function tapWithHostSim(name: string, amount: number): Promise<{ result: string; answer: IssuerAnswer | null }> {
  const p = getProfile(name);
  let answer: IssuerAnswer | null = null;
  const block = toHex(encryptOnlinePin('tdes-dukpt', fromHex(SIM_TDES_BDK), KSN, p.pin, p.applications[0].pan).block);
  const t = await tap(name, {
    request: { amount },
    pin: { format: 0, block, ksn: toHex(KSN) },
    authorizeWith: async (iccData: Uint8Array, card: AuthorizeContext): Promise<OnlineResponse> => {
      answer = decideAuthorization(sale(iccData, card, amount), builtInCards, () => 'HS0001');
      return answer.responseCode === '00' ? { outcome: 'approved', responseCode: '00', authCode: answer.authCode ?? '' } : { outcome: 'declined', responseCode: answer.responseCode };
    },
  });
  return { result: t.outcome.outcome, answer };
}

describe('host simulator on contactless taps', () => {
  test('qVSDC card with fDDA: ARQC verified, approved', async () => {
    const { result, answer } = await tapWithHostSim('visa-qvsdc-fdda', 1234);
    assert.equal(answer?.arqc, 'verified');
    assert.equal(result, 'approved');
  });
  test('UnionPay QuickPass above the CVM limit: ARQC verified and online PIN verified', async () => {
    const { result, answer } = await tapWithHostSim('unionpay-quickpass', 6000);
    assert.deepEqual([answer?.arqc, answer?.note, result], ['verified', 'online PIN verified', 'approved']);
  });
  test('phone wallet: ARQC verified, approved', async () => {
    assert.equal((await tapWithHostSim('visa-qvsdc-phone', 6000)).answer?.arqc, 'verified');
  });
  test('Kernel 2: the M/Chip ARQC (AC recovered from the CDA signature) verified from field 55, approved', async () => {
    const { result, answer } = await tapWithHostSim('mastercard-contactless-cda', 1234);
    assert.deepEqual([answer?.arqc, result], ['verified', 'approved']);
  });
  test('Kernel 2 Maestro above the CVM limit: ARQC and online PIN verified', async () => {
    const { result, answer } = await tapWithHostSim('maestro-contactless-online-pin', 6000);
    assert.deepEqual([answer?.arqc, answer?.note, result], ['verified', 'online PIN verified', 'approved']);
  });
});
