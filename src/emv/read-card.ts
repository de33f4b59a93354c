import type { CardChannel } from '../apdu/card-channel.js';
import { CommandApdu } from '../apdu/command-apdu.js';
import { fromHex, toHex } from '../apdu/hex.js';
import { maskPan } from '../log/redact.js';
import { selectAndInitiate } from './application.js';
import { CardIo, translate, type ApduLogEntry } from './card-io.js';
import { EmvDataStore } from './data-store.js';
import { describeAip, describeAuc, describeCvmList, type CvRule } from './describe.js';
import type { EmvStep } from './errors.js';
import { bcdDigits, numericBytes, transactionDate } from './numeric.js';
import { performOda } from './oda-step.js';
import { readRecords } from './read-records.js';
import { newTsi, newTvr } from './tvr.js';
import type { TerminalConfig } from './types.js';

/** What `posbridge emv read` shows: the card's applications and the selected one's public data, PAN masked. */
export interface CardReport {
  readonly applications: { aid: string; label: string | null; priority: number | null }[];
  readonly selected: {
    readonly aid: string;
    readonly label: string | null;
    readonly pan: string;
    readonly expiry: string | null;
    readonly panSequenceNumber: string | null;
    readonly aip: Record<string, boolean>;
    readonly auc: Record<string, boolean> | null;
    readonly cvmList: CvRule[];
    readonly oda: 'SDA' | 'DDA' | 'CDA' | 'none';
    readonly odaResult: string;
    readonly pinTriesLeft: number | null;
  };
  readonly apduLog: ApduLogEntry[];
}

/**
 * Reads a card without a transaction: selection, GPO (amount 0), records, offline data authentication and the PIN
 * try counter. Nothing is written to the card except what GPO itself counts (no GENERATE AC).
 */
export async function readCard(channel: CardChannel, config: TerminalConfig, now: Date, random: (n: number) => Uint8Array, contactless = false): Promise<CardReport> {
  const io = new CardIo(channel);
  const store = new EmvDataStore();
  const tvr = newTvr();
  const tsi = newTsi();
  for (const [tag, v] of [
    [0x9f02, numericBytes(0, 6)],
    [0x9f03, numericBytes(0, 6)],
    [0x9a, transactionDate(now)],
    [0x9c, Uint8Array.of(0)],
    [0x9f37, random(4)],
    [0x9f35, Uint8Array.of(config.terminalType)],
    [0x9f33, fromHex(config.capabilities)],
    [0x9f1a, numericBytes(config.countryCode, 2)],
    [0x9f66, fromHex(config.ttq)],
    [0x95, tvr.bytes],
  ] as const) {
    store.setTerminal(tag, v);
  }
  let step: EmvStep = 'selection';
  try {
    const app = await selectAndInitiate(io, store, config, contactless, { onStep: (s) => (step = s) });
    step = 'read-records';
    const records = await readRecords(io, store, app.afl, app.aip);
    step = 'oda';
    const oda = await performOda({ store, tvr, tsi, aip: app.aip, records, config, aid: app.chosen.aid, now, io, defaultDdol: app.chosen.config.defaultDdol, pdolData: app.pdolData });
    step = 'cvm';
    const ptc = await io.send('cvm', CommandApdu.getData(0x9f17));
    const tries = ptc.isOk && ptc.data.length >= 4 ? ptc.data[3] : null;
    const expiry = bcdDigits(store.getCard(0x5f24) ?? new Uint8Array(0));
    const psn = store.getCard(0x5f34);
    const auc = store.getCard(0x9f07);
    return {
      applications: app.candidates.map((c) => ({ aid: c.aid, label: c.label, priority: c.priority })),
      selected: {
        aid: app.chosen.aid,
        label: app.chosen.label,
        pan: maskPan(bcdDigits(store.getCard(0x5a) ?? new Uint8Array(0)) ?? ''),
        expiry: expiry && expiry.length === 6 ? `20${expiry.slice(0, 2)}-${expiry.slice(2, 4)}` : null,
        panSequenceNumber: psn ? toHex(psn) : null,
        aip: describeAip(app.aip),
        auc: auc ? describeAuc(auc) : null,
        cvmList: describeCvmList(store.getCard(0x8e) ?? new Uint8Array(0)).rules,
        oda: oda.method,
        odaResult: oda.method === 'CDA' && oda.result.startsWith('pending') ? 'ok (keys recovered; the signature comes with GENERATE AC)' : oda.result,
        pinTriesLeft: tries,
      },
      apduLog: io.log,
    };
  } catch (err) {
    throw translate(step, err);
  }
}
