import { CommandApdu } from '../apdu/command-apdu.js';
import { fromHex } from '../apdu/hex.js';
import type { CardIo } from './card-io.js';
import type { EmvDataStore } from './data-store.js';
import { bcdDigits, uintOf } from './numeric.js';
import type { BitField, TsiBit, TvrBit } from './tvr.js';
import { onlinePinBlockOf, stoppedEntryError } from './pin-result.js';
import type { OnlinePinBlock, PinEntry, PinOutcome, TransactionRequest } from './types.js';

/** How the cardholder was verified, for receipts and the payment record ('cdcvm': contactless, the phone verified its user). */
export type CvmMethod = 'offline-pin' | 'online-pin' | 'signature' | 'offline-pin+signature' | 'no-cvm' | 'none' | 'failed' | 'cdcvm';

/** The outcome of cardholder verification. */
export interface CvmOutcome {
  /** CVM Results (9F34), 3 bytes. */
  readonly results: Uint8Array;
  readonly method: CvmMethod;
  /** The encrypted online PIN for the host, when online PIN was the CVM. */
  readonly onlinePin: OnlinePinBlock | null;
}

/** What CVM processing needs besides the card and the store. */
export interface CvmContext {
  readonly io: CardIo;
  readonly store: EmvDataStore;
  readonly tvr: BitField<TvrBit>;
  readonly tsi: BitField<TsiBit>;
  readonly request: TransactionRequest;
  /** Terminal capabilities (9F33), 3 bytes. */
  readonly capabilities: Uint8Array;
  readonly pin: PinEntry;
  /** The ICC key for offline enciphered PIN, when ODA recovered it. */
  readonly iccPinKey: { modulus: Uint8Array; exponent: Uint8Array } | null;
  /** Progress: the PIN pad is asking, with tries left when known. */
  readonly onPinPrompt: (triesLeft: number | undefined) => void;
}

type RuleResult = 'success' | 'unknown' | 'failed';

// Terminal capability bits for each CVM code (Book 4 Annex A2, 9F33 byte 2).
const NEEDS: Readonly<Record<number, number>> = { 0x01: 0x80, 0x02: 0x40, 0x03: 0x80 | 0x20, 0x04: 0x10, 0x05: 0x10 | 0x20, 0x1e: 0x20, 0x1f: 0x08, 0x00: 0 };

/** True when a CV rule's condition code holds (Book 3 Annex C3, Table 40). Unknown conditions do not hold. */
export function conditionHolds(cond: number, code: number, req: TransactionRequest, x: number, y: number, sameCurrency: boolean, caps: number): boolean {
  switch (cond) {
    case 0x00:
      return true;
    case 0x01:
      return false; // unattended cash: this is an attended terminal
    case 0x02:
      return req.type !== 'cash' && req.type !== 'cashback';
    case 0x03:
      return NEEDS[code] !== undefined && (caps & NEEDS[code]) === NEEDS[code];
    case 0x04:
      return req.type === 'cash';
    case 0x05:
      return req.type === 'cashback';
    case 0x06:
      return sameCurrency && req.amount < x;
    case 0x07:
      return sameCurrency && req.amount > x;
    case 0x08:
      return sameCurrency && req.amount < y;
    case 0x09:
      return sameCurrency && req.amount > y;
    default:
      return false;
  }
}

/**
 * Cardholder verification (EMV Book 3 §10.5): the CVM list's rules in order, each whose condition holds is tried;
 * a failed rule goes on to the next only when its bit 7 says so. Sets TVR bits and the TSI, never throws for
 * a failed verification: the result is in the CVM Results.
 */
export async function verifyCardholder(ctx: CvmContext): Promise<CvmOutcome> {
  const aip = ctx.store.getCard(0x82) ?? new Uint8Array(2);
  if ((aip[0] & 0x10) === 0) return { results: fromHex('3F0000'), method: 'none', onlinePin: null };
  const list = ctx.store.getCard(0x8e);
  if (!list || list.length < 10) {
    // Book 3 §10.5: without a CVM list, cardholder verification ends without setting "CVM performed" in the TSI.
    ctx.tvr.set('iccDataMissing');
    return { results: fromHex('3F0000'), method: 'none', onlinePin: null };
  }
  ctx.tsi.set('cvmPerformed');
  const x = uintOf(list.subarray(0, 4)) ?? 0;
  const y = uintOf(list.subarray(4, 8)) ?? 0;
  const appCurrency = ctx.store.getCard(0x9f42);
  const sameCurrency = appCurrency !== undefined && bcdDigits(appCurrency) === ctx.request.currency.padStart(4, '0');
  const caps = ctx.capabilities[1] ?? 0;
  let lastFailed: [number, number] | null = null;
  for (let i = 8; i + 1 < list.length; i += 2) {
    const [b1, cond] = [list[i], list[i + 1]];
    const code = b1 & 0x3f;
    if (!conditionHolds(cond, code, ctx.request, x, y, sameCurrency, caps)) continue;
    const { result, onlinePin } = await performRule(ctx, code, caps);
    if (result !== 'failed') {
      return { results: Uint8Array.of(b1, cond, result === 'success' ? 0x02 : 0x00), method: methodOf(code), onlinePin };
    }
    lastFailed = [b1, cond];
    if ((b1 & 0x40) === 0) break;
  }
  ctx.tvr.set('cvmNotSuccessful');
  return { results: lastFailed ? Uint8Array.of(lastFailed[0], lastFailed[1], 0x01) : fromHex('3F0001'), method: 'failed', onlinePin: null };
}

function methodOf(code: number): CvmMethod {
  if (code === 0x01 || code === 0x04) return 'offline-pin';
  if (code === 0x03 || code === 0x05) return 'offline-pin+signature';
  if (code === 0x02) return 'online-pin';
  if (code === 0x1e) return 'signature';
  return 'no-cvm';
}

async function performRule(ctx: CvmContext, code: number, caps: number): Promise<{ result: RuleResult; onlinePin: OnlinePinBlock | null }> {
  const failed = { result: 'failed' as const, onlinePin: null };
  if (NEEDS[code] === undefined) {
    ctx.tvr.set('unrecognisedCvm');
    return failed;
  }
  if (code === 0x00) return failed;
  if ((caps & NEEDS[code]) !== NEEDS[code]) {
    if (code !== 0x1e && code !== 0x1f) ctx.tvr.set('pinPadMissing');
    return failed;
  }
  if (code === 0x1f) return { result: 'success', onlinePin: null };
  if (code === 0x1e) return { result: 'unknown', onlinePin: null };
  if (code === 0x02) {
    const pan = bcdDigits(ctx.store.getCard(0x5a) ?? new Uint8Array(0)) ?? '';
    ctx.onPinPrompt(undefined);
    const signal = ctx.io.cancelSignal;
    const r = await ctx.pin.onlinePin({ amount: ctx.request.amount, currency: ctx.request.currency, pan, ...(signal ? { signal } : {}) });
    ctx.io.checkCancelled('cvm');
    const block = onlinePinBlockOf(r);
    if (!block) {
      // A bypass moves on to the next CVM; so does a pad that cannot make an online PIN block (not working, Book 3 §10.5).
      ctx.tvr.set(r.kind === 'unavailable' ? 'pinPadMissing' : 'pinNotEntered');
      return failed;
    }
    ctx.tvr.set('onlinePinEntered');
    return { result: 'unknown', onlinePin: block };
  }
  const ok = await offlinePin(ctx, code === 0x04 || code === 0x05);
  if (!ok) return failed;
  return { result: code === 0x03 || code === 0x05 ? 'unknown' : 'success', onlinePin: null };
}

/** Offline PIN with retries while the card reports tries left (63Cx); false when verification failed. */
async function offlinePin(ctx: CvmContext, enciphered: boolean): Promise<boolean> {
  let triesLeft: number | undefined;
  const ptc = await ctx.io.send('cvm', CommandApdu.getData(0x9f17));
  if (ptc.isOk && ptc.data.length >= 4 && ptc.data[0] === 0x9f && ptc.data[1] === 0x17) triesLeft = ptc.data[3];
  if (triesLeft === 0) {
    ctx.tvr.set('pinTryLimitExceeded');
    return false;
  }
  if (enciphered && !ctx.iccPinKey) return false;
  for (let attempt = 0; attempt < 16; attempt++) {
    ctx.onPinPrompt(triesLeft);
    ctx.io.checkCancelled('cvm');
    const signal = ctx.io.cancelSignal;
    const prompt = { amount: ctx.request.amount, currency: ctx.request.currency, triesLeft, ...(signal ? { signal } : {}) };
    const outcome: PinOutcome =
      enciphered && ctx.iccPinKey ? await ctx.pin.verifyOfflineEnciphered(ctx.io.raw, prompt, ctx.iccPinKey) : await ctx.pin.verifyOfflinePlaintext(ctx.io.raw, prompt);
    switch (outcome.kind) {
      case 'verified':
        return true;
      case 'wrong':
        triesLeft = outcome.triesLeft;
        if (triesLeft > 0) continue;
        ctx.tvr.set('pinTryLimitExceeded');
        return false;
      case 'blocked':
        ctx.tvr.set('pinTryLimitExceeded');
        return false;
      case 'unavailable':
        ctx.tvr.set('pinPadMissing');
        return false;
      case 'cancelled':
      case 'timeout':
        // The cancel key, or nobody at the PIN pad: the transaction ends (EMV Book 4 §11.1, the Cancel key); only an
        // explicit bypass moves on to the card's next CVM.
        ctx.io.checkCancelled('cvm');
        throw stoppedEntryError(outcome.kind);
      case 'card-removed':
        throw stoppedEntryError(outcome.kind);
      default:
        ctx.io.checkCancelled('cvm');
        ctx.tvr.set('pinNotEntered');
        return false;
    }
  }
  return false;
}
