// What the simulator keeps of each message it saw: only the log-safe description (PCI DSS 3.4: PAN masked to
// first 6/last 4; track data, PIN block and ICC data as "present (N bytes)"), never the clear values.
import { describeMessage, maskPan, type Iso8583Message, type Iso8583Spec, type MessageDescription } from '../../host/iso8583/index.js';
import { panOf, type ArqcVerdict } from './issuer.js';
import { originalStanOf } from './ledger.js';
import type { HostMode } from './rules.js';

/** How the answer was delivered (or not), by the mode in force. */
export type Delivery = 'sent' | 'none' | 'dropped-mid-response' | 'late' | 'twice' | 'garbage';

/** One message the simulator received, as tests and the simulator's log see it. */
export interface RecordedMessage {
  /** 1, 2, … in arrival order. */
  readonly seq: number;
  /** Arrival time, ms since the epoch. */
  readonly at: number;
  /** Which accepted connection it came on (1, 2, …). */
  readonly connection: number;
  /** null when the frame did not parse. */
  readonly mti: string | null;
  readonly stan: string | null;
  readonly terminalId: string | null;
  /** Field 42, the merchant (card acceptor) id. */
  readonly merchantId: string | null;
  /** The terminal id the card's data carried (9F1C in field 55); null when absent. */
  readonly iccTerminalId: string | null;
  /** Present field numbers, ascending. */
  readonly present: readonly number[];
  readonly maskedPan: string | null;
  /** Field 4 in minor units. */
  readonly amount: number | null;
  /** For reversals: the original STAN from field 90. */
  readonly originalStan: string | null;
  /** The masked, decoded message (describeMessage); null when it did not parse. */
  readonly decoded: MessageDescription | null;
  /** The parse error code when the frame did not parse. */
  readonly error: string | null;
  readonly arqc: ArqcVerdict | null;
  /** The answer's MTI and response code; null when none was decided. */
  readonly answer: { readonly mti: string; readonly responseCode: string } | null;
  readonly delivery: Delivery;
  readonly mode: HostMode;
  /** Why the simulator answered as it did (amount rule, ARQC failure reason, unknown original, …). */
  readonly note: string | null;
}

/** What `recordOf` needs besides the message. */
export interface RecordContext {
  readonly seq: number;
  readonly at: number;
  readonly connection: number;
  readonly mode: HostMode;
  readonly delivery: Delivery;
  readonly arqc: ArqcVerdict | null;
  readonly answer: Iso8583Message | null;
  readonly responseCode: string | null;
  readonly note: string | null;
}

/** The log-safe record of a parsed message. */
export function recordOf(spec: Iso8583Spec, msg: Iso8583Message, c: RecordContext): RecordedMessage {
  const pan = panOf(msg);
  const amount = msg.text(4);
  return {
    seq: c.seq,
    at: c.at,
    connection: c.connection,
    mti: msg.mti,
    stan: msg.text(11) ?? null,
    terminalId: msg.text(41) ?? null,
    merchantId: msg.text(42) ?? null,
    iccTerminalId: iccTerminalIdOf(msg),
    present: [...msg.fields.keys()],
    maskedPan: pan ? maskPan(pan) : null,
    amount: amount !== undefined && /^\d+$/.test(amount) ? Number(amount) : null,
    originalStan: msg.mti.startsWith('04') ? originalStanOf(msg) : null,
    decoded: describeMessage(spec, msg),
    error: null,
    arqc: c.arqc,
    answer: c.answer && c.responseCode !== null ? { mti: c.answer.mti, responseCode: c.responseCode } : null,
    delivery: c.delivery,
    mode: c.mode,
    note: c.note,
  };
}

/** The record of a frame that did not parse: only its size and the error code. */
export function unparsedRecord(seq: number, at: number, connection: number, mode: HostMode, length: number, error: string): RecordedMessage {
  return {
    seq,
    at,
    connection,
    mti: null,
    stan: null,
    terminalId: null,
    merchantId: null,
    iccTerminalId: null,
    present: [],
    maskedPan: null,
    amount: null,
    originalStan: null,
    decoded: null,
    error,
    arqc: null,
    answer: null,
    delivery: 'none',
    mode,
    note: `unparseable frame of ${length} bytes: not answered`,
  };
}

/** 9F1C (terminal identification, an 8) of field 55, as text. */
function iccTerminalIdOf(msg: Iso8583Message): string | null {
  const node = msg.tlv(55)?.find((n) => n.tag === 0x9f1c);
  return node ? new TextDecoder().decode(node.value) : null;
}
