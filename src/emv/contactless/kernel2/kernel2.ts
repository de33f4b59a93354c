// Kernel 2 (EMV Contactless Book C-2, Mastercard M/Chip contactless), EMV mode: GPO with the PDOL data, READ
// RECORD over the AFL, processing restrictions, CVM selection, the floor limit, terminal action analysis, then one
// GENERATE AC (CDOL1) with CDA requested when card and reader support it, and the SDAD checked. The cryptogram
// gives the kernel's outcome: TC approved, ARQC online request, AAC declined. Not done: mag-stripe mode, relay
// resistance, IDS (data storage), torn-transaction recovery (docs/emv.md).
import type { CryptogramType } from '../../../apdu/command-apdu.js';
import { fromHex } from '../../../apdu/hex.js';
import type { CardIo } from '../../card-io.js';
import type { EmvDataStore } from '../../data-store.js';
import { generateAc, terminalActionAnalysis } from '../../generate-ac.js';
import { readRecords } from '../../read-records.js';
import { checkRestrictions } from '../../restrictions.js';
import { newTvr, type BitField, type TvrBit } from '../../tvr.js';
import type { AidConfig, TerminalConfig } from '../../types.js';
import { dateNumber } from '../../numeric.js';
import { kernel3Gpo } from '../kernel3/gpo.js';
import type { PreProcessed } from '../pre-processing.js';
import type { ContactlessCvm, ContactlessOda, ContactlessRequest, OutcomeKind } from '../types.js';
import { checkCda, planCda } from './cda.js';
import { cvmCapability, KERNEL2_DEFAULTS } from './config.js';
import { selectKernel2Cvm } from './cvm.js';

/** What Kernel 2 needs besides the card. */
export interface Kernel2Context {
  readonly io: CardIo;
  readonly store: EmvDataStore;
  readonly config: TerminalConfig;
  /** The selected ADF name, hex. */
  readonly aid: string;
  readonly now: Date;
  readonly request: ContactlessRequest;
  /** Entry Point's pre-processing of the combination (limits, indicators). */
  readonly combination: PreProcessed;
  /** The reader can send an authorisation now. */
  readonly onlineCapable: boolean;
  /** The reader can take an online PIN now (a PIN pad). */
  readonly onlinePinCapable: boolean;
}

/** The kernel's outcome before Entry Point's online step (the shape Kernel 3 returns). */
export interface Kernel2Result {
  readonly outcome: OutcomeKind;
  readonly seePhone: boolean;
  readonly cryptogram: CryptogramType | null;
  readonly cvm: ContactlessCvm;
  readonly oda: ContactlessOda;
  readonly reason: string | null;
}

/** Data objects Kernel 2 cannot go on without after the records (Book C-2 Annex A: PAN, expiry, CDOL1). */
const MANDATORY = [0x5a, 0x5f24, 0x8c];
/** AIP byte 2 b8: "EMV mode is supported" (else the card offers mag-stripe mode only). */
const AIP2_EMV_MODE = 0x80;

function result(outcome: OutcomeKind, rest: Partial<Kernel2Result> = {}): Kernel2Result {
  return { outcome, seePhone: false, cryptogram: null, cvm: 'no-cvm', oda: { method: 'none', result: 'not performed' }, reason: null, ...rest };
}

/** Terminal action analysis (Book 3 §10.7 as Book C-2 uses it): IACs and the AID's TACs; a status check or zero amount asks ARQC. */
function actionAnalysis(ctx: Kernel2Context, tvr: BitField<TvrBit>, app: AidConfig | undefined): CryptogramType {
  const { store } = ctx;
  const zeros = '0000000000';
  const tac = app ? { denial: app.tacDenial, online: app.tacOnline, default: app.tacDefault } : { denial: zeros, online: zeros, default: zeros };
  const iac = { denial: store.getCard(0x9f0e), online: store.getCard(0x9f0f), default: store.getCard(0x9f0d) };
  const requested = terminalActionAnalysis(tvr.bytes, iac, tac, ctx.onlineCapable);
  // Book B §3.1.1.10-11: a status check or an allowed zero amount wants an online cryptogram.
  const online = ctx.combination.statusCheckRequested || ctx.combination.zeroAmount;
  return requested === 'TC' && ctx.onlineCapable && online ? 'ARQC' : requested;
}

/** Runs Kernel 2 on the selected application (the final SELECT's FCI and the terminal data are in the store). */
export async function runKernel2(ctx: Kernel2Context): Promise<Kernel2Result> {
  const { io, store, request } = ctx;
  const k2 = ctx.combination.combination.kernel2 ?? KERNEL2_DEFAULTS;
  const gpo = await kernel3Gpo(io, store);
  if (!gpo.ok) return result(gpo.outcome, { seePhone: gpo.seePhone, reason: `GPO answered ${gpo.sw}` });
  if ((gpo.aip[1] & AIP2_EMV_MODE) === 0) return result('end-application', { reason: 'the card offers mag-stripe mode only (not implemented)' });
  const records = await readRecords(io, store, gpo.afl, gpo.aip, MANDATORY);
  const tvr = newTvr();
  const app = ctx.config.applications.find((a) => ctx.aid.startsWith(a.aid));
  checkRestrictions(store, tvr, { type: request.type, terminalCountry: ctx.config.countryCode, terminalVersion: app?.applicationVersion ?? '0002', today: dateNumber(ctx.now) });
  const plan = planCda(store, tvr, ctx.config, ctx.aid, records, ctx.now);

  // CVM Selection (Book C-2): it compares "above" the Reader CVM Required Limit; 9F33 byte 2 is the CVM capability.
  const limit = ctx.combination.combination.cvmRequiredLimit;
  const cvmRequired = limit !== null && request.amount > limit;
  const capability = cvmCapability(k2, cvmRequired, ctx.onlinePinCapable);
  const caps = fromHex(ctx.config.capabilities);
  caps[1] = capability;
  store.setTerminal(0x9f33, caps);
  const cvm = selectKernel2Cvm({ aip: gpo.aip, cvmList: store.getCard(0x8e), appCurrency: store.getCard(0x9f42), request, cvmRequired, capability, onDeviceCvm: k2.onDeviceCvm });
  for (const bit of cvm.tvr) tvr.set(bit);
  store.setTerminal(0x9f34, cvm.results);

  // Terminal risk management (Book C-2: the Reader Contactless Floor Limit), then terminal action analysis.
  if (ctx.combination.floorLimitExceeded) tvr.set('floorLimitExceeded');
  const requested = actionAnalysis(ctx, tvr, app);
  store.setTerminal(0x95, tvr.bytes.slice());

  // CDA asked for (P1 b5) when the ICC key is there and the request is not an AAC.
  const key = requested !== 'AAC' ? plan.key : null;
  const gac = await generateAc(io, store, 'first-generate-ac', requested, 0x8c, key !== null);
  const signed = key !== null && gac.type !== 'AAC';
  const oda: ContactlessOda = signed ? checkCda(store, tvr, key, gac, gpo.pdolData) : key ? { method: 'CDA', result: 'not performed (AAC)' } : plan.oda;
  store.setTerminal(0x95, tvr.bytes.slice());
  const rest = { cryptogram: gac.type, oda, cvm: cvm.cvm };
  if (gac.type === 'AAC') return result('declined', { ...rest, reason: 'the card declined (AAC)' });
  // Book 2 §6.6.2: a TC or ARQC whose signature fails is not accepted (as the contact kernel takes it for an AAC);
  // a CDA that failed before GENERATE AC was terminal action analysis's to weigh (TVR "CDA failed").
  if (signed && oda.result !== 'ok') return result('declined', { ...rest, reason: `CDA ${oda.result}` });
  if (gac.type === 'ARQC') return result('online-request', rest);
  // An offline approval needs no online PIN: the card gave a TC although online PIN was the CVM (our rule: declined).
  if (cvm.cvm === 'online-pin') return result('declined', { ...rest, reason: 'online PIN needs an online authorisation' });
  return result('approved', rest);
}
