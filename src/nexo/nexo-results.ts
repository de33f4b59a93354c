// A posbridge payment as the nexo PaymentResponse body: result, POI transaction, card (masked PAN only), amounts,
// approval code and the cashier and customer receipts as OutputText lines (the receipts module's text receipt).
import type { Payment } from '../payments/payment-store.js';
import { schemeOfPayment } from '../emv/scheme.js';
import { textReceipt, type Merchant, type ReceiptCopy } from '../receipts/text-receipt.js';
import { currencyAlpha, currencyExponent } from '../util/currency.js';
import { response, toMajor, type ErrorCondition, type Json } from './nexo-messages.js';

/** States in which a payment's answer is final for the sale system (a reversal under way included). */
export const ANSWERED_STATES: ReadonlySet<Payment['state']> = new Set(['completed', 'declined', 'cancelled', 'failed', 'reversal-pending', 'reversed']);

/** The nexo Response of an ended payment; `aborted` when the sale system's AbortRequest ended it. */
export function paymentOutcome(p: Payment, aborted: boolean): Json {
  if (p.state === 'completed' && p.result === 'approved') return response('Success');
  if (p.state === 'declined') return response('Failure', 'Refusal', p.reason ?? `declined (response code ${p.responseCode ?? 'none'})`);
  const condition: ErrorCondition = aborted ? 'Aborted' : p.state === 'cancelled' ? 'Cancel' : p.state === 'failed' ? 'UnavailableService' : 'Aborted';
  return response('Failure', condition, p.reason ?? p.state);
}

/** The amount of a payment as nexo's decimal in major units. */
export function majorAmount(p: Payment): number {
  return toMajor(p.amount, currencyExponent(currencyAlpha(p.currency)));
}

/** The POI's own id of the payment (ReversalRequest and TransactionStatusRequest name it back). */
export function poiTransactionId(p: Payment): Json {
  return { TransactionID: p.id, TimeStamp: new Date(p.createdAt).toISOString() };
}

function receipt(p: Payment, merchant: Merchant, copy: ReceiptCopy, width: number): Json {
  const lines = textReceipt(p, merchant, copy, width);
  return {
    DocumentQualifier: copy === 'merchant' ? 'CashierReceipt' : 'CustomerReceipt',
    RequiredSignatureFlag: p.cvm === 'signature' || p.cvm === 'offline-pin+signature',
    OutputContent: { OutputFormat: 'Text', OutputText: lines.map((Text) => ({ Text, EndOfLineFlag: true })) },
  };
}

/** The PaymentResponse body of a payment (ended or not), for the request's SaleTransactionID. */
export function paymentResponse(p: Payment, saleTransactionId: Json, merchant: Merchant & { readonly merchantId?: string }, aborted: boolean, width = 42): Json {
  const alpha = currencyAlpha(p.currency);
  const decided = p.state === 'completed' || p.state === 'declined';
  const approved = p.state === 'completed' && p.result === 'approved';
  const brand = schemeOfPayment(p);
  return {
    Response: paymentOutcome(p, aborted),
    SaleData: { SaleTransactionID: saleTransactionId },
    POIData: { POITransactionID: poiTransactionId(p) },
    PaymentResult: {
      PaymentType: p.type === 'refund' ? 'Refund' : 'Normal',
      ...(p.maskedPan
        ? { PaymentInstrumentData: { PaymentInstrumentType: 'Card', CardData: { MaskedPan: p.maskedPan, ...(brand ? { PaymentBrand: brand } : {}), ...(p.entryMode ? { EntryMode: [p.entryMode === 'chip' ? 'ICC' : 'MagStripe'] } : {}) } } }
        : {}),
      AmountsResp: { Currency: alpha, AuthorizedAmount: approved ? toMajor(p.amount, currencyExponent(alpha)) : 0 },
      ...(p.authCode ? { PaymentAcquirerData: { ApprovalCode: p.authCode, AcquirerPOIID: p.terminalId ?? merchant.terminalId, MerchantID: merchant.merchantId ?? '' } } : {}),
    },
    ...(decided ? { PaymentReceipt: [receipt(p, merchant, 'merchant', width), receipt(p, merchant, 'customer', width)] } : {}),
  };
}
