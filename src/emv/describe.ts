import { uintOf } from './numeric.js';

/** Application Interchange Profile bits (EMV Book 3 Annex C1), by name. */
export function describeAip(aip: Uint8Array): Record<string, boolean> {
  const b = aip[0] ?? 0;
  return {
    sda: (b & 0x40) !== 0,
    dda: (b & 0x20) !== 0,
    cardholderVerification: (b & 0x10) !== 0,
    terminalRiskManagement: (b & 0x08) !== 0,
    issuerAuthentication: (b & 0x04) !== 0,
    cda: (b & 0x01) !== 0,
  };
}

/** Application Usage Control bits (Book 3 Annex C2), by name. */
export function describeAuc(auc: Uint8Array): Record<string, boolean> {
  const [a = 0, c = 0] = auc;
  return {
    domesticCash: (a & 0x80) !== 0,
    internationalCash: (a & 0x40) !== 0,
    domesticGoods: (a & 0x20) !== 0,
    internationalGoods: (a & 0x10) !== 0,
    domesticServices: (a & 0x08) !== 0,
    internationalServices: (a & 0x04) !== 0,
    atms: (a & 0x02) !== 0,
    otherTerminals: (a & 0x01) !== 0,
    domesticCashback: (c & 0x80) !== 0,
    internationalCashback: (c & 0x40) !== 0,
  };
}

const CVM_NAMES: Readonly<Record<number, string>> = {
  0x00: 'fail CVM processing',
  0x01: 'plaintext PIN verified by ICC',
  0x02: 'enciphered PIN verified online',
  0x03: 'plaintext PIN by ICC and signature',
  0x04: 'enciphered PIN verified by ICC',
  0x05: 'enciphered PIN by ICC and signature',
  0x1e: 'signature',
  0x1f: 'no CVM required',
};

const CONDITIONS: readonly string[] = [
  'always',
  'if unattended cash',
  'if not unattended cash, manual cash or cashback',
  'if terminal supports the CVM',
  'if manual cash',
  'if purchase with cashback',
  'if in application currency and under X',
  'if in application currency and over X',
  'if in application currency and under Y',
  'if in application currency and over Y',
];

/** One CV rule, readable. */
export interface CvRule {
  readonly method: string;
  readonly condition: string;
  readonly continueOnFailure: boolean;
}

/** The CVM list (8E): amounts X, Y and the rules (Book 3 Annex C3). */
export function describeCvmList(list: Uint8Array): { x: number; y: number; rules: CvRule[] } {
  const rules: CvRule[] = [];
  for (let i = 8; i + 1 < list.length; i += 2) {
    const code = list[i] & 0x3f;
    rules.push({
      method: CVM_NAMES[code] ?? `unknown CVM ${code.toString(16)}`,
      condition: CONDITIONS[list[i + 1]] ?? `condition ${list[i + 1].toString(16)}`,
      continueOnFailure: (list[i] & 0x40) !== 0,
    });
  }
  return { x: uintOf(list.subarray(0, 4)) ?? 0, y: uintOf(list.subarray(4, 8)) ?? 0, rules };
}
