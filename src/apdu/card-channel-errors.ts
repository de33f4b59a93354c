// The errors a CardChannel (card-channel.ts) rejects with when the card, not its bytes, fails. Each channel
// implementation's error class extends CardChannelError (the PC/SC driver's ReaderError; the simulators use it too),
// so the layers above branch on these codes without knowing which driver is below.
import { PosbridgeError } from '../errors.js';

/** The codes of a card's own failures on any channel; a driver's error class carries them with the same meaning. */
export const CARD_CHANNEL_ERROR_CODES = [
  'NO_CARD',
  'CARD_REMOVED',
  'CARD_RESET',
  'CARD_UNRESPONSIVE',
  'TRANSMIT_TIMEOUT',
  'CANCELLED',
] as const;

/** A stable code of a card channel's failure. */
export type CardChannelErrorCode = (typeof CARD_CHANNEL_ERROR_CODES)[number];

/** The base of the errors a channel implementation rejects with; `code` is one of CARD_CHANNEL_ERROR_CODES or its own. */
export abstract class CardChannelError extends PosbridgeError {}

