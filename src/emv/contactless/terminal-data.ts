// The terminal's data objects for a contactless transaction (PDOL sources and field 55), as the contact kernel
// sets them (EMV Book 3 / Book C-3 Annex A), plus the TTQ of this transaction (Kernel 3/7: Kernel 2 has none).
import type { EmvDataStore } from '../data-store.js';
import { setTransactionData } from '../terminal-data.js';
import type { TerminalConfig } from '../types.js';
import type { ContactlessRequest } from './types.js';

/** Puts the transaction's terminal data in the store: amounts, currency, date, time, type, UN, TTQ (Kernel 3/7; null: none), identity. */
export function setTerminalData(store: EmvDataStore, config: TerminalConfig, req: ContactlessRequest, ttq: Uint8Array | null, now: Date, un: Uint8Array): void {
  setTransactionData(store, config, req, now, un);
  if (ttq) store.setTerminal(0x9f66, ttq);
  store.setTerminal(0x95, new Uint8Array(5));
}
