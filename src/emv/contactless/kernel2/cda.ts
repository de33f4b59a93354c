// Kernel 2's offline data authentication: CDA only (EMV Contactless Book C-2 with EMV Book 2 §6.6). Before
// GENERATE AC the ICC public key is recovered (CA → issuer → ICC over the records' static data); after it, the
// SDAD (9F4B) is recovered and checked: CID, the hash over the UN, and the transaction data hash over the PDOL
// related data, the CDOL1 related data and the response's data objects except 9F4B, in the card's order.
import { fromHex } from '../../../apdu/hex.js';
import type { RsaPublicKey } from '../../../crypto/rsa.js';
import type { EmvDataStore } from '../../data-store.js';
import type { GenerateAcResult } from '../../generate-ac.js';
import { verifyCda } from '../../oda/dynamic-signature.js';
import type { RecordsRead } from '../../read-records.js';
import type { BitField, TvrBit } from '../../tvr.js';
import type { TerminalConfig } from '../../types.js';
import { iccKeyChain } from '../kernel3/icc-key-chain.js';
import type { ContactlessOda } from '../types.js';

/** Before GENERATE AC: the ICC key when CDA is to be requested, and the ODA status so far. */
export interface CdaPlan {
  readonly key: RsaPublicKey | null;
  readonly oda: ContactlessOda;
}

/** Terminal Capabilities (9F33) byte 3 b4: CDA supported; AIP byte 1 b1: the card supports CDA. */
const CAP_CDA = 0x08;
const AIP_CDA = 0x01;

/** Whether CDA runs and with which key (Book C-2: AIP and reader both support CDA; a failure here sets "CDA failed"). */
export function planCda(store: EmvDataStore, tvr: BitField<TvrBit>, config: TerminalConfig, aid: string, records: RecordsRead, now: Date): CdaPlan {
  const aip = store.getCard(0x82) ?? new Uint8Array(2);
  const caps = fromHex(config.capabilities)[2] ?? 0;
  if ((aip[0] & AIP_CDA) === 0 || (caps & CAP_CDA) === 0) {
    tvr.set('odaNotPerformed');
    return { key: null, oda: { method: 'none', result: 'not performed' } };
  }
  const failed = (reason: string, missing: boolean): CdaPlan => {
    tvr.set('cdaFailed');
    if (missing) tvr.set('iccDataMissing');
    return { key: null, oda: { method: 'CDA', result: `failed: ${reason}` } };
  };
  if (!records.staticDataValid) return failed('STATIC_DATA_INVALID', false);
  const chain = iccKeyChain(store, config, aid, records.staticData, now);
  if (!chain.ok) return failed(chain.reason, chain.reason.endsWith('MISSING'));
  return { key: chain.key, oda: { method: 'CDA', result: 'pending' } };
}

/** After GENERATE AC with CDA requested: verifies the SDAD; on success the AC and IDN it carried go to the store. */
export function checkCda(store: EmvDataStore, tvr: BitField<TvrBit>, key: RsaPublicKey, gac: GenerateAcResult, pdolData: Uint8Array): ContactlessOda {
  const failed = (reason: string): ContactlessOda => {
    tvr.set('cdaFailed');
    return { method: 'CDA', result: `failed: ${reason}` };
  };
  if (!gac.sdad) return failed('SDAD_MISSING');
  const v = verifyCda(key, gac.sdad, {
    unpredictableNumber: store.get(0x9f37) ?? new Uint8Array(4),
    pdolData,
    cdolData: gac.cdolData,
    genAcResponseTlvsWithout9F4B: gac.tlvsWithoutSdad,
    cid: gac.cid,
  });
  if (!v.ok) return failed(v.reason);
  // An AC in the clear that differs from the signed one is a tampered answer.
  if (gac.ac.length > 0 && gac.ac.some((b, i) => b !== v.ac[i])) return failed('AC_MISMATCH');
  store.setTerminal(0x9f4c, v.idn);
  store.replaceCard(0x9f26, v.ac);
  return { method: 'CDA', result: 'ok' };
}
