import { concatBytes } from '../apdu/hex.js';
import type { EmvDataStore } from './data-store.js';
import { tlvBytes } from './read-records.js';

/**
 * The ICC data sent to the acquirer in ISO 8583 field 55, in this order (the one place the list is kept):
 * cryptogram, CID, IAD, UN, ATC, TVR, date, type, amount, currency, AIP, country, CVM results, capabilities,
 * terminal type, other amount, DF name, terminal id (9F1C: the configured merchant.terminalId, as in field 41), IFD
 * serial, sequence counter.
 */
export const FIELD55_TAGS: readonly number[] = [
  0x9f26, 0x9f27, 0x9f10, 0x9f37, 0x9f36, 0x95, 0x9a, 0x9c, 0x9f02, 0x5f2a, 0x82, 0x9f1a, 0x9f34, 0x9f33, 0x9f35, 0x9f03, 0x84, 0x9f1c, 0x9f1e, 0x9f41,
];

/** Field 55 bytes: each listed tag the transaction has, TLV-encoded. */
export function buildIccData(store: EmvDataStore, tags: readonly number[] = FIELD55_TAGS): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const t of tags) {
    const v = store.get(t);
    if (v !== undefined) parts.push(tlvBytes(t, v));
  }
  return concatBytes(...parts);
}
