/**
 * A payment's states (issue 5's state machine). Each is committed to the journal before the step it announces:
 * created → card-read → authorizing → authorized → completed | declined | cancelled | failed
 *                                   ↘ reversal-pending → reversed   (completed → reversal-pending: a supervisor's void)
 */
export const PAYMENT_STATES = ['created', 'card-read', 'authorizing', 'authorized', 'completed', 'declined', 'cancelled', 'failed', 'reversal-pending', 'reversed'] as const;

/** A payment state. */
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** States a payment never leaves. */
/** `completed` is final for the flow; only a supervisor's explicit reversal moves it on. */
export const FINAL_STATES: ReadonlySet<PaymentState> = new Set(['completed', 'declined', 'cancelled', 'failed', 'reversed']);

/** The allowed moves: anything else is a bug and is refused. */
export const TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  created: ['card-read', 'cancelled', 'failed'],
  'card-read': ['authorizing', 'completed', 'declined', 'cancelled', 'failed'],
  authorizing: ['authorized', 'declined', 'completed', 'reversal-pending', 'failed'],
  authorized: ['completed', 'declined', 'reversal-pending'],
  'reversal-pending': ['reversed'],
  // A supervisor's reversal (void) of a completed sale, before settlement.
  completed: ['reversal-pending'],
  declined: [],
  cancelled: [],
  failed: [],
  reversed: [],
};

/** True when `to` may follow `from`. */
export function canMove(from: PaymentState, to: PaymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * What a payment left in `state` by a crash becomes on restart (issue 5: "the journal alone decides"):
 * before authorising → cancelled; authorising with no stored answer, or authorised with the card step unfinished
 * → reversal (the host link's armed reversal is fired by its own recovery).
 */
export function recoveryTarget(state: PaymentState): PaymentState | null {
  switch (state) {
    case 'created':
    case 'card-read':
      return 'cancelled';
    case 'authorizing':
    case 'authorized':
      return 'reversal-pending';
    default:
      return null;
  }
}
