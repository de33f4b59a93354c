import { ApduError } from './errors.js';
import { byteHex, concatBytes, toHex } from './hex.js';
import { encodeLength } from './tlv.js';

/** Largest Nc (command data length) and Ne (expected response length) per ISO 7816-4 §5.1. */
export const MAX_SHORT_NC = 255;
export const MAX_SHORT_NE = 256;
export const MAX_EXTENDED_NC = 65535;
export const MAX_EXTENDED_NE = 65536;

/** ISO 7816-4 §5.1 command cases: 1 header only, 2 Le, 3 Lc+data, 4 Lc+data+Le. */
export type ApduCase = 1 | 2 | 3 | 4;

/** Fields of a command APDU; `ne` 0 means no Le field. */
export interface CommandApduFields {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data?: Uint8Array;
  readonly ne?: number;
}

/** GENERATE AC reference control parameter (EMV Book 3 §6.5.5, P1 bits 8-7 and bit 5). */
export type CryptogramType = 'AAC' | 'TC' | 'ARQC';

/**
 * A command APDU as a validated value object (ISO 7816-4 §5.1). Named constructors build the commands
 * the EMV flow needs; `encode()` picks short or extended form from Nc and Ne.
 */
export class CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  /** Expected response length Ne: 0 = no Le field; 256 short / 65536 extended mean "all available". */
  readonly ne: number;

  /** Validates and stores the fields; throws APDU_INVALID on any out-of-range value. */
  constructor(fields: CommandApduFields) {
    for (const k of ['cla', 'ins', 'p1', 'p2'] as const) {
      const v = fields[k];
      if (!Number.isInteger(v) || v < 0 || v > 255) {
        throw new ApduError('APDU_INVALID', `APDU ${k.toUpperCase()} must be a byte, got ${v}`, { field: k });
      }
    }
    const data = fields.data ?? new Uint8Array(0);
    const ne = fields.ne ?? 0;
    if (data.length > MAX_EXTENDED_NC) {
      throw new ApduError('APDU_INVALID', `APDU data is ${data.length} bytes, more than ${MAX_EXTENDED_NC}`, { field: 'data' });
    }
    if (!Number.isInteger(ne) || ne < 0 || ne > MAX_EXTENDED_NE) {
      throw new ApduError('APDU_INVALID', `APDU Ne must be 0..${MAX_EXTENDED_NE}, got ${ne}`, { field: 'ne' });
    }
    this.cla = fields.cla;
    this.ins = fields.ins;
    this.p1 = fields.p1;
    this.p2 = fields.p2;
    this.data = data;
    this.ne = ne;
  }

  /** The ISO 7816-4 case of this command. */
  get apduCase(): ApduCase {
    if (this.data.length === 0) return this.ne === 0 ? 1 : 2;
    return this.ne === 0 ? 3 : 4;
  }

  /** True when the command needs the extended length form. */
  get isExtended(): boolean {
    return this.data.length > MAX_SHORT_NC || this.ne > MAX_SHORT_NE;
  }

  /** The command bytes, short or extended form as Nc and Ne require (ISO 7816-4 §5.1). */
  encode(): Uint8Array {
    const header = Uint8Array.of(this.cla, this.ins, this.p1, this.p2);
    const nc = this.data.length;
    if (!this.isExtended) {
      const lc = nc > 0 ? Uint8Array.of(nc) : new Uint8Array(0);
      const le = this.ne > 0 ? Uint8Array.of(this.ne & 0xff) : new Uint8Array(0);
      return concatBytes(header, lc, this.data, le);
    }
    // Extended: Lc = 00 HH LL; Le = HH LL after Lc, or 00 HH LL when there is no Lc. 0000 means 65536.
    const lc = nc > 0 ? Uint8Array.of(0, nc >> 8, nc & 0xff) : new Uint8Array(0);
    const neBytes = Uint8Array.of((this.ne >> 8) & 0xff, this.ne & 0xff);
    const le = this.ne === 0 ? new Uint8Array(0) : nc > 0 ? neBytes : concatBytes(Uint8Array.of(0), neBytes);
    return concatBytes(header, lc, this.data, le);
  }

  /** Uppercase hex of the encoded command. */
  toHex(): string {
    return toHex(this.encode());
  }

  /** The same command with another Ne (used for 6Cxx: resend with the exact Le). */
  withNe(ne: number): CommandApdu {
    return new CommandApdu({ ...this, ne });
  }

  /** A short human label: INS name and header, e.g. `SELECT 00A40400`. */
  describe(): string {
    const name = INS_NAMES.get(this.ins) ?? `INS ${byteHex(this.ins)}`;
    return `${name} ${byteHex(this.cla)}${byteHex(this.ins)}${byteHex(this.p1)}${byteHex(this.p2)}`;
  }

  /** Parses command bytes in any ISO 7816-4 case, short or extended; APDU_MALFORMED on inconsistent lengths. */
  static parse(bytes: Uint8Array): CommandApdu {
    const n = bytes.length;
    if (n < 4) throw new ApduError('APDU_MALFORMED', `command APDU needs at least 4 bytes, got ${n}`, { offset: n });
    const [cla, ins, p1, p2] = bytes;
    const body = bytes.subarray(4);
    const fields = { cla, ins, p1, p2 };
    if (body.length === 0) return new CommandApdu(fields);
    if (body.length === 1) return new CommandApdu({ ...fields, ne: body[0] === 0 ? 256 : body[0] });
    if (body[0] !== 0) {
      // Short Lc.
      const nc = body[0];
      if (body.length === 1 + nc) return new CommandApdu({ ...fields, data: body.slice(1) });
      if (body.length === 2 + nc) {
        const le = body[1 + nc];
        return new CommandApdu({ ...fields, data: body.slice(1, 1 + nc), ne: le === 0 ? 256 : le });
      }
      throw new ApduError('APDU_MALFORMED', `Lc says ${nc} data bytes but ${body.length - 1} follow`, { offset: 4 });
    }
    // body[0] === 0 with more bytes: extended form.
    if (body.length === 3) {
      const le = (body[1] << 8) | body[2];
      return new CommandApdu({ ...fields, ne: le === 0 ? 65536 : le });
    }
    if (body.length < 3) throw new ApduError('APDU_MALFORMED', 'extended length field truncated', { offset: 4 + body.length });
    const nc = (body[1] << 8) | body[2];
    if (nc === 0) throw new ApduError('APDU_MALFORMED', 'extended Lc of zero', { offset: 5 });
    if (body.length === 3 + nc) return new CommandApdu({ ...fields, data: body.slice(3) });
    if (body.length === 5 + nc) {
      const le = (body[3 + nc] << 8) | body[4 + nc];
      return new CommandApdu({ ...fields, data: body.slice(3, 3 + nc), ne: le === 0 ? 65536 : le });
    }
    throw new ApduError('APDU_MALFORMED', `extended Lc says ${nc} data bytes but ${body.length - 3} follow`, { offset: 5 });
  }

  /** SELECT by DF name (ISO 7816-4 §11.2.2; EMV Book 1 §11.3): P2 00 first occurrence, 02 next. */
  static select(aid: Uint8Array, occurrence: 'first' | 'next' = 'first'): CommandApdu {
    if (aid.length < 1 || aid.length > 16) throw new ApduError('APDU_INVALID', `AID must be 1..16 bytes, got ${aid.length}`);
    return new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: occurrence === 'first' ? 0x00 : 0x02, data: aid, ne: 256 });
  }

  /** READ RECORD of record `record` in short file `sfi` (EMV Book 1 §11.2; ISO 7816-4 §11.3.3). */
  static readRecord(sfi: number, record: number): CommandApdu {
    if (!Number.isInteger(sfi) || sfi < 1 || sfi > 30) throw new ApduError('APDU_INVALID', `SFI must be 1..30, got ${sfi}`);
    if (!Number.isInteger(record) || record < 1 || record > 254) throw new ApduError('APDU_INVALID', `record must be 1..254, got ${record}`);
    return new CommandApdu({ cla: 0x00, ins: 0xb2, p1: record, p2: (sfi << 3) | 0x04, ne: 256 });
  }

  /** GET PROCESSING OPTIONS with the PDOL data wrapped in tag 83 (EMV Book 3 §6.5.8), BER length (81 xx from 128 on). */
  static getProcessingOptions(pdolData: Uint8Array = new Uint8Array(0)): CommandApdu {
    if (pdolData.length > 252) throw new ApduError('APDU_INVALID', `PDOL data is ${pdolData.length} bytes, more than 252`);
    const data = concatBytes(Uint8Array.of(0x83), encodeLength(pdolData.length), pdolData);
    return new CommandApdu({ cla: 0x80, ins: 0xa8, p1: 0x00, p2: 0x00, data, ne: 256 });
  }

  /** GENERATE AC (EMV Book 3 §6.5.5): cryptogram type in P1 bits 8-7, CDA request in bit 5. */
  static generateAc(type: CryptogramType, cdolData: Uint8Array, cda = false): CommandApdu {
    const p1 = (type === 'AAC' ? 0x00 : type === 'TC' ? 0x40 : 0x80) | (cda ? 0x10 : 0x00);
    return new CommandApdu({ cla: 0x80, ins: 0xae, p1, p2: 0x00, data: cdolData, ne: 256 });
  }

  /** VERIFY (EMV Book 3 §6.5.12): P2 80 plaintext PIN, 88 enciphered PIN; data is the PIN block. */
  static verify(p2: number, pinData: Uint8Array): CommandApdu {
    return new CommandApdu({ cla: 0x00, ins: 0x20, p1: 0x00, p2, data: pinData });
  }

  /** GET DATA for a primitive tag such as 9F17 or 9F36 (EMV Book 3 §6.5.7). */
  static getData(tag: number): CommandApdu {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xffff) throw new ApduError('APDU_INVALID', `GET DATA tag must be 1-2 bytes`);
    return new CommandApdu({ cla: 0x80, ins: 0xca, p1: tag >> 8, p2: tag & 0xff, ne: 256 });
  }

  /** GET RESPONSE for `ne` bytes (ISO 7816-4 §7.6.1), used after 61xx on T=0. */
  static getResponse(ne: number): CommandApdu {
    return new CommandApdu({ cla: 0x00, ins: 0xc0, p1: 0x00, p2: 0x00, ne });
  }

  /** INTERNAL AUTHENTICATE with the DDOL data (EMV Book 3 §6.5.9). */
  static internalAuthenticate(ddolData: Uint8Array): CommandApdu {
    return new CommandApdu({ cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: ddolData, ne: 256 });
  }

  /** EXTERNAL AUTHENTICATE with the issuer authentication data, tag 91 (EMV Book 3 §6.5.4). */
  static externalAuthenticate(issuerAuthData: Uint8Array): CommandApdu {
    return new CommandApdu({ cla: 0x00, ins: 0x82, p1: 0x00, p2: 0x00, data: issuerAuthData });
  }

  /** GET CHALLENGE: an 8-byte unpredictable number for enciphered PIN (EMV Book 3 §6.5.6). */
  static getChallenge(): CommandApdu {
    return new CommandApdu({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, ne: 256 });
  }
}

/** Instruction names for logs and CLI output (ISO 7816-4 Table 4, EMV Book 3 §6.5). */
export const INS_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0e, 'ERASE BINARY'],
  [0x1e, 'APPLICATION BLOCK'],
  [0x18, 'APPLICATION UNBLOCK'],
  [0x20, 'VERIFY'],
  [0x24, 'PIN CHANGE/UNBLOCK'],
  [0x70, 'MANAGE CHANNEL'],
  [0x82, 'EXTERNAL AUTHENTICATE'],
  [0x84, 'GET CHALLENGE'],
  [0x88, 'INTERNAL AUTHENTICATE'],
  [0xa4, 'SELECT'],
  [0xa8, 'GET PROCESSING OPTIONS'],
  [0xae, 'GENERATE AC'],
  [0xb0, 'READ BINARY'],
  [0xb2, 'READ RECORD'],
  [0xc0, 'GET RESPONSE'],
  [0xca, 'GET DATA'],
  [0xd6, 'UPDATE BINARY'],
  [0xdc, 'UPDATE RECORD'],
  [0xe2, 'APPEND RECORD'],
]);
