import { randomBytes } from 'node:crypto';

/** Scenario controls for a simulated card's transport: slowness and failures after a number of APDUs. */
export interface FaultOptions {
  /** Delay before each answer, ms (a slow card). */
  readonly delayMs?: number;
  /** After this many answered APDUs the card is pulled (the next APDU removes it). */
  readonly dropAfter?: number;
  /** After this many answered APDUs the card answers random bytes. */
  readonly garbageAfter?: number;
  /** After this many answered APDUs the card stops answering (mute). */
  readonly muteAfter?: number;
  /**
   * After this many answered APDUs the card freezes: it answers nothing more, not even the reader's power and ATR
   * requests, so the reader itself hangs (vpcd waits on the card inside pcscd's calls: a wedged reader).
   */
  readonly freezeAfter?: number;
  /** Once it has answered an APDU, the card freezes when the reader powers it off or resets it (a disconnect that never returns). */
  readonly freezeOnPowerOff?: boolean;
}

/** What the transport must do with the next APDU. */
export type FaultAction = { readonly kind: 'answer'; readonly delayMs: number } | { readonly kind: 'drop' } | { readonly kind: 'mute' } | { readonly kind: 'freeze' } | { readonly kind: 'garbage'; readonly bytes: Uint8Array; readonly delayMs: number };

/** Counts APDUs and decides, per APDU, whether to answer, drop the card, go mute or answer garbage. */
export class FaultPlan {
  private count = 0;

  /** Builds a plan; no options means a well-behaved card. */
  constructor(private options: FaultOptions = {}) {}

  /** Replaces the scenario (keeps the APDU count). */
  set(options: FaultOptions): void {
    this.options = options;
  }

  /** True when a power-off or reset must freeze the card. */
  get freezesOnPowerOff(): boolean {
    return this.options.freezeOnPowerOff === true;
  }

  /** APDUs seen so far. */
  get apduCount(): number {
    return this.count;
  }

  /** The action for the next APDU; advances the count. */
  next(): FaultAction {
    const n = this.count++;
    const o = this.options;
    const delayMs = o.delayMs ?? 0;
    if (o.dropAfter !== undefined && n >= o.dropAfter) return { kind: 'drop' };
    if (o.freezeAfter !== undefined && n >= o.freezeAfter) return { kind: 'freeze' };
    if (o.muteAfter !== undefined && n >= o.muteAfter) return { kind: 'mute' };
    if (o.garbageAfter !== undefined && n >= o.garbageAfter) {
      const len = 1 + (randomBytes(1)[0] % 40);
      return { kind: 'garbage', bytes: new Uint8Array(randomBytes(len)), delayMs };
    }
    return { kind: 'answer', delayMs };
  }
}
