// Kernel 3 (EMV Contactless Book C-3, Visa qVSDC; UnionPay qUICS, kernel 7, runs the same path): GPO with the PDOL,
// records when the card gives an AFL, the card's cryptogram (CID 9F27), expiry, fDDA, CVM by the CTQ — one tap,
// no GENERATE AC. The outcome is the kernel's; Entry Point turns an online request into approved/declined.
import type { CryptogramType } from '../../../apdu/command-apdu.js';
import { fromHex, toHex } from '../../../apdu/hex.js';
import type { CardIo } from '../../card-io.js';
import type { EmvDataStore } from '../../data-store.js';
import { EmvError } from '../../errors.js';
import { dateNumber, emvDate } from '../../numeric.js';
import { readRecords } from '../../read-records.js';
import type { TerminalConfig } from '../../types.js';
import type { ContactlessCvm, ContactlessOda, OutcomeKind } from '../types.js';
import { chooseCvm, CVM_RESULTS } from './cvm.js';
import { verifyFdda } from './fdda.js';
import { kernel3Gpo } from './gpo.js';
import { iccKeyChain } from './icc-key-chain.js';
import { parseCtq, parseTtq } from './qualifiers.js';

/** What Kernel 3 needs besides the card. */
export interface Kernel3Context {
  readonly io: CardIo;
  readonly store: EmvDataStore;
  readonly config: TerminalConfig;
  /** The selected ADF name, hex. */
  readonly aid: string;
  readonly now: Date;
  /** The reader can send an authorisation now. */
  readonly onlineCapable: boolean;
  /** The reader has a contact interface (for Try Another Interface). */
  readonly contactInterface: boolean;
}

/** The kernel's outcome before Entry Point's online step. */
export interface Kernel3Result {
  readonly outcome: OutcomeKind;
  readonly seePhone: boolean;
  readonly cryptogram: CryptogramType | null;
  readonly cvm: ContactlessCvm;
  readonly oda: ContactlessOda;
  readonly reason: string | null;
}

const CID_TYPES: readonly CryptogramType[] = ['AAC', 'TC', 'ARQC'];
/** TVR bits Kernel 3 sets (Book 3 Annex C5): DDA failed (fDDA), ICC data missing, expired application. */
const TVR_DDA_FAILED: readonly [number, number] = [0, 0x08];
const TVR_ICC_DATA_MISSING: readonly [number, number] = [0, 0x20];
const TVR_EXPIRED: readonly [number, number] = [1, 0x40];

function setTvr(store: EmvDataStore, [i, m]: readonly [number, number]): void {
  const tvr = (store.get(0x95) ?? new Uint8Array(5)).slice();
  tvr[i] |= m;
  store.setTerminal(0x95, tvr);
}

function result(outcome: OutcomeKind, rest: Partial<Kernel3Result> = {}): Kernel3Result {
  return { outcome, seePhone: false, cryptogram: null, cvm: 'no-cvm', oda: { method: 'none', result: 'not performed' }, reason: null, ...rest };
}

/** PAN (5A) and expiry (5F24) from Track 2 Equivalent Data (57) when the card did not send them (Book C-3 §5.5). */
function fillFromTrack2(store: EmvDataStore): void {
  const t2 = store.getCard(0x57);
  if (!t2) return;
  const [pan, rest = ''] = toHex(t2).split('D');
  if (!store.hasCard(0x5a) && /^\d{12,19}$/.test(pan)) store.replaceCard(0x5a, fromHex(pan.length % 2 ? `${pan}F` : pan));
  if (!store.hasCard(0x5f24) && /^\d{4}/.test(rest)) store.replaceCard(0x5f24, fromHex(`${rest.slice(0, 4)}31`));
}

/** Runs Kernel 3 on the selected application (the final SELECT's FCI is in the store, the terminal data too). */
export async function runKernel3(ctx: Kernel3Context): Promise<Kernel3Result> {
  const { io, store } = ctx;
  const ttq = parseTtq(store.get(0x9f66) ?? new Uint8Array(4));
  const gpo = await kernel3Gpo(io, store);
  if (!gpo.ok) return result(gpo.outcome, { seePhone: gpo.seePhone, reason: `GPO answered ${gpo.sw}` });
  const records = await readRecords(io, store, gpo.afl, gpo.aip, []);
  fillFromTrack2(store);
  for (const tag of [0x9f26, 0x9f36, 0x9f10, 0x57]) {
    if (!store.hasCard(tag)) {
      // Book C-3 §5.4: no cryptogram means a card for the full EMV flow (not Kernel 3): use the contact interface.
      if (tag === 0x9f26 && ctx.contactInterface) return result('try-another-interface', { reason: 'the card answered without a cryptogram (full EMV flow)' });
      throw new EmvError('EMV_MISSING_DATA', 'read-records', `mandatory data object ${tag.toString(16).toUpperCase()} is missing`, { tag: tag.toString(16).toUpperCase() });
    }
  }
  // CID absent: Book C-3 takes the cryptogram as an ARQC (the IAD carries the card's decision).
  const cid = store.getCard(0x9f27)?.[0] ?? 0x80;
  const cryptogram = CID_TYPES[cid >> 6];
  if (!cryptogram) throw new EmvError('EMV_CARD_DATA_INVALID', 'read-records', `CID ${cid.toString(16)} is reserved`);
  const ctq = parseCtq(store.getCard(0x9f6c));
  // CTQ byte 1 b3/b2: the issuer wants cash and cashback on the contact interface (Book C-3 Annex A, 9F6C).
  const type = store.get(0x9c)?.[0];
  if (ctx.contactInterface && ((type === 0x01 && ctq?.switchInterfaceForCash) || (type === 0x09 && ctq?.switchInterfaceForCashback))) {
    return result('try-another-interface', { cryptogram, reason: 'the card wants cash and cashback on the contact interface' });
  }
  if (cryptogram === 'AAC') return result('declined', { cryptogram, reason: 'the card declined (AAC)' });

  // Expiry (Book C-3 §5.6 "Processing Restrictions"): an offline approval of an expired card is declined.
  const expiry = emvDate(store.getCard(0x5f24));
  const expired = expiry === null || expiry < dateNumber(ctx.now);
  if (expired) setTvr(store, TVR_EXPIRED);

  const oda = fdda(ctx, cryptogram, ttq.odaForOnline, records.staticData, records.staticDataValid);
  let outcome: OutcomeKind = cryptogram === 'ARQC' ? 'online-request' : 'approved';
  if (cryptogram === 'TC' && oda.result !== 'ok') {
    // §5.8: an offline approval without a good signature goes online, to contact, or ends declined, as the CTQ says.
    if (ctq?.goOnlineIfOdaFails && ctx.onlineCapable) outcome = 'online-request';
    else if (ctq?.switchInterfaceIfOdaFails && ctx.contactInterface && ttq.contactChip) return result('try-another-interface', { cryptogram, oda, reason: `fDDA ${oda.result}` });
    else return result('declined', { cryptogram, oda, reason: `fDDA ${oda.result}` });
  }
  if (cryptogram === 'TC' && expired) {
    if (ctq?.goOnlineIfExpired && ctx.onlineCapable) outcome = 'online-request';
    else return result('declined', { cryptogram, oda, reason: 'the application is expired' });
  }
  const cvm = chooseCvm(ttq, ctq, outcome === 'online-request' ? 'ARQC' : cryptogram);
  if (!cvm.ok) return result('declined', { cryptogram, oda, reason: cvm.reason });
  store.setTerminal(0x9f34, fromHex(CVM_RESULTS[cvm.cvm]));
  return result(outcome, { cryptogram, oda, cvm: cvm.cvm });
}

/** fDDA when there is something to check: always for a TC, for an ARQC when the TTQ asks and the card signed. */
function fdda(ctx: Kernel3Context, cryptogram: CryptogramType, odaForOnline: boolean, staticData: Uint8Array, staticDataValid: boolean): ContactlessOda {
  const { store } = ctx;
  const sdad = store.getCard(0x9f4b);
  const aipDda = ((store.getCard(0x82)?.[0] ?? 0) & 0x20) !== 0;
  if (cryptogram === 'ARQC' && (!odaForOnline || !sdad)) return { method: 'none', result: 'not performed' };
  const failed = (reason: string, missing = false): ContactlessOda => {
    setTvr(store, TVR_DDA_FAILED);
    if (missing) setTvr(store, TVR_ICC_DATA_MISSING);
    return { method: 'fDDA', result: `failed: ${reason}` };
  };
  if (!aipDda) return failed('AIP_WITHOUT_DDA');
  if (!sdad) return failed('SDAD_MISSING', true);
  if (!staticDataValid) return failed('STATIC_DATA_INVALID');
  const key = iccKeyChain(store, ctx.config, ctx.aid, staticData, ctx.now);
  if (!key.ok) return failed(key.reason, key.reason.endsWith('MISSING'));
  const v = verifyFdda(key.key, sdad, {
    unpredictableNumber: store.get(0x9f37) ?? new Uint8Array(4),
    amount: store.get(0x9f02) ?? new Uint8Array(6),
    currency: store.get(0x5f2a) ?? new Uint8Array(2),
    cardAuthData: store.getCard(0x9f69),
    ctq: store.getCard(0x9f6c),
  });
  if (!v.ok) return failed(v.reason);
  store.setTerminal(0x9f4c, v.idn);
  return { method: 'fDDA', result: 'ok' };
}
