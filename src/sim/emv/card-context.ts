import type { CommandApdu } from '../../apdu/command-apdu.js';
import { concatBytes } from '../../apdu/hex.js';
import type { AppState, ScriptRecord, Session } from './card-state.js';
import type { CardProfile } from './profile-types.js';

/** Status words the virtual card answers (ISO 7816-4 §5.1.3, EMV Book 3 §6.3.5). */
export const SW = {
  OK: 0x9000,
  /** Selected file invalidated: a blocked application's FCI (Book 1 §12.3.3). */
  SELECTED_FILE_INVALIDATED: 0x6283,
  /** Authentication failed: EXTERNAL AUTHENTICATE with a wrong ARPC (Book 3 §6.5.4). */
  AUTHENTICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  /** Authentication method blocked: PIN try limit exceeded (Book 3 §6.5.12). */
  AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** Incorrect secure messaging data objects: a script command's MAC does not verify. */
  SM_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  /** Function not supported: the card is blocked (answer to SELECT, Book 1 §12.3.2). */
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  WRONG_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_DIAGNOSIS: 0x6f00,
} as const;

/** The card's state as the command handlers see it. */
export interface CardContext {
  readonly profile: CardProfile;
  readonly apps: readonly AppState[];
  session: Session;
  /** CARD BLOCK was executed: every SELECT answers 6A81. */
  cardBlocked: boolean;
  readonly random: (n: number) => Uint8Array;
  readonly scriptLog: ScriptRecord[];
}

/** One command handler: the parsed command in, the response APDU (data + SW) out. */
export type Handler = (ctx: CardContext, cmd: CommandApdu) => Uint8Array;

/** A response APDU: data then the status word. */
export function reply(data: Uint8Array, sw: number = SW.OK): Uint8Array {
  return concatBytes(data, Uint8Array.of(sw >> 8, sw & 0xff));
}

/** A response with only a status word. */
export function status(sw: number): Uint8Array {
  return Uint8Array.of(sw >> 8, sw & 0xff);
}

/** The selected application's state, or null when no application is selected. */
export function selectedApp(ctx: CardContext): AppState | null {
  const s = ctx.session.selected;
  return s?.kind === 'app' ? (ctx.apps[s.index] ?? null) : null;
}
