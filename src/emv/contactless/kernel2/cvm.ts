// Kernel 2's CVM selection (EMV Contactless Book C-2, procedure "CVM Selection"): a card that verifies its user itself
// (AIP byte 1 b2 "on device cardholder verification supported", with the Kernel Configuration allowing it) gets
// "confirmation code verified" above the Reader CVM Required Limit and no CVM below; otherwise the card's CVM list
// (8E) is processed as in EMV Book 3 §10.5 against the CVM capability of this transaction (config.ts). Offline PIN
// does not exist on a contactless reader: such a rule fails (it is not supported) and the list goes on when its b7 says so.
import { conditionHolds } from '../../cvm.js';
import { bcdDigits, uintOf } from '../../numeric.js';
import type { ContactlessCvm, ContactlessRequest } from '../types.js';
import type { TvrBit } from '../../tvr.js';

/** What CVM selection decided: the CVM, the CVM Results (9F34) and the TVR bits to set. */
export interface Kernel2Cvm {
  readonly cvm: ContactlessCvm;
  readonly results: Uint8Array;
  readonly tvr: readonly TvrBit[];
}

/** What CVM selection reads. */
export interface Kernel2CvmInput {
  readonly aip: Uint8Array;
  /** CVM List (8E), when the card has one. */
  readonly cvmList: Uint8Array | undefined;
  /** Application Currency Code (9F42), when the card has one. */
  readonly appCurrency: Uint8Array | undefined;
  readonly request: ContactlessRequest;
  /** The amount is above the Reader CVM Required Limit. */
  readonly cvmRequired: boolean;
  /** The CVM capability (9F33 byte 2) of this transaction. */
  readonly capability: number;
  /** Kernel Configuration: on-device cardholder verification supported. */
  readonly onDeviceCvm: boolean;
}

/** The capability bit each CVM this reader performs needs (Book 3 Annex A2: 9F33 byte 2), and its outcome CVM. */
const PERFORMED: ReadonlyMap<number, { readonly cap: number; readonly cvm: ContactlessCvm; readonly result: number }> = new Map([
  [0x02, { cap: 0x40, cvm: 'online-pin', result: 0x00 }],
  [0x1e, { cap: 0x20, cvm: 'signature', result: 0x00 }],
  [0x1f, { cap: 0x08, cvm: 'no-cvm', result: 0x02 }],
]);
/** CVM codes of Book 3 Annex C3 a contactless reader recognises but does not perform (offline PIN variants). */
const RECOGNISED = [0x00, 0x01, 0x03, 0x04, 0x05];

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** The CVM Selection procedure of Book C-2. */
export function selectKernel2Cvm(i: Kernel2CvmInput): Kernel2Cvm {
  // On-device CVM: CVM Results '01 00 02' (confirmation code verified) or '3F 00 02' (no CVM).
  if ((i.aip[0] & 0x02) !== 0 && i.onDeviceCvm) {
    return i.cvmRequired ? { cvm: 'cdcvm', results: bytes(0x01, 0x00, 0x02), tvr: [] } : { cvm: 'no-cvm', results: bytes(0x3f, 0x00, 0x02), tvr: [] };
  }
  // AIP byte 1 b5 "cardholder verification is supported" clear: no CVM, '3F 00 00'.
  if ((i.aip[0] & 0x10) === 0) return { cvm: 'no-cvm', results: bytes(0x3f, 0x00, 0x00), tvr: [] };
  const list = i.cvmList;
  if (!list || list.length < 10) return { cvm: 'no-cvm', results: bytes(0x3f, 0x00, 0x00), tvr: ['iccDataMissing'] };
  const x = uintOf(list.subarray(0, 4)) ?? 0;
  const y = uintOf(list.subarray(4, 8)) ?? 0;
  const sameCurrency = i.appCurrency !== undefined && bcdDigits(i.appCurrency) === i.request.currency.padStart(4, '0');
  const tvr: TvrBit[] = [];
  let lastFailed: [number, number] | null = null;
  for (let at = 8; at + 1 < list.length; at += 2) {
    const [rule, cond] = [list[at], list[at + 1]];
    const code = rule & 0x3f;
    if (!conditionHolds(cond, code, i.request, x, y, sameCurrency, i.capability)) continue;
    const p = PERFORMED.get(code);
    if (p && (i.capability & p.cap) !== 0) {
      if (p.cvm === 'online-pin') tvr.push('onlinePinEntered');
      return { cvm: p.cvm, results: bytes(rule, cond, p.result), tvr };
    }
    if (!p && !RECOGNISED.includes(code)) tvr.push('unrecognisedCvm');
    lastFailed = [rule, cond];
    // b7: "apply succeeding CV rule if this CVM is unsuccessful".
    if ((rule & 0x40) === 0) break;
  }
  tvr.push('cvmNotSuccessful');
  return { cvm: 'no-cvm', results: lastFailed ? bytes(lastFailed[0], lastFailed[1], 0x01) : bytes(0x3f, 0x00, 0x01), tvr };
}
