import type { CardIo } from './card-io.js';
import type { EmvDataStore } from './data-store.js';
import { EmvError } from './errors.js';
import { finalSelect, getProcessingOptions, type AflEntry } from './initiate.js';
import { candidatesFromAidList, candidatesFromPpse, candidatesFromPse, orderCandidates, type Candidate } from './selection.js';
import { fromHex } from '../apdu/hex.js';
import type { TerminalConfig } from './types.js';

/** The application chosen and initiated: the candidates seen, the choice, the GPO result. */
export interface InitiatedApplication {
  readonly candidates: readonly Candidate[];
  readonly chosen: Candidate;
  readonly aip: Uint8Array;
  readonly afl: AflEntry[];
  readonly pdolData: Uint8Array;
}

/** Hooks into selection: the cardholder's choice, progress, the step switch back to selection. */
export interface SelectionHooks {
  readonly choose?: (candidates: readonly Candidate[]) => Promise<Candidate>;
  readonly onSelected?: (c: Candidate) => void;
  readonly onStep?: (step: 'selection' | 'initiate') => void;
}

/**
 * Application selection and initiation (EMV Book 1 §12, Book 3 §10.1): candidates from the PPSE (contactless),
 * else the PSE, else the list of AIDs; the highest priority (or the cardholder's choice) is selected and GPO sent;
 * an application refusing GPO with 6985 is dropped and the next candidate tried.
 */
export async function selectAndInitiate(
  io: CardIo,
  store: EmvDataStore,
  config: TerminalConfig,
  contactless: boolean,
  hooks: SelectionHooks = {},
): Promise<InitiatedApplication> {
  // Book 1 §12.3.2: a PSE that is absent, unusable or lists nothing the terminal supports sends us to the list of AIDs.
  const fromPse = !contactless && config.usePse ? await candidatesFromPse(io, config.applications) : null;
  const found = contactless
    ? await candidatesFromPpse(io, config.applications)
    : fromPse && fromPse.length > 0
      ? fromPse
      : await candidatesFromAidList(io, config.applications);
  const all = orderCandidates(found);
  let remaining = all;
  for (;;) {
    if (remaining.length === 0) throw new EmvError('EMV_NO_APPLICATION', 'selection', 'no application supported by both card and terminal');
    const chosen = remaining.length > 1 && hooks.choose ? await hooks.choose(remaining) : remaining[0];
    remaining = remaining.filter((c) => c !== chosen);
    hooks.onSelected?.(chosen);
    store.clearCard();
    if (!(await finalSelect(io, store, chosen))) continue;
    store.setTerminal(0x9f09, fromHex(chosen.config.applicationVersion));
    hooks.onStep?.('initiate');
    const r = await getProcessingOptions(io, store);
    if (r.ok) return { candidates: all, chosen, aip: r.aip, afl: r.afl, pdolData: r.pdolData };
    hooks.onStep?.('selection'); // 6985: this application cannot do this transaction; try the next candidate
  }
}
