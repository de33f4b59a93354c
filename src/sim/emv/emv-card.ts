import { randomBytes } from 'node:crypto';
import { CommandApdu } from '../../apdu/command-apdu.js';
import { fromHex } from '../../apdu/hex.js';
import type { VirtualCard } from '../virtual-card.js';
import { newAppState, newSession, type AppState, type ScriptRecord } from './card-state.js';
import { status, SW, type CardContext, type Handler } from './card-context.js';
import { getData, getProcessingOptions, internalAuthenticate, readRecord } from './data-commands.js';
import { generateAc } from './generate-ac-command.js';
import { externalAuthenticate, scriptCommand } from './issuer-commands.js';
import { personalise } from './personalise.js';
import { getChallenge, verify } from './pin-commands.js';
import type { CardProfile } from './profile-types.js';
import { select } from './selection-commands.js';

/** Options of a virtual EMV card. */
export interface EmvCardOptions {
  /** Random bytes for GET CHALLENGE and ICC Dynamic Numbers; injected for deterministic tests. */
  readonly random?: (n: number) => Uint8Array;
}

/** The commands the card implements: instruction → the class byte it must come with, and its handler. */
const COMMANDS: ReadonlyMap<number, { readonly cla: number; readonly handler: Handler }> = new Map([
  [0xa4, { cla: 0x00, handler: select }],
  [0xb2, { cla: 0x00, handler: readRecord }],
  [0xa8, { cla: 0x80, handler: getProcessingOptions }],
  [0xca, { cla: 0x80, handler: getData }],
  [0x20, { cla: 0x00, handler: verify }],
  [0x84, { cla: 0x00, handler: getChallenge }],
  [0x88, { cla: 0x00, handler: internalAuthenticate }],
  [0xae, { cla: 0x80, handler: generateAc }],
  [0x82, { cla: 0x00, handler: externalAuthenticate }],
  // Issuer script commands (Book 3 §10.10), always with secure messaging (CLA 84).
  ...[0x1e, 0x18, 0x16, 0x24, 0xda, 0xdc].map((ins) => [ins, { cla: 0x84, handler: scriptCommand }] as const),
]);
/** Class bytes the card knows: ISO inter-industry (00), EMV proprietary (80) and with secure messaging (84). */
const KNOWN_CLA = new Set([0x00, 0x80, 0x84]);

/**
 * A virtual EMV card whose cryptography is real (EMV 4.4 Books 1–3): personalised from a profile with the test
 * keys, it answers as a T=1 card (wrap it in T0Card for T=0) and enforces the card's rules — command order
 * (6985), class (6E00), instruction (6D00), lengths (6700), PIN try counter, ATC, issuer authentication.
 * The non-volatile state (ATC, PIN tries, blocks, limits, records) survives `reset()`; the session does not.
 */
export class EmvCard implements VirtualCard {
  readonly atr: Uint8Array;
  private readonly ctx: CardContext;

  /** Personalises the card from `profile` (RSA signatures with the checked-in test keys, a few ms). */
  constructor(
    readonly profile: CardProfile,
    options: EmvCardOptions = {},
  ) {
    this.atr = fromHex(profile.atr);
    const apps = profile.applications.map((a) => newAppState(personalise(profile.name, a)));
    this.ctx = { profile, apps, session: newSession(), cardBlocked: false, random: options.random ?? ((n) => new Uint8Array(randomBytes(n))), scriptLog: [] };
  }

  /** Power-on or warm reset: the session (selection, transaction, challenge) is lost. */
  reset(): void {
    this.ctx.session = newSession();
  }

  /** Answers one command APDU; never throws (an internal failure answers 6F00). */
  process(command: Uint8Array): Uint8Array {
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(command);
    } catch {
      return status(SW.WRONG_LENGTH); // Lc disagrees with the bytes that follow (ISO 7816-4 §5.1)
    }
    if (!KNOWN_CLA.has(cmd.cla)) return status(SW.CLA_NOT_SUPPORTED);
    const entry = COMMANDS.get(cmd.ins);
    if (!entry) return status(SW.INS_NOT_SUPPORTED);
    if (entry.cla !== cmd.cla) return status(SW.CLA_NOT_SUPPORTED);
    try {
      return entry.handler(this.ctx, cmd);
    } catch {
      return status(SW.NO_DIAGNOSIS);
    }
  }

  /** Issuer script commands received so far, in order (for tests and the demo). */
  get scriptLog(): readonly ScriptRecord[] {
    return this.ctx.scriptLog;
  }

  /** The non-volatile state of application `aid` (hex), or of the first application. */
  application(aid?: string): Readonly<Omit<AppState, 'records' | 'image'>> {
    const app = aid === undefined ? this.ctx.apps[0] : this.ctx.apps.find((a) => a.image.profile.aid === aid.toUpperCase());
    if (!app) throw new RangeError(`the card has no application ${aid ?? ''}`);
    return app;
  }

  /** True once an issuer script executed CARD BLOCK. */
  get cardBlocked(): boolean {
    return this.ctx.cardBlocked;
  }
}
