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
}

/** What the transport must do with the next APDU. */
export type FaultAction = { readonly kind: 'answer'; readonly delayMs: number } | { readonly kind: 'drop' } | { readonly kind: 'mute' } | { readonly kind: 'garbage'; readonly bytes: Uint8Array; readonly delayMs: number };

/** Counts APDUs and decides, per APDU, whether to answer, drop the card, go mute or answer garbage. */
export class FaultPlan {
  private count = 0;

  /** Builds a plan; no options means a well-behaved card. */
  constructor(private options: FaultOptions = {}) {}

  /** Replaces the scenario (keeps the APDU count). */
  set(options: FaultOptions): void {
    this.options = options;
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
    if (o.muteAfter !== undefined && n >= o.muteAfter) return { kind: 'mute' };
    if (o.garbageAfter !== undefined && n >= o.garbageAfter) {
      const len = 1 + (randomBytes(1)[0] % 40);
      return { kind: 'garbage', bytes: new Uint8Array(randomBytes(len)), delayMs };
    }
    return { kind: 'answer', delayMs };
  }
}
