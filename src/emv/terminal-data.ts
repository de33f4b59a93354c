// The terminal's data objects of a transaction (EMV Book 3 Annex A; the same for the contact kernel and the
// contactless kernels): what the card's PDOL, CDOL and DDOL may ask for and what field 55 carries of the terminal.
import { fromHex } from '../apdu/hex.js';
import type { EmvDataStore } from './data-store.js';
import { numericBytes, transactionDate, transactionTime } from './numeric.js';
import type { TerminalConfig, TransactionRequest } from './types.js';

/** Transaction type (9C) of each kind of transaction. */
const TYPE_CODE = { purchase: '00', cash: '01', cashback: '09', refund: '20' } as const;

/** Puts the transaction's terminal data in the store: amounts, currency, date, time, type, the unpredictable number and the terminal's identity and capabilities. */
export function setTransactionData(store: EmvDataStore, config: TerminalConfig, req: Pick<TransactionRequest, 'amount' | 'amountOther' | 'currency' | 'type' | 'sequenceCounter'>, now: Date, un: Uint8Array): void {
  const ascii = (s: string, n: number): Uint8Array => new TextEncoder().encode(s.padEnd(n, ' ').slice(0, n));
  store.setTerminal(0x9f02, numericBytes(req.amount, 6));
  store.setTerminal(0x9f03, numericBytes(req.amountOther ?? 0, 6));
  store.setTerminal(0x5f2a, numericBytes(req.currency, 2));
  store.setTerminal(0x9a, transactionDate(now));
  store.setTerminal(0x9f21, transactionTime(now));
  store.setTerminal(0x9c, fromHex(TYPE_CODE[req.type]));
  store.setTerminal(0x9f37, un);
  store.setTerminal(0x9f35, Uint8Array.of(config.terminalType));
  store.setTerminal(0x9f33, fromHex(config.capabilities));
  store.setTerminal(0x9f40, fromHex(config.additionalCapabilities));
  store.setTerminal(0x9f1a, numericBytes(config.countryCode, 2));
  store.setTerminal(0x9f1c, ascii(config.terminalId, 8));
  store.setTerminal(0x9f1e, ascii(config.ifdSerial, 8));
  store.setTerminal(0x9f15, numericBytes(config.merchantCategoryCode, 2));
  store.setTerminal(0x9f41, numericBytes(req.sequenceCounter, 4));
}
