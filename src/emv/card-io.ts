import type { CardChannel } from '../apdu/card-channel.js';
import { CardChannelError } from '../apdu/card-channel-errors.js';
import type { CommandApdu } from '../apdu/command-apdu.js';
import { ApduError } from '../apdu/errors.js';
import { toHex } from '../apdu/hex.js';
import { ResponseApdu } from '../apdu/response-apdu.js';
import { withT0Handling } from '../apdu/t0.js';
import { decodeTlv, type TlvNode } from '../apdu/tlv.js';
import { redactString } from '../log/redact.js';
import { EmvError, type EmvStep } from './errors.js';

/** One exchange as logged: command and response hex with PIN data and card numbers masked. */
export interface ApduLogEntry {
  readonly step: EmvStep;
  readonly command: string;
  readonly response: string;
  readonly sw: string;
}

/**
 * The kernel's way to the card: T=0 handling, cancellation checked before every APDU, reader errors turned into
 * EmvErrors naming the step, and a masked APDU log.
 */
export class CardIo {
  private readonly channel: CardChannel;
  /** Every exchange so far, masked. */
  readonly log: ApduLogEntry[] = [];
  private count = 0;

  /** Wraps the card channel; `signal` cancels between APDUs. */
  constructor(
    channel: CardChannel,
    private readonly signal?: AbortSignal,
  ) {
    this.channel = withT0Handling(channel);
  }

  /** The channel with T=0 handling (for PIN pads that build their own VERIFY). */
  get raw(): CardChannel {
    return this.channel;
  }

  /** The transaction's cancellation signal (PIN entry listens to it too). */
  get cancelSignal(): AbortSignal | undefined {
    return this.signal;
  }

  /** APDUs sent so far. */
  get apduCount(): number {
    return this.count;
  }

  /** Throws EMV_CANCELLED when the transaction was cancelled. */
  checkCancelled(step: EmvStep): void {
    if (this.signal?.aborted) throw new EmvError('EMV_CANCELLED', step, 'the transaction was cancelled');
  }

  /** Sends one command; resolves with the response whatever its SW. */
  async send(step: EmvStep, command: CommandApdu): Promise<ResponseApdu> {
    this.checkCancelled(step);
    const bytes = command.encode();
    let response: ResponseApdu;
    try {
      this.count++;
      response = ResponseApdu.parse(await this.channel.transmit(bytes));
    } catch (err) {
      throw translate(step, err);
    }
    const masked = command.ins === 0x20 ? toHex(bytes.subarray(0, 5)) + '*'.repeat(2 * command.data.length) : toHex(bytes);
    this.log.push({ step, command: masked, response: redactString(toHex(response.data)), sw: response.swHex });
    return response;
  }

  /** Decodes card TLV data; malformed data ends the transaction with EMV_CARD_DATA_INVALID. */
  decode(step: EmvStep, bytes: Uint8Array): TlvNode[] {
    try {
      return decodeTlv(bytes);
    } catch (err) {
      throw new EmvError('EMV_CARD_DATA_INVALID', step, `card data is malformed: ${err instanceof Error ? err.message : String(err)}`, {}, err);
    }
  }
}

/** Maps a failure below the kernel to an EmvError naming the step. */
export function translate(step: EmvStep, err: unknown): EmvError {
  if (err instanceof EmvError) return err;
  if (err instanceof CardChannelError) {
    if (err.code === 'CARD_REMOVED' || err.code === 'NO_CARD') return new EmvError('EMV_CARD_REMOVED', step, 'the card was removed', {}, err);
    if (err.code === 'CANCELLED') return new EmvError('EMV_CANCELLED', step, 'the transaction was cancelled', {}, err);
    return new EmvError('EMV_READER_FAILED', step, err.message, { reader: err.code }, err);
  }
  if (err instanceof ApduError) return new EmvError('EMV_CARD_DATA_INVALID', step, `card answer is malformed: ${err.message}`, { apdu: err.code }, err);
  return new EmvError('EMV_READER_FAILED', step, err instanceof Error ? err.message : String(err), {}, err);
}
