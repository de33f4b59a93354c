import { toHex } from '../apdu/hex.js';

/** Terminal Verification Results bits (EMV 4.4 Book 3 Annex C5): [byte index 0-4, bit mask]. */
export const TVR = {
  odaNotPerformed: [0, 0x80],
  sdaFailed: [0, 0x40],
  iccDataMissing: [0, 0x20],
  exceptionFile: [0, 0x10],
  ddaFailed: [0, 0x08],
  cdaFailed: [0, 0x04],
  sdaSelected: [0, 0x02],
  differentVersions: [1, 0x80],
  expiredApplication: [1, 0x40],
  notYetEffective: [1, 0x20],
  serviceNotAllowed: [1, 0x10],
  newCard: [1, 0x08],
  cvmNotSuccessful: [2, 0x80],
  unrecognisedCvm: [2, 0x40],
  pinTryLimitExceeded: [2, 0x20],
  pinPadMissing: [2, 0x10],
  pinNotEntered: [2, 0x08],
  onlinePinEntered: [2, 0x04],
  floorLimitExceeded: [3, 0x80],
  lowerOfflineLimitExceeded: [3, 0x40],
  upperOfflineLimitExceeded: [3, 0x20],
  randomlySelectedOnline: [3, 0x10],
  merchantForcedOnline: [3, 0x08],
  defaultTdolUsed: [4, 0x80],
  issuerAuthenticationFailed: [4, 0x40],
  scriptFailedBeforeFinalAc: [4, 0x20],
  scriptFailedAfterFinalAc: [4, 0x10],
} as const satisfies Record<string, readonly [number, number]>;

/** Transaction Status Information bits (Book 3 Annex C6). */
export const TSI = {
  odaPerformed: [0, 0x80],
  cvmPerformed: [0, 0x40],
  cardRiskManagementPerformed: [0, 0x20],
  issuerAuthenticationPerformed: [0, 0x10],
  terminalRiskManagementPerformed: [0, 0x08],
  scriptProcessingPerformed: [0, 0x04],
} as const satisfies Record<string, readonly [number, number]>;

/** A TVR bit name. */
export type TvrBit = keyof typeof TVR;
/** A TSI bit name. */
export type TsiBit = keyof typeof TSI;

/** A mutable bit field (TVR 5 bytes, TSI 2 bytes) with named bits. */
export class BitField<K extends string> {
  readonly bytes: Uint8Array;

  /** Builds an all-zero field of `length` bytes with the named bit table. */
  constructor(
    length: number,
    private readonly table: Readonly<Record<K, readonly [number, number]>>,
  ) {
    this.bytes = new Uint8Array(length);
  }

  /** Sets a named bit. */
  set(bit: K): void {
    const [i, m] = this.table[bit];
    this.bytes[i] |= m;
  }

  /** True when the named bit is set. */
  has(bit: K): boolean {
    const [i, m] = this.table[bit];
    return (this.bytes[i] & m) !== 0;
  }

  /** Names of the bits set, in table order. */
  names(): K[] {
    return (Object.keys(this.table) as K[]).filter((k) => this.has(k));
  }

  /** Uppercase hex. */
  toHex(): string {
    return toHex(this.bytes);
  }
}

/** A fresh TVR (5 bytes). */
export function newTvr(): BitField<TvrBit> {
  return new BitField(5, TVR);
}

/** A fresh TSI (2 bytes). */
export function newTsi(): BitField<TsiBit> {
  return new BitField(2, TSI);
}

/** True when any bit set in `tvr` is also set in `mask` (a TAC/IAC, Book 3 §10.7). */
export function matchesActionCode(tvr: Uint8Array, mask: Uint8Array): boolean {
  for (let i = 0; i < 5; i++) if ((tvr[i] & (mask[i] ?? 0)) !== 0) return true;
  return false;
}
