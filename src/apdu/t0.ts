import type { CardChannel, TransmitOptions } from './card-channel.js';
import { CommandApdu } from './command-apdu.js';
import { ApduError } from './errors.js';
import { concatBytes } from './hex.js';

/** Limits of the T=0 wrapper: how many GET RESPONSE rounds and response bytes before giving up. */
export interface T0Limits {
  readonly maxGetResponses: number;
  readonly maxResponseBytes: number;
}

const DEFAULT_LIMITS: T0Limits = { maxGetResponses: 64, maxResponseBytes: 65536 };

/**
 * Wraps a channel with the T=0 response rules (ISO 7816-3 §10.3.5 / ISO 7816-4 §5.3.4, EMV Book 1 §9.3.1):
 * 61xx → GET RESPONSE with Le=xx, data concatenated; 6Cxx → the same command again with Le=xx, once.
 * Bounded: a card answering 61xx forever ends with T0_GET_RESPONSE_LIMIT, never a loop.
 * Harmless on T=1 cards, which do not send these status words.
 */
export function withT0Handling(channel: CardChannel, limits: Partial<T0Limits> = {}): CardChannel {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  return {
    get atr() {
      return channel.atr;
    },
    get protocol() {
      return channel.protocol;
    },
    async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
      let response = await channel.transmit(command, options);
      if (response.length >= 2 && response[response.length - 2] === 0x6c) {
        const le = response[response.length - 1];
        const retry = CommandApdu.parse(command).withNe(le === 0 ? 256 : le).encode();
        response = await channel.transmit(retry, options);
        if (response.length >= 2 && response[response.length - 2] === 0x6c) {
          throw new ApduError('T0_WRONG_LENGTH_REPEATED', 'card answered 6Cxx again after the Le it asked for', {
            sw: `6C${response[response.length - 1].toString(16).padStart(2, '0').toUpperCase()}`,
          });
        }
      }
      const parts: Uint8Array[] = [];
      let total = 0;
      let rounds = 0;
      while (response.length >= 2 && response[response.length - 2] === 0x61) {
        const chunk = response.subarray(0, response.length - 2);
        parts.push(chunk);
        total += chunk.length;
        rounds++;
        if (rounds > lim.maxGetResponses || total > lim.maxResponseBytes) {
          throw new ApduError('T0_GET_RESPONSE_LIMIT', `card kept answering 61xx after ${rounds - 1} GET RESPONSE commands (${total} bytes)`, {
            rounds: rounds - 1,
            bytes: total,
          });
        }
        const available = response[response.length - 1];
        response = await channel.transmit(CommandApdu.getResponse(available === 0 ? 256 : available).encode(), options);
      }
      if (parts.length === 0) return response;
      return concatBytes(...parts, response);
    },
  };
}
