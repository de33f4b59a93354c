// Demo only (`posbridge demo --auto-card PROFILE[:DELAY_MS]`): every payment of a demo lane that waits for a card
// gets the named virtual card after the delay, and its PIN typed, through the demo's own sim.* methods, so an app
// can be tried with no one at the simulator.
import { invoke, type MethodSpec, type Session } from '../api/rpc.js';
import type { Logger } from '../log/logger.js';

/** What the auto card needs: the demo's methods (sim.insertCard, sim.removeCard, sim.enterPin). */
export interface AutoCardOptions {
  readonly methods: ReadonlyMap<string, MethodSpec>;
  readonly profile: string;
  /** The profile's PIN (typed ahead; a card that asks none leaves it unused). */
  readonly pin: string;
  readonly delayMs: number;
  readonly logger: Logger;
}

const SESSION: Session = { client: { id: 0, name: 'auto-card', role: 'admin', createdAt: 0, revokedAt: null, lastSeenAt: null }, connectionId: -2, stillAuthorized: () => true };

/** A notification listener that presents the card; `stop` cancels the pending presentations. */
export function autoCard(o: AutoCardOptions): { listener: (method: string, params: Record<string, unknown>) => void; stop: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  const call = async (method: string, params: Record<string, unknown>): Promise<void> => {
    const spec = o.methods.get(method);
    if (!spec) throw new Error(`no ${method} (not in demo mode?)`);
    await invoke(method, spec, params, SESSION);
  };
  const present = async (lane: string): Promise<void> => {
    await call('sim.removeCard', { lane }); // the last payment's card, if still in
    await call('sim.insertCard', { lane, profile: o.profile });
    await call('sim.enterPin', { lane, pin: o.pin });
  };
  const listener = (method: string, params: Record<string, unknown>): void => {
    if (method === 'payment.completed' && typeof params.lane === 'string') {
      const lane = params.lane;
      call('sim.removeCard', { lane }).catch((err: unknown) => o.logger.warn('auto-card: removing the card failed', { lane, err }));
      return;
    }
    if (method !== 'payment.progress' || params.step !== 'waiting-for-card' || typeof params.lane !== 'string') return;
    const lane = params.lane;
    const t = setTimeout(() => {
      timers.delete(t);
      present(lane).catch((err: unknown) => o.logger.warn('auto-card: presenting the card failed', { lane, err }));
    }, o.delayMs);
    timers.add(t);
  };
  return {
    listener,
    stop: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
