// The simulated acquirer's answer to one parsed request, by MTI (ISO 8583:1987 §4.1 message classes): the
// rules of rules.ts applied, effects kept in the ledger. No I/O: the TCP side (host-simulator.ts) delivers it.
import { Iso8583Message, responseTpdu, TPDU_ID, type FieldValue } from '../../host/iso8583/index.js';
import { responseMti } from '../../host/matcher.js';
import { decideAuthorization, type ArqcVerdict, type IssuerLookup } from './issuer.js';
import { netSettlement, originalStanOf, type SimLedger } from './ledger.js';
import { isRequestMti, SIM_CODES } from './rules.js';

/** What the simulator decided for one request. */
export interface Decision {
  /** The answer, or null for none (amount .99, timeout mode, not a request). */
  readonly response: Iso8583Message | null;
  readonly responseCode: string | null;
  readonly arqc: ArqcVerdict | null;
  readonly note: string | null;
}

/** Fields a response repeats from its request (never the PAN, track data, PIN block or ICC data). */
const ECHO = [3, 4, 7, 11, 12, 13, 24, 25, 41, 42, 49, 50, 90];

/** Decides answers and keeps the ledger; one per simulator. */
export class SimResponder {
  private sequence = 0;

  /** Binds the responder to the ledger and the card lookup. */
  constructor(
    private readonly ledger: SimLedger,
    private readonly lookup: IssuerLookup,
  ) {}

  /** The answer to `msg`; with `process` false (timeout mode) the request is only remembered, never answered. */
  decide(msg: Iso8583Message, process = true): Decision {
    const none = (note: string | null): Decision => ({ response: null, responseCode: null, arqc: null, note });
    if (!isRequestMti(msg.mti)) return none(`${msg.mti} is not a request: ignored`);
    const cls = msg.mti.slice(0, 2);
    if (!process) {
      if (cls === '01' || cls === '02') this.ledger.record(msg, false);
      return none('timeout mode: not answered');
    }
    if ((cls === '01' || cls === '02') && msg.mti[2] === '0') return this.authorization(msg);
    if (cls === '02') return this.advice(msg);
    if (cls === '04') return this.reversal(msg);
    if (cls === '08') return this.answer(msg, SIM_CODES.approved, null);
    if (cls === '05') return this.settlement(msg);
    if (cls === '03') return this.batchUpload(msg);
    return this.answer(msg, SIM_CODES.invalidTransaction, `${msg.mti} is not supported by the simulator`);
  }

  /** An answer with a forced response code (`HostSimulator.answerNext`): remembered, never approved or reversed. */
  forced(msg: Iso8583Message, code: string): Decision {
    const cls = msg.mti.slice(0, 2);
    if (cls === '01' || cls === '02') this.ledger.record(msg, false);
    return this.answer(msg, code, `forced response code ${code}`);
  }

  private authorization(msg: Iso8583Message): Decision {
    const a = decideAuthorization(msg, this.lookup, () => `A${String(++this.sequence % 100000).padStart(5, '0')}`);
    if (a.responseCode === 'no-answer') {
      this.ledger.record(msg, false);
      return { response: null, responseCode: null, arqc: a.arqc, note: a.note };
    }
    this.ledger.record(msg, a.responseCode === SIM_CODES.approved);
    const extra: [number, FieldValue][] = [[37, this.rrn()]];
    if (a.authCode) extra.push([38, a.authCode]);
    if (a.field55) extra.push([55, a.field55]);
    return { ...this.answer(msg, a.responseCode, a.note, extra), arqc: a.arqc };
  }

  private advice(msg: Iso8583Message): Decision {
    this.ledger.record(msg, true);
    return this.answer(msg, SIM_CODES.approved, null);
  }

  /**
   * Batch upload (0320): a transaction the terminal counted; the ledger then counts it as sent, and the answer says
   * what it had (SIM_CODES: 00 the same, N1 not counted, N2 another amount — the ledger's in field 4 —, N3 reversed).
   */
  private batchUpload(msg: Iso8583Message): Decision {
    const r = this.ledger.upload(msg);
    if (r.had === 'matched') return this.answer(msg, SIM_CODES.approved, null);
    if (r.had === 'missing') return this.answer(msg, SIM_CODES.uploadNotCounted, 'uploaded item was not counted: added');
    if (r.had === 'reversed') return this.answer(msg, SIM_CODES.uploadCountedReversed, 'uploaded item was counted as reversed: counted as sent');
    const d = this.answer(msg, SIM_CODES.uploadAmountDiffers, `uploaded item was counted for ${r.hostAmount}: counted as sent`);
    const response = d.response ? d.response.with(4, String(r.hostAmount).padStart(12, '0')) : null;
    return { ...d, response };
  }

  private reversal(msg: Iso8583Message): Decision {
    const stan = originalStanOf(msg);
    const known = stan !== null && this.ledger.reverse(msg.text(41) ?? '', stan);
    return known ? this.answer(msg, SIM_CODES.approved, null) : this.answer(msg, SIM_CODES.originalNotFound, `original STAN ${stan ?? '(no field 90)'} unknown`);
  }

  /**
   * A reconciliation (0500) is for one currency, named by field 50 (currency code, settlement; ISO 8583:1987 §4.4
   * data element 50): its totals are compared with that currency's only, and an agreement closes that currency's
   * batch only. Without field 50 the amounts have no currency: format error (30).
   */
  private settlement(msg: Iso8583Message): Decision {
    const currency = msg.text(50);
    if (!currency) return this.answer(msg, SIM_CODES.formatError, 'field 50 (currency code, settlement) missing: a reconciliation is per currency');
    const differ = this.ledger.compare(msg, currency);
    // The answer carries the simulator's own totals of the currency (fields 74-77, 86-89, 97), agreed or not.
    const t = this.ledger.totals(currency);
    const own: [number, FieldValue][] = [
      [74, String(t.creditsNumber).padStart(10, '0')],
      [75, String(t.creditReversalsNumber).padStart(10, '0')],
      [76, String(t.debitsNumber).padStart(10, '0')],
      [77, String(t.debitReversalsNumber).padStart(10, '0')],
      [86, String(t.creditsAmount).padStart(16, '0')],
      [87, String(t.creditReversalsAmount).padStart(16, '0')],
      [88, String(t.debitsAmount).padStart(16, '0')],
      [89, String(t.debitReversalsAmount).padStart(16, '0')],
      [97, netSettlement(t)],
    ];
    if (differ.length) return this.answer(msg, SIM_CODES.totalsNotAgreed, `totals of ${currency} not agreed: field(s) ${differ.join(', ')}`, own);
    this.ledger.closeBatch(currency);
    return this.answer(msg, SIM_CODES.approved, `totals of ${currency} agreed: its batch closed`, own);
  }

  private answer(msg: Iso8583Message, code: string, note: string | null, extra: ReadonlyArray<[number, FieldValue]> = []): Decision {
    const fields: [number, FieldValue][] = [];
    for (const n of ECHO) {
      const v = msg.fields.get(n);
      if (v !== undefined) fields.push([n, v]);
    }
    if (msg.mti.startsWith('08')) {
      const f70 = msg.text(70);
      if (f70) fields.push([70, f70]);
    }
    fields.push(...extra, [39, code]);
    const header = msg.header.length === 5 && msg.header[0] === TPDU_ID ? responseTpdu(msg.header) : msg.header;
    return { response: new Iso8583Message(responseMti(msg.mti), fields, header), responseCode: code, arqc: null, note };
  }

  private rrn(): string {
    return String(Date.now() % 1e6).padStart(6, '0') + String(++this.sequence % 1e6).padStart(6, '0');
  }
}
