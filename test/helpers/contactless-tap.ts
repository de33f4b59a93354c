// One contactless tap for the tests: Entry Point + Kernel 3/7 against a virtual card in the in-process reader, the
// host being the card's issuer (IssuerKeys: the ARQC checked from field 55, as the host simulator does).
import { toHex } from '../../src/apdu/hex.js';
import { decodeTlv } from '../../src/apdu/tlv.js';
import { defaultContactlessConfig } from '../../src/emv/contactless/defaults.js';
import { runContactless } from '../../src/emv/contactless/entry-point.js';
import type { ContactlessConfig, ContactlessEvent, ContactlessOutcome, ContactlessRequest } from '../../src/emv/contactless/types.js';
import type { AuthorizeContext } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import type { OnlinePinBlock, OnlineResponse, PinPrompt } from '../../src/emv/types.js';
import { getProfile } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import { IssuerKeys, type IssuerDecision } from '../../src/sim/emv/issuer-keys.js';
import type { CardProfile } from '../../src/sim/emv/profile-types.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import type { FaultOptions } from '../../src/sim/faults.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';

/** The transaction date of every tap (the cards expire in 2030; the expired one in 2024). */
export const NOW = new Date('2026-03-15T10:00:00Z');
const READER = 'Reader 0';

/** How one tap is set up. */
export interface TapSetup {
  readonly request?: Partial<ContactlessRequest>;
  readonly contactless?: Partial<ContactlessConfig>;
  /** The host's decision (default approve); 'unable'; null: no host link. */
  readonly host?: IssuerDecision | 'unable' | null;
  /** The PIN pad's answer to an online PIN request (default a block); null: the cardholder cancels; 'none': no PIN pad. */
  readonly pin?: OnlinePinBlock | null | 'none';
  readonly faults?: FaultOptions;
  readonly wrap?: (card: VirtualCard) => VirtualCard;
  readonly card?: EmvCard;
  /** A host of the test's own instead of the card's issuer keys. */
  readonly authorizeWith?: (iccData: Uint8Array, card: AuthorizeContext) => Promise<OnlineResponse>;
  /** The reader's transmit timeout, ms (a mute card). */
  readonly transmitTimeoutMs?: number;
}

/** What happened in one tap. */
export interface Tap {
  readonly outcome: ContactlessOutcome;
  readonly card: EmvCard;
  readonly events: ContactlessEvent[];
  /** The issuer's verdict on each ARQC sent ('ok' or the failure reason). */
  readonly arqcChecks: string[];
  readonly pinPrompts: PinPrompt[];
  readonly commands: string[];
}

/** Taps the profile's card for 12.34 EUR (or `setup.request`). */
export async function tap(profile: string | CardProfile, setup: TapSetup = {}): Promise<Tap> {
  const p = typeof profile === 'string' ? getProfile(profile) : profile;
  const card = setup.card ?? new EmvCard(p, { random: (n) => new Uint8Array(n).fill(0x5a) });
  const commands: string[] = [];
  const counted: VirtualCard = { atr: card.atr, reset: () => card.reset(), process: (c) => (commands.push(toHex(c.subarray(0, 4))), card.process(c)) };
  const driver = new InProcessReaderDriver([READER]);
  driver.insertCard(READER, setup.wrap ? setup.wrap(counted) : counted, setup.faults ?? {});
  const events: ContactlessEvent[] = [];
  const arqcChecks: string[] = [];
  const pinPrompts: PinPrompt[] = [];
  const host = setup.host === undefined ? { approve: true } : setup.host;
  const authorize = async (iccData: Uint8Array): Promise<OnlineResponse> => {
    const df = toHex(decodeTlv(iccData).find((n) => n.tag === 0x84)?.value ?? new Uint8Array(0));
    const keys = new IssuerKeys(p.applications.find((a) => a.aid === df) ?? p.applications[0]);
    const check = keys.verifyArqc(iccData);
    arqcChecks.push(check.ok ? 'ok' : check.reason);
    if (host === 'unable' || host === null) return { outcome: 'unable' };
    return keys.respond(iccData, host);
  };
  const pin = setup.pin === undefined ? { format: 0, block: '0123456789ABCDEF' } : setup.pin;
  const conn = await driver.connect(READER, setup.transmitTimeoutMs === undefined ? {} : { transmitTimeoutMs: setup.transmitTimeoutMs });
  try {
    const outcome = await runContactless(
      conn,
      { amount: 1234, currency: '0978', type: 'purchase', sequenceCounter: 1, ...setup.request },
      {
        terminal: defaultTerminalConfig(simCaKeys()),
        contactless: defaultContactlessConfig(setup.contactless),
        ...(setup.authorizeWith ? { authorize: setup.authorizeWith } : host === null ? {} : { authorize }),
        ...(pin === 'none' ? {} : { onlinePin: async (prompt: PinPrompt) => (pinPrompts.push(prompt), pin) }),
        now: () => NOW,
        randomBytes: (n) => new Uint8Array(n).fill(0x42),
        onEvent: (e) => events.push(e),
      },
    );
    return { outcome, card, events, arqcChecks, pinPrompts, commands };
  } finally {
    await conn.disconnect().catch(() => undefined);
    await driver.close();
  }
}

/** A tag's value in the outcome's field 55, hex, or undefined. */
export function field55(o: ContactlessOutcome, tag: number): string | undefined {
  const node = decodeTlv(Uint8Array.from(Buffer.from(o.iccData ?? '', 'hex'))).find((n) => n.tag === tag);
  return node ? toHex(node.value) : undefined;
}
