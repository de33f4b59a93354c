import { ApduError } from './errors.js';
import { concatBytes, toHex } from './hex.js';
import { describeStatusWord, statusWord, type StatusWordInfo } from './status-words.js';

/** A response APDU (ISO 7816-4 §5.1): the data field and the trailer SW1 SW2. */
export class ResponseApdu {
  readonly data: Uint8Array;
  readonly sw1: number;
  readonly sw2: number;

  /** Stores data and status bytes as given. */
  constructor(data: Uint8Array, sw1: number, sw2: number) {
    this.data = data;
    this.sw1 = sw1 & 0xff;
    this.sw2 = sw2 & 0xff;
  }

  /** Splits raw response bytes into data and SW; RESPONSE_TOO_SHORT when fewer than 2 bytes. */
  static parse(bytes: Uint8Array): ResponseApdu {
    if (bytes.length < 2) {
      throw new ApduError('RESPONSE_TOO_SHORT', `response APDU needs SW1 SW2, got ${bytes.length} byte(s)`, { length: bytes.length });
    }
    const n = bytes.length;
    return new ResponseApdu(bytes.slice(0, n - 2), bytes[n - 2], bytes[n - 1]);
  }

  /** SW1 SW2 as one number, e.g. 0x9000. */
  get sw(): number {
    return statusWord(this.sw1, this.sw2);
  }

  /** SW1 SW2 as four uppercase hex digits. */
  get swHex(): string {
    return toHex(Uint8Array.of(this.sw1, this.sw2));
  }

  /** True for 9000. */
  get isOk(): boolean {
    return this.sw === 0x9000;
  }

  /** The status word's meaning (ISO 7816-4 plus EMV). */
  get status(): StatusWordInfo {
    return describeStatusWord(this.sw);
  }

  /** The raw bytes: data then SW1 SW2. */
  encode(): Uint8Array {
    return concatBytes(this.data, Uint8Array.of(this.sw1, this.sw2));
  }
}
