// Entry Point (EMV Contactless Book B): pre-processing (§3.1), combination selection from the PPSE (§3.3), kernel
// activation (§3.4) and outcome processing (§3.5) — with Kernel 2 (Mastercard) and Kernel 3 (and 7) as the kernels. A card that stops
// answering or is pulled before the card read completes ends in Try Again (Book A §6.2: restart at B), never a hang:
// every exchange is bounded by the channel's timeout.
import type { CardChannel } from '../../apdu/card-channel.js';
import { CommandApdu } from '../../apdu/command-apdu.js';
import { fromHex, toHex } from '../../apdu/hex.js';
import { findTlv } from '../../apdu/tlv.js';
import { ReaderError } from '../../drivers/pcsc/errors.js';
import { CardIo, translate } from '../card-io.js';
import { EmvDataStore } from '../data-store.js';
import { EmvError } from '../errors.js';
import { bestCandidate, ppseCandidates, type ContactlessCandidate } from './candidates.js';
import { runKernel2, type Kernel2Result } from './kernel2/kernel2.js';
import { runKernel3, type Kernel3Result } from './kernel3/kernel3.js';
import { ui } from './outcome.js';
import { preProcessAll } from './pre-processing.js';
import { finish, onlineStep, type Ended } from './results.js';
import { setTerminalData } from './terminal-data.js';
import type { ContactlessOptions, ContactlessOutcome, ContactlessRequest } from './types.js';

/** TTQ byte 1 b3 "online PIN supported": cleared when the reader has no way to take a PIN now. */
const TTQ1_ONLINE_PIN = 0x04;

/** Final SELECT of a candidate (Book B §3.3.3.4); its FCI goes to the store. False when the card refuses it. */
async function finalSelect(io: CardIo, store: EmvDataStore, c: ContactlessCandidate): Promise<boolean> {
  const r = await io.send('selection', CommandApdu.select(fromHex(c.aid)));
  if (!r.isOk) return false;
  const fci = io.decode('selection', r.data);
  const df = findTlv(fci, 0x84);
  if (!df || toHex(df.value) !== c.aid) throw new EmvError('EMV_CARD_DATA_INVALID', 'selection', `FCI DF name ${df ? toHex(df.value) : 'missing'} does not match ${c.aid}`);
  store.replaceCard(0x84, df.value);
  store.setTerminal(0x4f, df.value);
  for (const tag of [0x50, 0x87, 0x9f38, 0x5f2d, 0x9f11, 0x9f12]) {
    const n = findTlv(fci, tag);
    if (n) store.replaceCard(tag, n.value);
  }
  return true;
}

/**
 * One tap: Entry Point and Kernel 2, 3 or 7 on the card behind `channel`, then (online request) the host through
 * `options.authorize`. Resolves with the outcome for every card behaviour; rejects only with EMV_CANCELLED (the
 * signal), EMV_CONFIG_INVALID, EMV_READER_FAILED for a failure that is not the reader's, or what `authorize` and
 * `onlinePin` throw. On Try Again, wait for the card and call again (Book B §3.2, start B: pre-processing gives
 * the same results for the same amount).
 */
export async function runContactless(channel: CardChannel, request: ContactlessRequest, options: ContactlessOptions): Promise<ContactlessOutcome> {
  const io = new CardIo(channel, options.signal);
  const pre = preProcessAll(options.contactless.combinations, request);
  const base = { io, options, request };
  // §3.1.1.13: no combination allows this amount contactless.
  if (pre.allNotAllowed) return finish(base, { outcome: 'try-another-interface', kernel: null, reason: 'contactless not allowed for this amount (pre-processing)' });
  options.onEvent?.({ type: 'ui', ui: ui('processing', 'processing') });
  let kernel: Ended['kernel'] = null;
  let online: Ended;
  try {
    const ppse = await ppseCandidates(io, pre.results.filter((r) => !r.notAllowed));
    if (!ppse.ok) return finish(base, { outcome: 'end-application', kernel: null, reason: ppse.reason });
    let candidates = ppse.candidates;
    for (;;) {
      const chosen = bestCandidate(candidates);
      // §3.3.2.7 / §3.3.3.2: nothing (left) to select.
      if (!chosen) return finish(base, { outcome: 'end-application', kernel, reason: 'no application supported by both card and reader' });
      candidates = candidates.filter((c) => c !== chosen);
      const store = new EmvDataStore();
      if (!(await finalSelect(io, store, chosen))) continue;
      kernel = chosen.combination.combination.kernelId;
      options.onEvent?.({ type: 'selected', aid: chosen.aid, kernelId: kernel, label: chosen.label });
      const ttq = kernel === 2 ? null : chosen.combination.ttq.slice();
      if (ttq && !options.onlinePin) ttq[0] &= ~TTQ1_ONLINE_PIN & 0xff;
      setTerminalData(store, options.terminal, request, ttq, options.now(), options.randomBytes(4));
      store.setTerminal(0x9f09, fromHex(options.terminal.applications.find((a) => chosen.aid.startsWith(a.aid))?.applicationVersion ?? '0000'));
      const shared = { io, store, config: options.terminal, aid: chosen.aid, now: options.now(), onlineCapable: options.authorize !== undefined };
      const k: Kernel2Result | Kernel3Result =
        kernel === 2
          ? await runKernel2({ ...shared, request, combination: chosen.combination, onlinePinCapable: options.onlinePin !== undefined })
          : await runKernel3({ ...shared, contactInterface: options.contactless.contactInterface });
      // Book B §3.5.1.2: Select Next removes the candidate and selects again (start C).
      if (k.outcome === 'select-next') continue;
      const ended: Ended = { ...k, kernel, store, candidate: chosen, ...(ttq ? { ttq } : {}) };
      if (k.outcome !== 'online-request') return finish(base, ended);
      online = ended;
      break;
    }
  } catch (err) {
    const e = translate('selection', err);
    if (e.code === 'EMV_CANCELLED' || e.code === 'EMV_CONFIG_INVALID') throw e;
    // Book A §6.2 / Book C-3: a communication error (card removed, mute, timeout) before the read completed. Only
    // the reader's errors count: anything else (a bug) is no reason to ask for the card again.
    if (e.code === 'EMV_CARD_REMOVED' || (e.code === 'EMV_READER_FAILED' && e.cause instanceof ReaderError)) return finish(base, { outcome: 'try-again', kernel, reason: e.message });
    if (e.code === 'EMV_READER_FAILED') throw e;
    return finish(base, { outcome: 'end-application', kernel, reason: `${e.code}: ${e.message}` });
  }
  // The card read is complete: the cardholder may take the card away while the host decides (Book A §7). Host
  // and PIN pad failures are not card failures: they reject as `authorize` and `onlinePin` do, never Try Again.
  options.onEvent?.({ type: 'ui', ui: ui('card-read-remove-card', 'card-read-successfully') });
  return onlineStep(base, online);
}
