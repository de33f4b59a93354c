import type { RsaPublicKey } from '../../crypto/rsa.js';
import { fail, hashMatches, recoverBlock } from './recovered-block.js';
import type { SdaResult } from './types.js';

// Signed Static Application Data (tag 93) recovered layout, EMV Book 2 §5.4 Table 7:
// 6A | 03 | hash alg | DAC (2) | pad 'BB' x (NI-26) | hash (20) | BC
const HASH_ALG = 2;
const DAC = 3;

/** Verifies Signed Static Application Data (93), EMV Book 2 §5.4, yielding the Data Authentication Code (9F45). */
export function verifySda(issuerKey: RsaPublicKey, signedStaticData93: Uint8Array, staticDataToAuthenticate: Uint8Array): SdaResult {
  // The hash covers format .. pad pattern || static data to be authenticated. Never throws on card data.
  const r = recoverBlock(issuerKey, signedStaticData93, 0x03, HASH_ALG, 26);
  if (!r.ok) return r;
  if (!hashMatches(r.block, staticDataToAuthenticate)) return fail('HASH_MISMATCH');
  return { ok: true, dac: r.block.slice(DAC, DAC + 2), recoveredBlock: r.block };
}
