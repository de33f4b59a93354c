// A card session as data: the ATR and every command → response pair, in order (JSON, hex). Recorded from any card
// channel (a real card on the test stand, a virtual one in a test) and replayed by the simulators' replay card.
import type { CardChannel, CardProtocol, TransmitOptions } from './card-channel.js';
import { ApduError } from './errors.js';
import { fromHex, toHex } from './hex.js';

/** One exchange: command and response (data + SW1 SW2), hex. */
export interface TranscriptExchange {
  readonly command: string;
  readonly response: string;
  /**
   * Match only the command's first N bytes (e.g. 4: CLA INS P1 P2 of a GPO whose PDOL data hold the terminal's
   * amount, date and unpredictable number). Absent: the whole command must be equal.
   */
  readonly matchPrefix?: number;
}

/** A recorded card session. */
export interface CardTranscript {
  readonly atr: string;
  readonly exchanges: readonly TranscriptExchange[];
}

const HEX = /^([0-9A-F]{2})+$/;

/** Normalised hex (upper case, no separators) of a transcript field; TRANSCRIPT_INVALID naming the field. */
function hexField(value: unknown, where: string, minBytes: number): string {
  if (typeof value !== 'string') throw new ApduError('TRANSCRIPT_INVALID', `${where}: expected a hex string`);
  const hex = value.replace(/[\s:]/g, '').toUpperCase();
  if (!HEX.test(hex) || hex.length / 2 < minBytes) throw new ApduError('TRANSCRIPT_INVALID', `${where}: expected at least ${minBytes} bytes of hex, got "${value.slice(0, 40)}"`);
  return hex;
}

/** Checks a parsed JSON value against the transcript format; TRANSCRIPT_INVALID names the bad key. */
export function parseTranscript(value: unknown, origin = 'transcript'): CardTranscript {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApduError('TRANSCRIPT_INVALID', `${origin}: expected an object {"atr", "exchanges"}`);
  const o = value as Record<string, unknown>;
  const atr = hexField(o.atr, `${origin}: atr`, 2);
  if (!Array.isArray(o.exchanges) || o.exchanges.length === 0) throw new ApduError('TRANSCRIPT_INVALID', `${origin}: exchanges: expected a non-empty array`);
  const exchanges = o.exchanges.map((e: unknown, i): TranscriptExchange => {
    const where = `${origin}: exchanges[${i}]`;
    if (typeof e !== 'object' || e === null) throw new ApduError('TRANSCRIPT_INVALID', `${where}: expected an object {"command", "response"}`);
    const x = e as Record<string, unknown>;
    const command = hexField(x.command, `${where}.command`, 4);
    const response = hexField(x.response, `${where}.response`, 2);
    if (x.matchPrefix === undefined) return { command, response };
    const n = x.matchPrefix;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > command.length / 2) {
      throw new ApduError('TRANSCRIPT_INVALID', `${where}.matchPrefix: expected a whole number of bytes from 1 to the command's length (${command.length / 2})`);
    }
    return { command, response, matchPrefix: n };
  });
  return { atr, exchanges };
}

/** Whether `command` (hex) is the one `e` recorded. */
export function exchangeMatches(e: TranscriptExchange, command: string): boolean {
  return e.matchPrefix === undefined ? e.command === command : command.slice(0, 2 * e.matchPrefix) === e.command.slice(0, 2 * e.matchPrefix);
}

/**
 * A channel that passes everything to `inner` and keeps each exchange that got an answer. The transcript holds the
 * card's data in clear (PAN, track 2 equivalent): it is for test stands and fixtures, never for logs.
 */
export class RecordingChannel implements CardChannel {
  private readonly exchanges: TranscriptExchange[] = [];

  /** Wraps `inner`. */
  constructor(private readonly inner: CardChannel) {}

  get atr(): Uint8Array {
    return this.inner.atr;
  }

  get protocol(): CardProtocol {
    return this.inner.protocol;
  }

  /** Sends through the inner channel and records the pair. */
  async transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array> {
    const response = await this.inner.transmit(command, options);
    this.exchanges.push({ command: toHex(command), response: toHex(response) });
    return response;
  }

  /** The session so far. */
  transcript(): CardTranscript {
    return { atr: toHex(this.atr), exchanges: [...this.exchanges] };
  }
}

/** The bytes of a transcript's ATR. */
export function transcriptAtr(t: CardTranscript): Uint8Array {
  return fromHex(t.atr);
}
