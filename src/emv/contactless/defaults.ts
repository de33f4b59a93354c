// Default combinations of AID and kernel for a European shop reader. The limits are examples in minor units
// (per-scheme, per-country values come from the acquirer and belong in the configuration).
import type { CombinationConfig, ContactlessConfig, SupportedKernel } from './types.js';

/** TTQ 36 00 40 00: EMV mode, contact chip, online PIN, signature; CDCVM supported (Book C-3 Annex A). */
const TTQ_ONLINE = '36004000';
/** The same with "ODA for online authorisations supported" (byte 1 b1): the card may sign online taps too. */
const TTQ_ONLINE_ODA = '37004000';

/** Kernel 2 has no TTQ: the field is kept for the shape and never sent. */
const NO_TTQ = '00000000';

function combination(aid: string, kernelId: SupportedKernel, ttq: string, limits: { transaction: number; floor: number; cvm: number }): CombinationConfig {
  return {
    aid,
    partialSelection: true,
    kernelId,
    transactionLimit: limits.transaction,
    floorLimit: limits.floor,
    cvmRequiredLimit: limits.cvm,
    statusCheck: false,
    zeroAmountAllowed: false,
    ttq,
  };
}

// Floor limit = CVM limit: small taps may be approved offline when the card agrees (terminal type 22, offline-capable).
const EU = { transaction: 1000000, floor: 5000, cvm: 5000 };

/**
 * Visa (kernel 3), UnionPay QuickPass (kernel 7: A000000333010101 debit, …02 credit, …03 quasi-credit) and
 * Mastercard (kernel 2: A0000000041010 credit/debit, A0000000043060 Maestro; Kernel 2's CVM capabilities are
 * kernel2/config.ts's defaults).
 */
export const DEFAULT_COMBINATIONS: readonly CombinationConfig[] = [
  combination('A0000000031010', 3, TTQ_ONLINE_ODA, EU),
  combination('A0000000032010', 3, TTQ_ONLINE_ODA, EU),
  combination('A0000000032020', 3, TTQ_ONLINE_ODA, EU),
  combination('A000000333010101', 7, TTQ_ONLINE, EU),
  combination('A000000333010102', 7, TTQ_ONLINE, EU),
  combination('A000000333010103', 7, TTQ_ONLINE, EU),
  combination('A0000000041010', 2, NO_TTQ, EU),
  combination('A0000000043060', 2, NO_TTQ, EU),
];

/** The default contactless configuration, with overrides. */
export function defaultContactlessConfig(overrides: Partial<ContactlessConfig> = {}): ContactlessConfig {
  return { combinations: DEFAULT_COMBINATIONS, contactInterface: true, ...overrides };
}
