import type { CardChannel } from '../apdu/card-channel.js';
import type { CryptogramType } from '../apdu/command-apdu.js';
import { fromHex, toHex } from '../apdu/hex.js';
import { maskPan } from '../log/redact.js';
import { CardIo, translate, type ApduLogEntry } from './card-io.js';
import { runIssuerScripts, issuerAuthentication, type ScriptResult } from './completion.js';
import { verifyCardholder, type CvmMethod } from './cvm.js';
import { EmvDataStore } from './data-store.js';
import { EmvError, type EmvStep } from './errors.js';
import { defaultActionAnalysis, generateAc, terminalActionAnalysis } from './generate-ac.js';
import { buildIccData } from './icc-data.js';
import { bcdDigits, dateNumber } from './numeric.js';
import { setTransactionData } from './terminal-data.js';
import { performOda, verifyCdaAtGenerateAc, type OdaOutcome } from './oda-step.js';
import { readRecords } from './read-records.js';
import { checkRestrictions } from './restrictions.js';
import { terminalRiskManagement } from './risk.js';
import { selectAndInitiate } from './application.js';
import type { Candidate } from './selection.js';
import { newTsi, newTvr } from './tvr.js';
import type { OnlinePinBlock, OnlineResponse, PinEntry, TerminalConfig, TransactionRequest } from './types.js';

/** Progress of a transaction, for the cashier's screen and the API's payment.progress. */
export type KernelEvent =
  | { readonly type: 'step'; readonly step: EmvStep }
  | { readonly type: 'application-selected'; readonly aid: string; readonly label: string | null; readonly confirmationRequired: boolean }
  | { readonly type: 'pin-entry'; readonly triesLeft?: number }
  | { readonly type: 'authorizing' }
  | { readonly type: 'completing' };

/** The card data the host link needs besides field 55; kept in memory, handed only to `authorize`. */
export interface AuthorizeContext {
  readonly onlinePin: OnlinePinBlock | null;
  readonly maskedPan: string;
  /** PAN digits (5A). */
  readonly pan: string;
  /** PAN sequence number (5F34), 2 digits, when the card has one. */
  readonly panSequenceNumber: string | null;
  /** Expiry as YYMM (from 5F24). */
  readonly expiry: string;
  /** Track 2 equivalent data (57) as digits with D separator, when the card has it. */
  readonly track2: string | null;
}

/** Everything the kernel needs besides the card. */
export interface KernelOptions {
  readonly config: TerminalConfig;
  readonly pin: PinEntry;
  /** The host link; absent means the terminal cannot go online now (Y3/Z3 decisions). */
  readonly authorize?: (iccData: Uint8Array, context: AuthorizeContext) => Promise<OnlineResponse>;
  readonly now: () => Date;
  /** Random bytes (unpredictable number 9F37) and a number 1..99 (random selection): injected for tests. */
  readonly randomBytes: (n: number) => Uint8Array;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: KernelEvent) => void;
  /** The card data once the records are read (for advices of offline approvals); kept in memory by the caller. */
  readonly onCardData?: (card: AuthorizeContext) => void;
  /** Chooses among several candidates (cardholder selection); default: the highest priority. */
  readonly choose?: (candidates: readonly Candidate[]) => Promise<Candidate>;
  readonly interface?: 'contact' | 'contactless';
}

/** How the transaction ended. */
export interface EmvOutcome {
  readonly result: 'approved' | 'declined';
  /** Who decided: the card offline, the host (and the card agreeing), or the card after the host approved. */
  readonly decidedBy: 'card-offline' | 'host' | 'card-after-host' | 'unable-to-go-online';
  /** The final cryptogram type. */
  readonly cryptogram: CryptogramType;
  /** The first GENERATE AC's cryptogram type (ARQC for online transactions). */
  readonly firstCryptogram: CryptogramType;
  /** Authorisation response code (8A): the host's, or Y1/Z1/Y3/Z3. */
  readonly responseCode: string;
  readonly authCode: string | null;
  /** Host approved but the card declined: the host must get a reversal. */
  readonly reversalRequired: boolean;
  readonly tvr: string;
  readonly tsi: string;
  readonly cvm: CvmMethod;
  readonly cvmResults: string;
  readonly oda: OdaOutcome['method'];
  readonly odaResult: string;
  readonly aid: string;
  readonly label: string | null;
  readonly maskedPan: string;
  readonly expiry: string | null;
  readonly panSequenceNumber: string | null;
  /** Field 55 of the final cryptogram (for advices and reversals), hex. */
  readonly iccData: string;
  readonly issuerScriptResults: string | null;
  readonly steps: EmvStep[];
  readonly apduLog: ApduLogEntry[];
}


/** Runs one EMV transaction on the card (EMV Books 1–4, contact; the contactless read path via the PPSE). */
export class EmvKernel {
  private readonly steps: EmvStep[] = [];

  /** Binds the kernel to its options; a kernel runs one transaction. */
  constructor(private readonly options: KernelOptions) {}

  /** Runs the transaction; rejects with an EmvError naming the step when it cannot finish. */
  async run(channel: CardChannel, request: TransactionRequest): Promise<EmvOutcome> {
    const io = new CardIo(channel, this.options.signal);
    let step: EmvStep = 'selection';
    const enter = (s: EmvStep): void => {
      step = s;
      this.steps.push(s);
      this.options.onEvent?.({ type: 'step', step: s });
      io.checkCancelled(s);
    };
    try {
      return await this.transaction(io, request, enter);
    } catch (err) {
      throw translate(step, err);
    }
  }

  private async transaction(io: CardIo, request: TransactionRequest, enter: (s: EmvStep) => void): Promise<EmvOutcome> {
    const { config } = this.options;
    if (config.applications.length === 0) throw new EmvError('EMV_CONFIG_INVALID', 'selection', 'the terminal configuration lists no application');
    const store = new EmvDataStore();
    const tvr = newTvr();
    const tsi = newTsi();
    this.initTerminalData(store, request, tvr.bytes, tsi.bytes);

    enter('selection');
    const initiated = await selectAndInitiate(io, store, config, this.options.interface === 'contactless', {
      ...(this.options.choose ? { choose: this.options.choose } : {}),
      onSelected: (c) => this.options.onEvent?.({ type: 'application-selected', aid: c.aid, label: c.label, confirmationRequired: c.confirmationRequired }),
      onStep: (s) => enter(s),
    });
    const gpo = initiated;
    const chosen = initiated.chosen;
    const app = chosen.config;

    enter('read-records');
    const records = await readRecords(io, store, gpo.afl, gpo.aip);
    this.options.onCardData?.(authorizeContext(store, null));

    enter('oda');
    const oda = await performOda({ store, tvr, tsi, aip: gpo.aip, records, config, aid: chosen.aid, now: this.options.now(), io, defaultDdol: app.defaultDdol, pdolData: gpo.pdolData });

    enter('restrictions');
    checkRestrictions(store, tvr, { type: request.type, terminalCountry: config.countryCode, terminalVersion: app.applicationVersion, today: dateNumber(this.options.now()) });

    enter('cvm');
    const cvm = await verifyCardholder({
      io,
      store,
      tvr,
      tsi,
      request,
      capabilities: fromHex(config.capabilities),
      pin: this.options.pin,
      iccPinKey: oda.iccKey,
      onPinPrompt: (triesLeft) => this.options.onEvent?.({ type: 'pin-entry', ...(triesLeft === undefined ? {} : { triesLeft }) }),
    });
    store.setTerminal(0x9f34, cvm.results);

    enter('risk');
    // Book 3 §10.6: performed when the AIP asks for it.
    if ((gpo.aip[0] & 0x08) !== 0) await terminalRiskManagement(io, store, tvr, tsi, app, request.amount, () => 1 + (this.options.randomBytes(1)[0] % 99));
    if (request.forceOnline) tvr.set('merchantForcedOnline');

    enter('action-analysis');
    const iac = { denial: store.getCard(0x9f0e), online: store.getCard(0x9f0f), default: store.getCard(0x9f0d) };
    let requested = terminalActionAnalysis(tvr.bytes, iac, { denial: app.tacDenial, online: app.tacOnline, default: app.tacDefault }, config.onlineCapable);
    // A refund is not a card-authorised debit: the card is asked for an AAC and the host decides (Book 4 §6.3.7 note).
    if (request.type === 'refund') requested = 'AAC';

    enter('first-generate-ac');
    tsi.set('cardRiskManagementPerformed');
    // CDA is requested only with a recovered ICC key: after an earlier CDA failure the TVR bit decides (Book 2 §6.6).
    const cda = oda.method === 'CDA' && oda.iccKey !== null;
    const first = await generateAc(io, store, 'first-generate-ac', requested, 0x8c, cda);
    let firstType = first.type;
    if (cda && first.type !== 'AAC') firstType = verifyCdaAtGenerateAc(oda, first, store, tvr) ? first.type : 'AAC';

    const base = { oda, cvm, chosen, store, tvr, tsi, io, firstType };
    if (request.type === 'refund') return this.refund(base, enter);
    if (firstType !== 'ARQC') {
      const approved = firstType === 'TC';
      return this.outcome(base, approved ? 'approved' : 'declined', 'card-offline', firstType, approved ? 'Y1' : 'Z1', null, false, null);
    }
    return this.online(base, enter);
  }

  /** Refunds: the card gave its AAC; the host alone approves, and no second GENERATE AC follows. */
  private async refund(base: Base, enter: (s: EmvStep) => void): Promise<EmvOutcome> {
    enter('online');
    this.options.onEvent?.({ type: 'authorizing' });
    const r: OnlineResponse = this.options.authorize ? await this.options.authorize(buildIccData(base.store), authorizeContext(base.store, base.cvm.onlinePin)) : { outcome: 'unable' };
    const approved = r.outcome === 'approved';
    const decidedBy = r.outcome === 'unable' ? 'unable-to-go-online' : 'host';
    return this.outcome(base, approved ? 'approved' : 'declined', decidedBy, 'AAC', r.responseCode ?? (approved ? '00' : 'Z3'), r.authCode ?? null, false, null);
  }

  private async online(base: Base, enter: (s: EmvStep) => void): Promise<EmvOutcome> {
    const { store, tvr, tsi, io, cvm, chosen } = base;
    enter('online');
    this.options.onEvent?.({ type: 'authorizing' });
    const response: OnlineResponse = this.options.authorize
      ? await this.options.authorize(buildIccData(store), authorizeContext(store, cvm.onlinePin))
      : { outcome: 'unable' };
    this.options.onEvent?.({ type: 'completing' });
    let arc: string;
    let want: CryptogramType;
    if (response.outcome === 'unable') {
      want = defaultActionAnalysis(tvr.bytes, store.getCard(0x9f0d), chosen.config.tacDefault);
      arc = want === 'TC' ? 'Y3' : 'Z3';
    } else {
      arc = response.responseCode ?? (response.outcome === 'approved' ? '00' : '05');
      want = response.outcome === 'approved' ? 'TC' : 'AAC';
    }
    store.setTerminal(0x8a, new TextEncoder().encode(arc.padEnd(2, ' ').slice(0, 2)));
    const scripts = (response.scripts ?? []).map((h) => fromHex(h));
    const before = scripts.filter((s) => s[0] === 0x71);
    const after = scripts.filter((s) => s[0] === 0x72);
    const hostApproved = response.outcome === 'approved';
    try {
      enter('issuer-authentication');
      await issuerAuthentication(io, store, tvr, tsi, response.issuerAuthenticationData ? fromHex(response.issuerAuthenticationData) : null);
      enter('scripts');
      const scriptResults: ScriptResult[] = await runIssuerScripts(io, before, tvr, tsi, 'before');
      enter('second-generate-ac');
      const second = await generateAc(io, store, 'second-generate-ac', want, 0x8d, base.oda.method === 'CDA' && base.oda.iccKey !== null);
      let finalType = second.type;
      if (base.oda.method === 'CDA' && base.oda.iccKey !== null && second.type === 'TC' && !verifyCdaAtGenerateAc(base.oda, second, store, tvr)) finalType = 'AAC';
      // Book 3 §10.10: a script after the final GENERATE AC cannot change the outcome, even if the card is pulled
      // during it; failures only set the TVR bit and show in 9F5B.
      scriptResults.push(...(await runIssuerScripts(io, after, tvr, tsi, 'after')));
      const approved = finalType === 'TC';
      const decidedBy = response.outcome === 'unable' ? 'unable-to-go-online' : approved || !hostApproved ? 'host' : 'card-after-host';
      const results = scriptResults.length ? toHex(Uint8Array.from(scriptResults.flatMap((r) => [...r]))) : null;
      return this.outcome(base, approved ? 'approved' : 'declined', decidedBy, finalType, arc, response.authCode ?? null, hostApproved && !approved, results);
    } catch (err) {
      const e = translate('second-generate-ac', err);
      // After a host approval the sale is open at the issuer: whoever catches this must reverse it.
      throw hostApproved ? new EmvError(e.code, e.step, e.message, { ...e.details, hostApproved: true, authCode: response.authCode ?? null }, e) : e;
    }
  }

  private outcome(b: Base, result: 'approved' | 'declined', decidedBy: EmvOutcome['decidedBy'], cryptogram: CryptogramType, arc: string, authCode: string | null, reversalRequired: boolean, scripts: string | null): EmvOutcome {
    const { store, tvr, tsi, io, cvm, chosen, oda } = b;
    if (arc.length === 2 && !store.get(0x8a)) store.setTerminal(0x8a, new TextEncoder().encode(arc));
    const pan = bcdDigits(store.getCard(0x5a) ?? new Uint8Array(0)) ?? '';
    const expiry = bcdDigits(store.getCard(0x5f24) ?? new Uint8Array(0));
    const psn = store.getCard(0x5f34);
    return {
      result,
      decidedBy,
      cryptogram,
      firstCryptogram: b.firstType,
      responseCode: arc,
      authCode,
      reversalRequired,
      tvr: tvr.toHex(),
      tsi: tsi.toHex(),
      cvm: cvm.method,
      cvmResults: toHex(cvm.results),
      oda: oda.method,
      odaResult: oda.result.startsWith('pending') ? 'not checked (no CDA signature requested)' : oda.result,
      aid: chosen.aid,
      label: chosen.label,
      maskedPan: maskPan(pan),
      expiry: expiry && expiry.length === 6 ? `20${expiry.slice(0, 2)}-${expiry.slice(2, 4)}` : null,
      panSequenceNumber: psn ? toHex(psn) : null,
      iccData: toHex(buildIccData(store)),
      issuerScriptResults: scripts,
      steps: [...this.steps],
      apduLog: io.log,
    };
  }

  private initTerminalData(store: EmvDataStore, req: TransactionRequest, tvr: Uint8Array, tsi: Uint8Array): void {
    const { config } = this.options;
    setTransactionData(store, config, req, this.options.now(), this.options.randomBytes(4));
    store.setTerminal(0x9f66, fromHex(config.ttq));
    store.setTerminal(0x95, tvr);
    store.setTerminal(0x9b, tsi);
  }
}

interface Base {
  readonly oda: OdaOutcome;
  readonly cvm: Awaited<ReturnType<typeof verifyCardholder>>;
  readonly chosen: Candidate;
  readonly store: EmvDataStore;
  readonly tvr: ReturnType<typeof newTvr>;
  readonly tsi: ReturnType<typeof newTsi>;
  readonly io: CardIo;
  readonly firstType: CryptogramType;
}

/** The card data for the host link, from the card's records. */
export function authorizeContext(store: EmvDataStore, onlinePin: OnlinePinBlock | null): AuthorizeContext {
  const pan = bcdDigits(store.getCard(0x5a) ?? new Uint8Array(0)) ?? '';
  const expiry = bcdDigits(store.getCard(0x5f24) ?? new Uint8Array(0)) ?? '';
  const psn = store.getCard(0x5f34);
  const t2 = store.getCard(0x57);
  return {
    onlinePin,
    maskedPan: maskPan(pan),
    pan,
    panSequenceNumber: psn ? toHex(psn) : null,
    expiry: expiry.slice(0, 4),
    track2: t2 ? toHex(t2).replace(/F$/, '') : null,
  };
}
