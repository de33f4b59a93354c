// The acquirer host simulator's answering rules and failure modes, as data: the simulator follows them and
// `rules()` returns them for documentation (`posbridge sim host`, docs for cashier-app developers).
// Response codes are ISO 8583:1987 field 39 values as acquirers commonly use them.

/** How the simulator treats connections and answers (scenario control for failure tests). */
export type HostMode = 'normal' | 'timeout' | 'down' | 'drop-mid-response' | 'late' | 'twice' | 'garbage';

/** Every mode, in documentation order. */
export const HOST_MODES: readonly HostMode[] = ['normal', 'timeout', 'down', 'drop-mid-response', 'late', 'twice', 'garbage'];

/** One answering rule: which request, and what the simulator does. */
export interface SimRule {
  readonly request: string;
  readonly when: string;
  readonly answer: string;
}

/** One failure mode and its effect. */
export interface SimModeRule {
  readonly mode: HostMode;
  readonly effect: string;
}

/** Response codes the simulator gives (ISO 8583:1987 field 39). */
export const SIM_CODES = {
  approved: '00',
  doNotHonour: '05',
  invalidTransaction: '12',
  invalidCard: '14',
  originalNotFound: '25',
  formatError: '30',
  insufficientFunds: '51',
  incorrectPin: '55',
  /** Visa's "PIN cryptographic error found" (private-use range of ISO 8583:1987). */
  pinCryptoError: '81',
  totalsNotAgreed: '95',
  /** Batch upload answers (our convention, docs/host.md; UPLOAD_CODES of src/host/settlement.ts). */
  uploadNotCounted: 'N1',
  uploadAmountDiffers: 'N2',
  uploadCountedReversed: 'N3',
} as const;

const RULES: readonly SimRule[] = [
  { request: '0100/0200', when: 'amount (field 4) ends in .51', answer: `0110/0210 code 51 (insufficient funds)` },
  { request: '0100/0200', when: 'amount ends in .05', answer: '0110/0210 code 05 (do not honour)' },
  { request: '0100/0200', when: 'amount ends in .99', answer: 'no answer (the terminal times out and reverses)' },
  { request: '0100/0200', when: 'card (PAN field 2 or track 2, PSN field 23, AID 84 in field 55) not a built-in virtual card', answer: 'code 14 (invalid card)' },
  { request: '0100/0200', when: 'online PIN block (field 52, DUKPT KSN in field 53) decrypts under the simulator\'s test BDK to a PIN other than the card profile\'s', answer: 'code 55 (incorrect PIN)' },
  { request: '0100/0200', when: 'field 52 present but undecipherable (no or bad KSN, malformed PIN field, other key or PAN)', answer: 'code 81 (PIN cryptographic error)' },
  { request: '0100/0200', when: 'ARQC in field 55 does not verify with the card\'s issuer keys', answer: 'code 05, the reason noted in the record' },
  { request: '0100/0200', when: 'refund (processing code 20) with an AAC, or no field 55 (magstripe, key entry)', answer: 'code 00 without an ARPC' },
  { request: '0100/0200', when: 'otherwise (ARQC verified)', answer: 'code 00, auth code (field 38), RRN (37), field 55 with 91 (ARPC method 1 || ARC) and the profile\'s issuer scripts 71/72' },
  { request: '0220/0221', when: 'always', answer: '0230 code 00 (a repeat of a recorded advice changes nothing)' },
  { request: '0400/0420/0421', when: 'original (field 90 STAN, field 41 TID) was received', answer: '0410/0430 code 00 (its approval is reversed once, however often repeated)' },
  { request: '0400/0420/0421', when: 'original unknown', answer: '0410/0430 code 25 (unable to locate original)' },
  { request: '0800', when: 'always', answer: '0810 code 00' },
  { request: '0320', when: 'batch upload of a transaction counted with the same amount (by field 41 and the original STAN in field 11)', answer: '0330 code 00' },
  { request: '0320', when: 'batch upload of a transaction not counted', answer: '0330 code N1; it is added to the batch of its currency (field 49)' },
  { request: '0320', when: 'batch upload of a transaction counted with another amount', answer: '0330 code N2 with the amount it had in field 4; it now counts the uploaded amount' },
  { request: '0320', when: 'batch upload of a transaction counted as reversed', answer: '0330 code N3; it now counts it unreversed' },
  { request: '0500', when: 'no field 50 (currency code, settlement)', answer: '0510 code 30 (format error): a reconciliation is per currency' },
  { request: '0500', when: 'totals fields 74-77, 81, 86-89 or 97 present in the request differ from what the simulator recorded in the currency of field 50', answer: '0510 code 95 (totals not agreed)' },
  { request: '0500', when: 'totals agree', answer: '0510 code 00; that currency\'s batch closes (its totals reset; other currencies stay open)' },
  { request: '0500', when: 'any answer with code 00 or 95', answer: 'the 0510 carries the simulator\'s own totals of that currency in fields 74-77, 86-89 and 97' },
  { request: 'other requests', when: 'always', answer: 'response class MTI with code 12 (invalid transaction)' },
];

const MODES: readonly SimModeRule[] = [
  { mode: 'normal', effect: 'answers by the rules' },
  { mode: 'timeout', effect: 'records requests, never answers, does not process them' },
  { mode: 'down', effect: 'stops listening and drops open connections: connections are refused' },
  { mode: 'drop-mid-response', effect: 'processes the request, writes half the answer frame, closes the connection' },
  { mode: 'late', effect: 'processes the request, answers after delayMs' },
  { mode: 'twice', effect: 'processes the request once, sends the answer twice' },
  { mode: 'garbage', effect: 'processes the request, answers one frame of random bytes that do not parse' },
];

/** The answering rules and failure modes, for documentation. */
export function rules(): { readonly rules: readonly SimRule[]; readonly modes: readonly SimModeRule[] } {
  return { rules: RULES, modes: MODES };
}

/** The amount rule for an authorisation amount in minor units: a decline code, 'no-answer', or null (go on). */
export function amountRule(amountMinor: number): '51' | '05' | 'no-answer' | null {
  const cents = amountMinor % 100;
  if (cents === 51) return SIM_CODES.insufficientFunds;
  if (cents === 5) return SIM_CODES.doNotHonour;
  if (cents === 99) return 'no-answer';
  return null;
}

/** True for a request MTI (ISO 8583:1987 §4.1.2: function digit 0 request, 2 advice; 1 repeat of either). */
export function isRequestMti(mti: string): boolean {
  return /^\d{2}[02]\d$/.test(mti) && (mti[3] === '0' || mti[3] === '1');
}
