// The ICC public key for fDDA: CA key (RID of the AID, index 8F) → issuer key (90, 92, 9F32) → ICC key (9F46, 9F48,
// 9F47) over the static data read with the AFL (EMV Book 2 §5.3, §6.4, as for contact DDA; Book C-3 §5.8).
import { fromHex } from '../../../apdu/hex.js';
import type { RsaPublicKey } from '../../../crypto/rsa.js';
import type { EmvDataStore } from '../../data-store.js';
import { findCaKey } from '../../oda-step.js';
import { recoverIccPublicKey } from '../../oda/icc-key.js';
import { recoverIssuerPublicKey } from '../../oda/issuer-key.js';
import type { TerminalConfig } from '../../types.js';

/** The recovered ICC key, or the reason it could not be. */
export type IccKeyChain = { readonly ok: true; readonly key: RsaPublicKey } | { readonly ok: false; readonly reason: string };

/** Recovers the ICC public key of the card in `store` (AID hex, static data from the records, transaction month). */
export function iccKeyChain(store: EmvDataStore, config: TerminalConfig, aid: string, staticData: Uint8Array, now: Date): IccKeyChain {
  const today = { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 };
  const pan = store.getCard(0x5a) ?? new Uint8Array(0);
  const index = store.getCard(0x8f);
  const cert = store.getCard(0x90);
  const exp = store.getCard(0x9f32);
  if (!index || index.length !== 1 || !cert || !exp) return { ok: false, reason: 'ISSUER_DATA_MISSING' };
  const ca = findCaKey(config, fromHex(aid).subarray(0, 5), index[0]);
  if (!ca) return { ok: false, reason: 'CA_KEY_UNKNOWN' };
  const issuer = recoverIssuerPublicKey(ca, cert, store.getCard(0x92) ?? new Uint8Array(0), exp, pan, today);
  if (!issuer.ok) return { ok: false, reason: issuer.reason };
  const iccCert = store.getCard(0x9f46);
  const iccExp = store.getCard(0x9f47);
  if (!iccCert || !iccExp) return { ok: false, reason: 'ICC_DATA_MISSING' };
  const icc = recoverIccPublicKey(issuer.key, iccCert, store.getCard(0x9f48) ?? new Uint8Array(0), iccExp, staticData, pan, today);
  return icc.ok ? { ok: true, key: icc.key } : { ok: false, reason: icc.reason };
}
