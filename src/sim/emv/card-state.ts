import type { AcType } from './cryptogram-layout.js';
import type { AppImage } from './personalise.js';

/** What the card keeps across resets and transactions (its non-volatile memory), per application. */
export interface AppState {
  readonly image: AppImage;
  /** Application Transaction Counter (9F36); incremented once per transaction, at GET PROCESSING OPTIONS. */
  atc: number;
  /** ATC of the last transaction the issuer approved online with issuer authentication passed (9F13). */
  lastOnlineAtc: number;
  /** PIN try counter (9F17). */
  pinTries: number;
  blocked: boolean;
  consecutiveOffline: number;
  /** The last online transaction did not complete (issuer authentication failed or missing). */
  lastOnlineNotCompleted: boolean;
  /** Consecutive offline limits (9F14, 9F23) as PUT DATA may change them. */
  lowerLimit: number | null;
  upperLimit: number | null;
  /** Records by `${sfi}:${record}`; UPDATE RECORD may replace one. */
  readonly records: Map<string, Uint8Array>;
}

/** Where the card is in a transaction (EMV Book 3 §6.5: each command is only valid in some of these). */
export type Phase = 'idle' | 'selected' | 'initiated' | 'online' | 'done';

/** The first GENERATE AC's answer, needed by the second, EXTERNAL AUTHENTICATE and script MACs. */
export interface FirstAc {
  readonly type: AcType;
  readonly ac: Uint8Array;
  readonly atc: Uint8Array;
  readonly cdolData: Uint8Array;
}

/** What the card forgets at reset and at every SELECT (volatile memory). */
export interface Session {
  /** The selected DF: nothing, the PSE, the PPSE, or an application by index. */
  selected: { readonly kind: 'pse' } | { readonly kind: 'ppse' } | { readonly kind: 'app'; readonly index: number } | null;
  phase: Phase;
  pdolData: Uint8Array;
  /** GET CHALLENGE's number, usable once by VERIFY with an enciphered PIN. */
  challenge: Uint8Array | null;
  offlinePinPerformed: boolean;
  offlinePinFailed: boolean;
  first: FirstAc | null;
  issuerAuth: 'none' | 'passed' | 'failed';
  scriptCommands: number;
  scriptFailed: boolean;
}

/** A fresh session: nothing selected. */
export function newSession(): Session {
  return {
    selected: null,
    phase: 'idle',
    pdolData: new Uint8Array(0),
    challenge: null,
    offlinePinPerformed: false,
    offlinePinFailed: false,
    first: null,
    issuerAuth: 'none',
    scriptCommands: 0,
    scriptFailed: false,
  };
}

/** The application's initial non-volatile state after personalisation. */
export function newAppState(image: AppImage): AppState {
  const p = image.profile;
  return {
    image,
    atc: 0,
    lastOnlineAtc: 0,
    pinTries: p.pinTryCounter,
    blocked: p.blocked,
    consecutiveOffline: 0,
    lastOnlineNotCompleted: false,
    lowerLimit: p.lowerConsecutiveLimit,
    upperLimit: p.upperConsecutiveLimit,
    records: new Map(image.records),
  };
}

/** A 2-byte big-endian counter value. */
export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}

/** One issuer script command as the card received it (tests and the demo read the card's log). */
export interface ScriptRecord {
  /** Command header CLA INS P1 P2, hex. */
  readonly header: string;
  /** Plain data (without the MAC), hex. */
  readonly data: string;
  readonly macValid: boolean;
  /** The status word the card answered, hex. */
  readonly sw: string;
}
