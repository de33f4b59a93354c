// A card sale driven end to end for the host tests: the EMV kernel runs on a virtual card in the in-process reader,
// its `authorize` goes through HostLink to the simulator, and the payment flow's rules for the armed reversal are
// played here: complete on approval, reverse when the card declines after the host approved, when the card is
// removed after approval, or when the sale is cancelled after the request left.
import { EmvError } from '../../src/emv/errors.js';
import { EmvKernel, type EmvOutcome } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import type { OnlineResponse } from '../../src/emv/types.js';
import type { AuthResult, HostLink } from '../../src/host/link.js';
import { createCard, getProfile, simCaKeys } from '../../src/sim/emv/index.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { SimulatedPinEntry } from '../../src/sim/sim-pin-entry.js';

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
  const app = profile.applications[0];
  const driver = new InProcessReaderDriver([READER]);
  driver.insertCard(READER, createCard(profile));
  let auth: AuthResult | null = null;
  const authorize = async (iccData: Uint8Array, ctx: { readonly onlinePin: { readonly block: string; readonly ksn?: string } | null }): Promise<OnlineResponse> => {
    auth = await s.link.authorize({
      kind: 'sale',
      ref: s.ref,
      amount: s.amount,
      currency: '978',
      pan: app.pan,
      expiry: app.expiry.slice(0, 4),
      panSequenceNumber: app.psn,
      posEntryMode: '051',
      iccData,
      ...(ctx.onlinePin ? { pinBlock: ctx.onlinePin.block, ...(ctx.onlinePin.ksn ? { ksn: ctx.onlinePin.ksn } : {}) } : {}),
    });
    const shown = s.afterHost?.(auth, { remove: () => driver.removeCard(READER) }) ?? auth;
    return {
      outcome: shown.outcome,
      ...(shown.responseCode ? { responseCode: shown.responseCode } : {}),
      ...(shown.issuerAuthenticationData ? { issuerAuthenticationData: shown.issuerAuthenticationData } : {}),
      ...(shown.scripts ? { scripts: shown.scripts } : {}),
      ...(shown.authCode ? { authCode: shown.authCode } : {}),
    };
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
  const settled: AuthResult | null = auth;
  return { outcome, error, auth: settled, reversal: settle(s.link, settled, outcome, error) };
}

function settle(link: SaleLink, auth: AuthResult | null, outcome: EmvOutcome | null, error: EmvError | null): string | null {
  const id = auth?.reversalId ?? null;
  if (id === null) return null;
  let reason = 'completed';
  if (error) reason = error.code === 'EMV_CANCELLED' ? 'cancelled after the request left' : error.code === 'EMV_CARD_REMOVED' ? 'card removed after approval' : `kernel failed: ${error.code}`;
  else if (outcome?.reversalRequired) reason = 'card declined after host approval';
  else if (outcome?.result !== 'approved') reason = 'not approved at the card';
  if (reason === 'completed') link.complete(id);
  else link.reverse(id, reason);
  return reason;
}
