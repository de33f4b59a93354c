// The nexo face of the payment engine: each supported request mapped onto the WebSocket API's own methods
// (payment.start, payment.cancel, payment.reverse, devices.list, called through the same dispatcher code), and the
// journal's payments read back for the answer.
import type { Logger } from '../log/logger.js';
import type { Merchant } from '../receipts/text-receipt.js';
import type { Payment, PaymentStore } from '../payments/payment-store.js';
import { currencyExponent } from '../util/currency.js';
import { ANSWERED_STATES, majorAmount, paymentResponse, poiTransactionId } from './nexo-results.js';
import { NexoRefusal, nexoReference, obj, readHeader, response, responseHeader, str, SUPPORTED_CATEGORIES, toMinor, type ErrorCondition, type Json, type MessageHeader } from './nexo-messages.js';

/** What the nexo service drives: the WebSocket API's methods and the payments' journal. */
export interface NexoBackend {
  /**
   * Calls a method of the WebSocket API with its params checked by the API's contract (the very handler a
   * WebSocket client reaches); a failure is thrown as an error with the API's stable `code`.
   */
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
  readonly store: PaymentStore;
  readonly merchant: Merchant & { readonly merchantId?: string };
  /** POIID → lane name. */
  readonly lanes: ReadonlyMap<string, string>;
  /** Characters per receipt line for a lane (its printer's), default 42. */
  readonly receiptWidth?: (lane: string) => number;
  /** Where refusals are logged (ids and codes, never the message's fields). */
  readonly logger?: Logger;
}

const API_CONDITIONS: Readonly<Record<string, ErrorCondition>> = { BUSY: 'Busy', NOT_FOUND: 'NotFound', INVALID_PARAMS: 'NotAllowed', FORBIDDEN: 'NotAllowed', DEVICE_UNAVAILABLE: 'UnavailableDevice' };

/** Answers decrypted SaleToPOIRequests; one instance per daemon. */
export class NexoService {
  /** Payments ended by an AbortRequest (their answer says Aborted). */
  private readonly aborted = new Set<string>();

  /** Serves the lanes of `backend`. */
  constructor(private readonly backend: NexoBackend) {}

  /** The SaleToPOIResponse for a request, or null for an AbortRequest (answered by an empty 200). */
  async handle(request: Json): Promise<Json | null> {
    const header = readHeader(request.MessageHeader);
    const category = header.MessageCategory;
    const name = `${category}Response`;
    const answer = (body: Json): Json => ({ SaleToPOIResponse: { MessageHeader: responseHeader(header), [name]: body } });
    try {
      if (header.MessageClass !== 'Service' || header.MessageType !== 'Request') throw new NexoRefusal('NotAllowed', `${header.MessageClass}/${header.MessageType} messages are not served here`);
      if (!(SUPPORTED_CATEGORIES as readonly string[]).includes(category)) throw new NexoRefusal('UnavailableService', `${category} is not supported by posbridge`);
      const lane = this.backend.lanes.get(header.POIID);
      if (!lane) throw new NexoRefusal('NotAllowed', `no lane has POIID ${header.POIID}`);
      const body = obj(request, `${category}Request`);
      switch (category) {
        case 'Payment':
          return answer(await this.payment(header, lane, body));
        case 'TransactionStatus':
          return answer(this.status(header, lane, body));
        case 'Abort':
          await this.abort(header, body);
          return null;
        case 'Reversal':
          return answer(await this.reversal(body));
        default:
          return answer(await this.diagnosis(header, lane));
      }
    } catch (err) {
      const r = refusalOf(err);
      // A failure that is neither a refusal nor the engine's coded error is a bug: logged in full, answered as unavailable.
      if (!(err instanceof NexoRefusal) && !(typeof err === 'object' && err !== null && 'code' in err)) this.backend.logger?.error('nexo: a request failed unexpectedly', { category, err });
      this.backend.logger?.info('nexo: request refused', { category, condition: r.condition, saleId: header.SaleID, serviceId: header.ServiceID });
      if (category === 'Abort') return null; // a terminal answers every AbortRequest with an empty 200
      return answer({ Response: response('Failure', r.condition, r.message) });
    }
  }

  private async call(method: string, params: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.backend.call(method, params);
    } catch (err) {
      throw refusalOf(err);
    }
  }

  /** PaymentRequest: a sale or refund, answered once the payment has ended. */
  private async payment(h: MessageHeader, lane: string, body: Json): Promise<Json> {
    const saleTx = obj(obj(body, 'SaleData'), 'SaleTransactionID');
    const amounts = obj(obj(body, 'PaymentTransaction'), 'AmountsReq');
    const currency = str(amounts, 'Currency');
    if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new NexoRefusal('MessageFormat', 'AmountsReq.Currency must be an ISO 4217 alpha code');
    const paymentType = str(obj(body, 'PaymentData'), 'PaymentType') ?? 'Normal';
    if (paymentType !== 'Normal' && paymentType !== 'Refund') throw new NexoRefusal('NotAllowed', `PaymentType ${paymentType} is not supported (Normal and Refund are)`);
    let exponent: number;
    try {
      exponent = currencyExponent(currency);
    } catch {
      throw new NexoRefusal('NotAllowed', `currency ${currency} is not supported`);
    }
    const amount = toMinor(amounts.RequestedAmount, exponent);
    const reference = nexoReference(h.SaleID, h.ServiceID);
    const started = (await this.call('payment.start', { lane, type: paymentType === 'Refund' ? 'refund' : 'sale', amount, currency, reference })) as { paymentId: string };
    const p = await this.ended(started.paymentId);
    return paymentResponse(p, saleTx, this.backend.merchant, this.aborted.has(p.id), this.backend.receiptWidth?.(p.lane));
  }

  /** Resolves with the payment once it has an answer (ANSWERED_STATES), whoever moves it there. */
  private ended(id: string): Promise<Payment> {
    const now = this.backend.store.get(id);
    if (ANSWERED_STATES.has(now.state)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const stop = this.backend.store.onChange((c) => {
        if (c.payment.id !== id || c.kind !== 'state' || !ANSWERED_STATES.has(c.payment.state)) return;
        stop();
        resolve(c.payment);
      });
    });
  }

  /** The payment a MessageReference names (SaleID+ServiceID of its PaymentRequest), else the lane's last. */
  private referenced(h: MessageHeader, lane: string, ref: Json): Payment | null {
    const serviceId = str(ref, 'ServiceID');
    if (serviceId) return this.backend.store.byReference(nexoReference(str(ref, 'SaleID') ?? h.SaleID, serviceId));
    const all = this.backend.store.list(0, Number.MAX_SAFE_INTEGER).filter((p) => p.lane === lane);
    return all.at(-1) ?? null;
  }

  /** TransactionStatusRequest: the named (or last) payment's response, repeated. */
  private status(h: MessageHeader, lane: string, body: Json): Json {
    const ref = obj(body, 'MessageReference');
    const p = this.referenced(h, lane, ref);
    if (!p) throw new NexoRefusal('NotFound', 'no such transaction');
    if (!ANSWERED_STATES.has(p.state)) return { Response: response('Failure', 'InProgress', `the payment is ${p.state}`) };
    const [saleId, serviceId] = p.reference.startsWith('nexo:') && p.reference.split(':').length === 3 ? p.reference.split(':').slice(1) : [h.SaleID, p.reference];
    const original = { ...h, MessageCategory: 'Payment', SaleID: saleId ?? h.SaleID, ServiceID: serviceId ?? p.reference };
    return {
      Response: response('Success'),
      MessageReference: { MessageCategory: 'Payment', SaleID: original.SaleID, ServiceID: original.ServiceID },
      RepeatedMessageResponse: {
        MessageHeader: responseHeader(original),
        RepeatedResponseMessageBody: { PaymentResponse: paymentResponse(p, { TransactionID: p.reference, TimeStamp: new Date(p.createdAt).toISOString() }, this.backend.merchant, this.aborted.has(p.id), this.backend.receiptWidth?.(p.lane)) },
      },
    };
  }

  /** AbortRequest: cancels the named payment (reversed when it had reached the host). */
  private async abort(h: MessageHeader, body: Json): Promise<void> {
    const ref = obj(body, 'MessageReference');
    const serviceId = str(ref, 'ServiceID');
    if (!serviceId) throw new NexoRefusal('MessageFormat', 'AbortRequest.MessageReference.ServiceID is missing');
    const p = this.backend.store.byReference(nexoReference(str(ref, 'SaleID') ?? h.SaleID, serviceId));
    if (!p || ANSWERED_STATES.has(p.state)) throw new NexoRefusal('NotFound', 'no running payment to abort');
    this.aborted.add(p.id);
    await this.call('payment.cancel', { paymentId: p.id });
  }

  /** ReversalRequest: the void of an approved payment named by its POITransactionID (again: answered Success). */
  private async reversal(body: Json): Promise<Json> {
    const original = obj(body, 'OriginalPOITransaction');
    const id = str(obj(original, 'POITransactionID'), 'TransactionID');
    if (!id) throw new NexoRefusal('MessageFormat', 'OriginalPOITransaction.POITransactionID.TransactionID is missing');
    let p: Payment;
    try {
      p = this.backend.store.get(id);
    } catch {
      throw new NexoRefusal('NotFound', `no transaction ${id}`);
    }
    if (p.state !== 'reversal-pending' && p.state !== 'reversed') await this.call('payment.reverse', { paymentId: p.id });
    const now = this.backend.store.get(p.id);
    return { Response: response('Success'), POIData: { POITransactionID: poiTransactionId(now) }, OriginalPOITransaction: original, ReversedAmount: majorAmount(now) };
  }

  /** DiagnosisRequest: the lane's reader and devices as the WebSocket API's devices.list reports them. */
  private async diagnosis(h: MessageHeader, lane: string): Promise<Json> {
    const { lanes } = (await this.call('devices.list', {})) as { lanes: { lane: string; reader: string; connected: boolean; cardPresent: boolean; pinpad: { connected: boolean } | null; printer: { online?: boolean } | null }[] };
    const l = lanes.find((x) => x.lane === lane);
    if (!l) throw new NexoRefusal('NotFound', `lane ${lane} is gone`);
    const printerOk = l.printer === null || l.printer.online === true;
    return {
      Response: response('Success'),
      POIStatus: { GlobalStatus: l.connected ? 'OK' : 'Unreachable', CommunicationOKFlag: true, ...(l.printer === null ? {} : { PrinterStatus: printerOk ? 'OK' : 'OutOfOrder' }), PEDOKFlag: l.pinpad?.connected ?? l.connected, CardReaderOKFlag: l.connected },
      LoggedSaleID: [h.SaleID],
      AdditionalResponse: `reader=${encodeURIComponent(l.reader)}&cardPresent=${l.cardPresent}`,
    };
  }
}

/** An error as the nexo refusal it is answered with: the API's code mapped to an ErrorCondition. */
function refusalOf(err: unknown): NexoRefusal {
  if (err instanceof NexoRefusal) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  return new NexoRefusal(API_CONDITIONS[code] ?? 'UnavailableService', message);
}
