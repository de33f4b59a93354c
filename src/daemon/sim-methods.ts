// The card slot the composition root keeps per lane in demo mode. The sim.* methods themselves are demo code and live
// in src/sim/sim-methods.ts, reached only through the dynamic import of demo-parts.ts; this module holds no simulator.

/**
 * Where demo mode puts a virtual card for a lane: the in-process reader, or a vpcd slot of a real pcscd (whose cards
 * live in a thread of their own: `WorkerCardSlot`). Cards are named by profile, so they can be made in that thread.
 */
export interface CardSlot {
  insert(profile: string): Promise<void> | void;
  remove(): Promise<void> | void;
  /** The lane's contactless reader's slot (sim.tapCard), when the lane has one. */
  readonly contactless?: CardSlot;
}
