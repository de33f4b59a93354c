// The replay card: a virtual card that answers the commands of a recorded session (src/apdu/card-transcript.ts) with
// the recorded responses. A card tapped once on the test stand (`posbridge emv pay --contactless --record`) can so be
// replayed in tests and in a vpcd slot, as often as needed, with the same terminal data.
import { exchangeMatches, transcriptAtr, type CardTranscript } from '../apdu/card-transcript.js';
import { fromHex, toHex } from '../apdu/hex.js';
import type { VirtualCard } from './virtual-card.js';

/** SW 6F00 "no precise diagnosis": the answer to a command the transcript does not have. */
const UNMATCHED = Uint8Array.of(0x6f, 0x00);

/**
 * Answers each command with the response of the first recorded exchange, at or after the last one used, that matches
 * it (exactly, or by its `matchPrefix`); from the start again when none does (a new session on the same card). A
 * command the transcript does not have gets 6F00 and is kept in `unmatched`, so a test can say which one differed.
 */
export class ReplayCard implements VirtualCard {
  readonly atr: Uint8Array;
  /** Commands (hex) the transcript had no answer for, in order. */
  readonly unmatched: string[] = [];
  private next = 0;

  /** A card replaying `transcript` (checked with parseTranscript). */
  constructor(private readonly transcript: CardTranscript) {
    this.atr = transcriptAtr(transcript);
  }

  /** A reset keeps the position: a terminal's retry after a reset is part of the recorded session. */
  reset(): void {}

  /** The recorded response to `command`, or 6F00. */
  process(command: Uint8Array): Uint8Array {
    const hex = toHex(command);
    const list = this.transcript.exchanges;
    const order = [...list.keys()].slice(this.next).concat([...list.keys()].slice(0, this.next));
    const i = order.find((k) => exchangeMatches(list[k], hex));
    if (i === undefined) {
      this.unmatched.push(hex);
      return UNMATCHED;
    }
    this.next = i + 1;
    return fromHex(list[i].response);
  }
}
