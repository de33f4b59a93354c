import { toHex } from '../apdu/hex.js';
import type { EmvDataStore } from './data-store.js';
import { emvDate } from './numeric.js';
import type { TvrBit, BitField } from './tvr.js';
import type { TransactionType } from './types.js';

/** What processing restrictions need besides the store. */
export interface RestrictionContext {
  readonly type: TransactionType;
  /** Terminal country (9F1A) as 4 hex digits, e.g. '0250'. */
  readonly terminalCountry: string;
  /** Terminal application version (9F09), hex. */
  readonly terminalVersion: string;
  /** Today as YYYYMMDD. */
  readonly today: number;
}

/**
 * Processing restrictions (EMV Book 3 §10.4): application version, Application Usage Control against
 * domestic/international and the transaction type, effective and expiration dates. Only sets TVR bits.
 */
export function checkRestrictions(store: EmvDataStore, tvr: BitField<TvrBit>, ctx: RestrictionContext): void {
  const cardVersion = store.getCard(0x9f08);
  if (cardVersion && toHex(cardVersion) !== ctx.terminalVersion.toUpperCase()) tvr.set('differentVersions');

  const auc = store.getCard(0x9f07);
  const issuerCountry = store.getCard(0x5f28);
  if (auc && auc.length >= 2 && issuerCountry) {
    const domestic = toHex(issuerCountry) === ctx.terminalCountry.toUpperCase();
    if (!aucAllows(auc, ctx.type, domestic)) tvr.set('serviceNotAllowed');
  }

  const effective = emvDate(store.getCard(0x5f25));
  if (effective !== null && effective > ctx.today) tvr.set('notYetEffective');
  const expiry = emvDate(store.getCard(0x5f24));
  if (expiry === null || expiry < ctx.today) tvr.set('expiredApplication');
}

/** Application Usage Control (Book 3 Annex C2) for a non-ATM terminal. */
export function aucAllows(auc: Uint8Array, type: TransactionType, domestic: boolean): boolean {
  const [b1, b2] = auc;
  if ((b1 & 0x01) === 0) return false; // not valid at terminals other than ATMs
  switch (type) {
    case 'cash':
      return (b1 & (domestic ? 0x80 : 0x40)) !== 0;
    case 'purchase':
    case 'refund':
      return (b1 & (domestic ? 0x20 | 0x08 : 0x10 | 0x04)) !== 0;
    case 'cashback':
      return (b1 & (domestic ? 0x20 | 0x08 : 0x10 | 0x04)) !== 0 && (b2 & (domestic ? 0x80 : 0x40)) !== 0;
  }
}
