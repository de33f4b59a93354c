// The terminal's data objects for a contactless transaction (PDOL sources and field 55), as the contact kernel
// sets them (EMV Book 3 / Book C-3 Annex A), plus the TTQ of this transaction (Kernel 3/7: Kernel 2 has none).
import { fromHex } from '../../apdu/hex.js';
import type { EmvDataStore } from '../data-store.js';
import { numericBytes, transactionDate, transactionTime } from '../numeric.js';
import type { TerminalConfig } from '../types.js';
import type { ContactlessRequest } from './types.js';

const TYPE_CODE = { purchase: '00', cash: '01', cashback: '09', refund: '20' } as const;

/** Puts the transaction's terminal data in the store: amounts, currency, date, time, type, UN, TTQ (Kernel 3/7; null: none), identity. */
export function setTerminalData(store: EmvDataStore, config: TerminalConfig, req: ContactlessRequest, ttq: Uint8Array | null, now: Date, un: Uint8Array): void {
  const ascii = (s: string, n: number): Uint8Array => new TextEncoder().encode(s.padEnd(n, ' ').slice(0, n));
  store.setTerminal(0x9f02, numericBytes(req.amount, 6));
  store.setTerminal(0x9f03, numericBytes(req.amountOther ?? 0, 6));
  store.setTerminal(0x5f2a, numericBytes(req.currency, 2));
  store.setTerminal(0x9a, transactionDate(now));
  store.setTerminal(0x9f21, transactionTime(now));
  store.setTerminal(0x9c, fromHex(TYPE_CODE[req.type]));
  store.setTerminal(0x9f37, un);
  if (ttq) store.setTerminal(0x9f66, ttq);
  store.setTerminal(0x95, new Uint8Array(5));
  store.setTerminal(0x9f35, Uint8Array.of(config.terminalType));
  store.setTerminal(0x9f33, fromHex(config.capabilities));
  store.setTerminal(0x9f40, fromHex(config.additionalCapabilities));
  store.setTerminal(0x9f1a, numericBytes(config.countryCode, 2));
  store.setTerminal(0x9f1c, ascii(config.terminalId, 8));
  store.setTerminal(0x9f1e, ascii(config.ifdSerial, 8));
  store.setTerminal(0x9f15, numericBytes(config.merchantCategoryCode, 2));
  store.setTerminal(0x9f41, numericBytes(req.sequenceCounter, 4));
}
