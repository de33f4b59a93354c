import { PosbridgeError } from '../errors.js';
import { fromHex, toHex } from '../apdu/hex.js';
import type { VirtualCard } from './virtual-card.js';

/** One commented request/response pair of a card script. */
export interface ScriptStep {
  /** What the step is, e.g. 'SELECT PSE'. */
  readonly comment: string;
  /** The exact command expected, hex. */
  readonly command: string;
  /** The answer, hex including SW1 SW2. */
  readonly response: string;
}

/** Every code a simulator error can carry (documented in docs/errors.md). */
export const SIM_ERROR_CODES = ['SCRIPT_MISMATCH', 'SCRIPT_EXHAUSTED', 'SCRIPT_INCOMPLETE', 'VPCD_UNREACHABLE', 'PCSCD_START_FAILED'] as const;

/** A stable code of the simulators. */
export type SimErrorCode = (typeof SIM_ERROR_CODES)[number];

/** Errors of the device simulators and test stands. */
export class SimError extends PosbridgeError {
  declare readonly code: SimErrorCode;

  /** Builds a simulator error. */
  constructor(code: SimErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details });
  }
}

/**
 * A card that follows a script of commented request/response pairs in order. The first unexpected command
 * is recorded as a failure naming the step and both hex strings, and answered 6F00; `assertComplete`
 * then throws it, so a test sees exactly where the conversation went wrong.
 */
export class ScriptedCard implements VirtualCard {
  readonly atr: Uint8Array;
  private readonly steps: ReadonlyArray<{ comment: string; command: string; response: Uint8Array }>;
  private index = 0;
  private failure: SimError | null = null;

  /** Builds a card from an ATR (hex) and its script. */
  constructor(atrHex: string, steps: readonly ScriptStep[]) {
    this.atr = fromHex(atrHex);
    this.steps = steps.map((s) => ({ comment: s.comment, command: toHex(fromHex(s.command)), response: fromHex(s.response) }));
  }

  /** Scripts survive resets: the position is kept, as a test expects. */
  reset(): void {
    // A scripted conversation is linear: a reset does not rewind it.
  }

  /** Answers with the next step's response, or records the mismatch and answers 6F00. */
  process(command: Uint8Array): Uint8Array {
    const got = toHex(command);
    if (this.failure) return Uint8Array.of(0x6f, 0x00);
    const step = this.steps[this.index];
    if (!step) {
      this.failure = new SimError('SCRIPT_EXHAUSTED', `card script has ${this.steps.length} steps; got an extra command ${got}`, { got });
      return Uint8Array.of(0x6f, 0x00);
    }
    if (step.command !== got) {
      this.failure = new SimError('SCRIPT_MISMATCH', `step ${this.index + 1} (${step.comment}): expected ${step.command}, got ${got}`, {
        step: this.index + 1,
        comment: step.comment,
        expected: step.command,
        got,
      });
      return Uint8Array.of(0x6f, 0x00);
    }
    this.index++;
    return step.response;
  }

  /** Steps answered so far. */
  get position(): number {
    return this.index;
  }

  /** Throws the recorded failure, or SCRIPT_INCOMPLETE when steps were left unused. */
  assertComplete(): void {
    if (this.failure) throw this.failure;
    if (this.index !== this.steps.length) {
      const s = this.steps[this.index];
      throw new SimError('SCRIPT_INCOMPLETE', `card script stopped at step ${this.index + 1} of ${this.steps.length} (${s.comment})`, { step: this.index + 1 });
    }
  }
}
