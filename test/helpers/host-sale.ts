// A card sale driven end to end for the host tests: the EMV kernel runs on a virtual card in the in-process reader,
// its `authorize` goes through the daemon's authorisation module and HostLink to the simulator, which also ends the
// armed request as the daemon does: complete on approval, reverse when the card declines after the host approved,
// when the card is removed after approval, or when the sale is cancelled after the request left.
import { EmvError } from '../../src/emv/errors.js';
import { EmvKernel, type AuthorizeContext, type EmvOutcome } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import type { OnlineResponse } from '../../src/emv/types.js';
import type { AuthResult, HostLink } from '../../src/host/link.js';
import { Authorization, kernelAnswer, reversalReason } from '../../src/payments/authorization.js';
import { createCard, getProfile, simCaKeys } from '../../src/sim/emv/index.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';

const READER = 'Posbridge Virtual Reader 0';

/** The calls of HostLink a sale uses. */
export type SaleLink = Pick<HostLink, 'authorize' | 'complete' | 'reverse'>;

/** One sale. */
export interface SaleSetup {
  readonly profile: string;
  /** Minor units (EUR). */
  readonly amount: number;
  readonly ref: string;
  /** The host link (or a wrapper of its three calls). */
  readonly link: SaleLink;
  /** After the host answered and before the card sees it: may remove the card or alter what the card gets. */
  readonly afterHost?: (auth: AuthResult, reader: { remove(): void }) => AuthResult | void;
  readonly signal?: AbortSignal;
}

/** What happened, and what the flow did with the armed reversal. */
export interface SaleRun {
  readonly outcome: EmvOutcome | null;
  readonly error: EmvError | null;
  readonly auth: AuthResult | null;
  /** 'completed', the reversal reason, or null when nothing was armed. */
  readonly reversal: string | null;
}

/** Runs the sale and settles the armed reversal as the payment flow does. */
export async function runSale(s: SaleSetup): Promise<SaleRun> {
  const profile = getProfile(s.profile);
  const driver = new InProcessReaderDriver([READER]);
  driver.insertCard(READER, createCard(profile));
  // The daemon's own authorisation module: the same request, answer mapping and complete/reverse.
  const auth = new Authorization({ ...bind(s.link), adviseOfflineApproval: noAdvice }, { type: 'sale', ref: s.ref, amount: s.amount, currency: '978' });
  const authorize = async (iccData: Uint8Array, card: AuthorizeContext): Promise<OnlineResponse> => {
    const answer = await auth.send({ entry: 'chip', card, iccData });
    return kernelAnswer(s.afterHost?.(answer, { remove: () => driver.removeCard(READER) }) ?? answer);
  };
  const kernel = new EmvKernel({
    config: defaultTerminalConfig(simCaKeys()),
    pin: new SimulatedPinEntry(async () => profile.pin),
    authorize,
    now: () => new Date('2026-03-15T10:00:00Z'),
    randomBytes: (n) => new Uint8Array(n).fill(0x42),
    interface: 'contact',
    ...(s.signal ? { signal: s.signal } : {}),
  });
  let outcome: EmvOutcome | null = null;
  let error: EmvError | null = null;
  try {
    const conn = await driver.connect(READER);
    try {
      outcome = await kernel.run(conn, { amount: s.amount, currency: '0978', type: 'purchase', sequenceCounter: 1, forceOnline: true });
    } finally {
      await conn.disconnect().catch(() => undefined);
    }
  } catch (err) {
    if (!(err instanceof EmvError)) throw err;
    error = err;
  }
  await driver.close();
  const armed = auth.reversalId !== null;
  const end = auth.end(outcome, error, null);
  const reversal = !armed ? null : end === 'completed' ? 'completed' : reversalReason(outcome, error);
  return { outcome, error, auth: auth.result, reversal };
}

/** The three calls of `link`, bound to it (a HostLink's methods use `this`). */
function bind(link: SaleLink): SaleLink {
  return { authorize: (r) => link.authorize(r), complete: (id) => link.complete(id), reverse: (id, why) => link.reverse(id, why) };
}

/** A forced-online sale never advises: an offline approval here is a test's mistake. */
function noAdvice(): number {
  throw new Error('a forced-online test sale was approved offline');
}
