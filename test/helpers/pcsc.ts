// Shared set-up for integration tests on the real PC/SC stack: a private pcscd with two vpcd slots.
import { PcscdStack } from '../../src/sim/pcscd-stack.js';
import { VpcdCardClient } from '../../src/sim/vpcd-client.js';
import type { ReaderDriver, ReaderEvent } from '../../src/drivers/pcsc/types.js';

/** Why the real-stack tests cannot run here (they are skipped with this reason), or undefined. */
export const pcscSkip: string | undefined = PcscdStack.problem() ?? undefined;

/** A started stack and a card client for each of its two slots. */
export interface StackFixture {
  readonly stack: PcscdStack;
  readonly slots: [VpcdCardClient, VpcdCardClient];
  readonly readers: [string, string];
}

/** Starts pcscd with vpcd slots on `port` and `port + 1`. */
export async function startStack(port = 35963): Promise<StackFixture> {
  const stack = await PcscdStack.start({ port });
  return {
    stack,
    slots: [new VpcdCardClient({ port }), new VpcdCardClient({ port: port + 1 })],
    readers: stack.readers,
  };
}

/** Resolves when the reader reports a card (or no card) — pcscd notices vpcd changes within ~0.5 s. */
export async function waitForCard(driver: ReaderDriver, reader: string, present: boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = (await driver.listReaders()).find((x) => x.name === reader);
    if (r && r.cardPresent === present) return;
    if (Date.now() > deadline) throw new Error(`reader "${reader}" did not report card ${present ? 'present' : 'absent'} within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Collects events and lets a test wait for one matching a predicate. */
export class EventLog {
  readonly events: ReaderEvent[] = [];
  private waiters: Array<{ pred: (e: ReaderEvent) => boolean; resolve: (e: ReaderEvent) => void }> = [];

  /** Records an event and wakes matching waiters. */
  readonly push = (e: ReaderEvent): void => {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(e)) return true;
      w.resolve(e);
      return false;
    });
  };

  /** The first event (already seen or future) after index `from` matching `pred`. */
  waitFor(pred: (e: ReaderEvent) => boolean, timeoutMs = 8000, from = 0): Promise<ReaderEvent> {
    const seen = this.events.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got: ${this.events.map((e) => e.type).join(', ')}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(t);
          resolve(e);
        },
      });
    });
  }

  /** Event types in order, with the reader when there is one. */
  summary(): string[] {
    return this.events.map((e) => ('reader' in e ? `${e.type} ${e.reader}` : e.type));
  }
}
