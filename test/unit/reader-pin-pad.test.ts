// ReaderPinPad (PC/SC part 10 secure PIN entry) under the EMV kernel, on the in-process reader emulating a class-3
// reader with the visa-sda-pse card (offline plaintext PIN 1234, PIN try limit 3). The keypad (the cardholder) is
// given to the emulated reader only; the pad sees control codes and status words, and the kernel runs inside the
// connection's transaction as PaymentFlow runs it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../src/apdu/hex.js';
import { CombinedPinEntry } from '../../src/drivers/pinpad/combined-pin-entry.js';
import { detectReaderPinPad, readerNameMatches } from '../../src/drivers/pinpad/reader-pin-pad-detect.js';
import { ReaderPinPadError } from '../../src/drivers/pinpad/reader-pin-pad-errors.js';
import { openReaderThroughDriver, ReaderPinPad, type OpenReaderControl } from '../../src/drivers/pinpad/reader-pin-pad.js';
import type { VerifyPinDirectOptions } from '../../src/drivers/pinpad/pcsc-part10.js';
import { EmvError } from '../../src/emv/errors.js';
import { EmvKernel, type EmvOutcome, type KernelEvent } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import type { OnlineResponse, PinEntry } from '../../src/emv/types.js';
import { getProfile } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import { IssuerKeys } from '../../src/sim/emv/issuer-keys.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import type { ReaderKeypad, ReaderKeypadPrompt, ReaderPinPadEmulatorOptions } from '../../src/sim/pinpad/reader-pin-pad-emulator.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';
import { T0Card } from '../../src/sim/t0-card.js';

const READER = 'Class 3 Reader 0';
const NOW = new Date('2026-03-15T10:00:00Z');
const PROFILE = getProfile('visa-sda-pse');

interface Setup {
  /** What the cardholder types at each prompt (null = cancel key, 'never' = walks away). */
  readonly keys?: readonly (string | null | 'never')[];
  /** Emulated reader options; null for a reader without a keypad. */
  readonly reader?: ReaderPinPadEmulatorOptions | null;
  readonly entry?: VerifyPinDirectOptions;
  /** Aborts the transaction once the keypad has been asked this many times. */
  readonly abortAtPrompt?: number;
}

interface Run {
  readonly outcome: EmvOutcome | null;
  readonly error: unknown;
  readonly events: KernelEvent[];
  readonly prompts: ReaderKeypadPrompt[];
  readonly card: EmvCard;
  /** Every command the card received, hex. */
  readonly cardCommands: string[];
  /** Every control code, request and answer that crossed ReaderPinPad's link, hex. */
  readonly controlTraffic: string[];
}

async function transact(setup: Setup = {}): Promise<Run> {
  const card = new EmvCard(PROFILE);
  const t0 = new T0Card(card);
  const cardCommands: string[] = [];
  const driver = new InProcessReaderDriver([READER]);
  driver.insertCard(READER, { atr: t0.atr, reset: () => t0.reset(), process: (c) => (cardCommands.push(toHex(c)), t0.process(c)) });
  const prompts: ReaderKeypadPrompt[] = [];
  const keys = setup.keys ?? [PROFILE.pin];
  const abort = new AbortController();
  // The cardholder: known to the emulated reader alone.
  const keypad: ReaderKeypad = (prompt) => {
    prompts.push(prompt);
    if (setup.abortAtPrompt === prompts.length) setTimeout(() => abort.abort(), 10);
    const k = keys[Math.min(prompts.length - 1, keys.length - 1)];
    if (k === 'never') return new Promise(() => undefined);
    return Promise.resolve(k);
  };
  if (setup.reader !== null) driver.setPinPad(READER, keypad, { msPerSecond: 20, ...setup.reader });
  const controlTraffic: string[] = [];
  const open = openReaderThroughDriver(driver, READER);
  const recorded: OpenReaderControl = async (ms) => {
    const link = await open(ms);
    return {
      ...link,
      reader: link.reader,
      control: async (code, data) => {
        const answer = await link.control(code, data);
        controlTraffic.push(`${code.toString(16)} ${toHex(data ?? new Uint8Array(0))} → ${toHex(answer)}`);
        return answer;
      },
    };
  };
  const pad = new ReaderPinPad({ open: recorded, entry: { timeoutS: 5, ...setup.entry } });
  const events: KernelEvent[] = [];
  const authorize = async (iccData: Uint8Array): Promise<OnlineResponse> => new IssuerKeys(PROFILE.applications[0]).respond(iccData, { approve: true });
  const kernel = new EmvKernel({
    config: defaultTerminalConfig(simCaKeys()),
    pin: pad,
    authorize,
    now: () => NOW,
    randomBytes: (n) => new Uint8Array(n).fill(0x42),
    signal: abort.signal,
    onEvent: (e) => events.push(e),
  });
  let outcome: EmvOutcome | null = null;
  let error: unknown = null;
  const conn = await driver.connect(READER);
  try {
    outcome = await conn.transaction((ch) => kernel.run(ch, { amount: 1234, currency: '0978', type: 'purchase', sequenceCounter: 1 }));
  } catch (err) {
    error = err;
  } finally {
    await conn.disconnect();
    await driver.close();
  }
  return { outcome, error, events, prompts, card, cardCommands, controlTraffic };
}

function ok(run: Run): EmvOutcome {
  if (!run.outcome) throw run.error instanceof Error ? run.error : new Error(String(run.error));
  return run.outcome;
}

const tvr3 = (o: EmvOutcome): number => Number.parseInt(o.tvr.slice(4, 6), 16);
const verifies = (run: Run): string[] => run.cardCommands.filter((c) => c.startsWith('00200080'));

describe('ReaderPinPad: an EMV transaction with the PIN on the reader keypad', { timeout: 30_000 }, () => {
  test('right PIN: verified, approved; the reader built the format 2 VERIFY; the kernel never sent one', async () => {
    const run = await transact();
    const o = ok(run);
    assert.deepEqual([o.result, o.cvm, o.cvmResults], ['approved', 'offline-pin', '410302']);
    assert.equal(run.prompts.length, 1);
    assert.deepEqual([run.prompts[0].minDigits, run.prompts[0].maxDigits, run.prompts[0].timeoutS], [4, 12, 5]);
    assert.deepEqual(verifies(run), ['0020008008241234FFFFFFFFFF']);
    assert.ok(!o.apduLog.some((e) => e.command.startsWith('00200080')), 'VERIFY is not in the kernel APDU log: it never went through the kernel');
  });

  test('the PIN never crosses the pad: its link carries the FF template and status words only', async () => {
    const run = await transact();
    ok(run);
    const direct = run.controlTraffic.filter((t) => t.includes('0020008008'));
    assert.deepEqual(direct.map((t) => t.split(' → ')[1]), ['9000']);
    assert.ok(direct[0].includes('0020008008' + '20FFFFFFFFFFFFFF'), direct[0]);
    assert.ok(!run.controlTraffic.some((t) => t.includes('1234')), run.controlTraffic.join('\n'));
  });

  test('wrong then right: the kernel asks again with 2 tries left; the right PIN resets the counter', async () => {
    const run = await transact({ keys: ['0000', '1234'] });
    const o = ok(run);
    assert.deepEqual([o.result, o.cvm], ['approved', 'offline-pin']);
    assert.deepEqual(run.events.filter((e) => e.type === 'pin-entry').map((e) => (e.type === 'pin-entry' ? e.triesLeft : -1)), [3, 2]);
    assert.deepEqual(verifies(run), ['0020008008240000FFFFFFFFFF', '0020008008241234FFFFFFFFFF']);
    assert.equal(run.card.application().pinTries, 3);
  });

  test('three wrong PINs: the card answers 63C0, PIN try limit exceeded, signature', async () => {
    const run = await transact({ keys: ['0000'] });
    const o = ok(run);
    assert.equal(run.prompts.length, 3);
    assert.equal(run.card.application().pinTries, 0);
    assert.equal(tvr3(o) & 0x20, 0x20, 'PIN try limit exceeded');
    assert.equal(o.cvm, 'signature');
  });

  test('cancel key: SPE 6401 → the transaction ends EMV_CANCELLED (EMV Book 4: the Cancel key), no VERIFY reaches the card', async () => {
    const run = await transact({ keys: [null] });
    assert.ok(run.error instanceof EmvError, String(run.error));
    assert.equal(run.error.code, 'EMV_CANCELLED');
    assert.match(run.error.message, /cancelled at the PIN prompt/);
    assert.deepEqual(verifies(run), []);
    assert.equal(run.card.application().pinTries, 3);
  });

  test('timeout: the reader gives up after bTimerOut (SPE 6400) → the transaction ends EMV_CANCELLED, no PIN entered', async () => {
    const run = await transact({ keys: ['never'], entry: { timeoutS: 2 } });
    assert.equal(run.prompts[0].timeoutS, 2);
    assert.ok(run.prompts[0].signal.aborted, 'the reader stopped waiting for the keypad');
    assert.ok(run.error instanceof EmvError, String(run.error));
    assert.match(run.error.message, /no PIN was entered in time/);
    assert.ok(run.controlTraffic.some((t) => t.endsWith('→ 6400')));
    assert.deepEqual(verifies(run), []);
  });

  test('transaction cancelled during entry: FEATURE_ABORT ends the entry (6401) and the kernel ends EMV_CANCELLED', async () => {
    const run = await transact({ keys: ['never'], abortAtPrompt: 1, entry: { timeoutS: 200 } });
    assert.ok(run.error instanceof EmvError, String(run.error));
    assert.equal(run.error.code, 'EMV_CANCELLED');
    assert.ok(run.prompts[0].signal.aborted);
    assert.ok(run.controlTraffic.some((t) => t.endsWith('→ 6401')));
    assert.deepEqual(verifies(run), []);
  });

  test('a reader with VERIFY_PIN_START/FINISH only: START, then FINISH returns the card status', async () => {
    const run = await transact({ reader: { verifyDirect: false }, keys: ['0000', '1234'] });
    const o = ok(run);
    assert.deepEqual([o.result, o.cvm], ['approved', 'offline-pin']);
    assert.deepEqual(verifies(run), ['0020008008240000FFFFFFFFFF', '0020008008241234FFFFFFFFFF']);
    assert.deepEqual(run.controlTraffic.filter((t) => !t.includes('0020008008')).map((t) => t.split(' → ')[1]), ['63C2', '9000']);
  });

  test('START/FINISH reader, cancelled: ABORT is sent before FINISH and the entry ends 6401', async () => {
    const run = await transact({ reader: { verifyDirect: false }, keys: ['never'], abortAtPrompt: 1, entry: { timeoutS: 200 } });
    assert.ok(run.error instanceof EmvError && run.error.code === 'EMV_CANCELLED', String(run.error));
    assert.ok(run.controlTraffic.some((t) => t.endsWith('→ 6401')));
  });

  test('a reader without a PIN pad: unavailable → TVR PIN pad not present, signature', async () => {
    const run = await transact({ reader: null });
    const o = ok(run);
    assert.equal(tvr3(o) & 0x10, 0x10);
    assert.equal(o.cvm, 'signature');
    assert.deepEqual(run.controlTraffic, []);
  });
});

describe('ReaderPinPad: what a part 10 reader cannot do', () => {
  test('offline enciphered is unavailable; online PIN is a typed error; CombinedPinEntry routes online PIN elsewhere', async () => {
    const pad = new ReaderPinPad({ open: () => assert.fail('the reader is not opened') });
    const channel = { atr: new Uint8Array(0), protocol: 'T=1' as const, transmit: () => assert.fail('no APDU') };
    assert.deepEqual(await pad.verifyOfflineEnciphered(), { kind: 'unavailable' });
    await assert.rejects(pad.onlinePin(), (e: unknown) => e instanceof ReaderPinPadError && e.code === 'READER_PIN_PAD_NO_ONLINE_PIN');
    const online: PinEntry = new SimulatedPinEntry(async () => '1234');
    const both = new CombinedPinEntry(pad, online);
    const r = await both.onlinePin({ amount: 100, currency: '0978', pan: '4761739001010119' });
    assert.equal(r.kind === 'pin' ? r.pin.format : r.kind, 0);
    assert.deepEqual(await both.verifyOfflineEnciphered(channel, { amount: 1, currency: '0978' }, { modulus: new Uint8Array(0), exponent: new Uint8Array(0) }), { kind: 'unavailable' });
  });

  test('a reader answering 6B80 to the structure is a typed error; a PIN already cancelled opens nothing', async () => {
    const link = { reader: 'R', features: async () => new Map([['VERIFY_PIN_DIRECT', 1]]), control: async () => Uint8Array.of(0x6b, 0x80), disconnect: async () => undefined };
    const pad = new ReaderPinPad({ open: async () => link });
    const channel = { atr: new Uint8Array(0), protocol: 'T=1' as const, transmit: () => assert.fail('no APDU') };
    await assert.rejects(pad.verifyOfflinePlaintext(channel, { amount: 1, currency: '0978' }), (e: unknown) => e instanceof ReaderPinPadError && e.code === 'READER_PIN_PAD_STRUCTURE_REJECTED');
    const empty = new ReaderPinPad({ open: async () => ({ ...link, control: async () => new Uint8Array(1) }) });
    await assert.rejects(empty.verifyOfflinePlaintext(channel, { amount: 1, currency: '0978' }), (e: unknown) => e instanceof ReaderPinPadError && e.code === 'READER_PIN_PAD_ANSWER_INVALID');
    const aborted = new ReaderPinPad({ open: () => assert.fail('opened') });
    assert.deepEqual(await aborted.verifyOfflinePlaintext(channel, { amount: 1, currency: '0978', signal: AbortSignal.abort() }), { kind: 'cancelled' });
  });
});

describe('detectReaderPinPad', () => {
  test('a class-3 in-process reader has a PIN pad (direct, or start-finish); without the option it has none', async () => {
    const driver = new InProcessReaderDriver([READER]);
    driver.insertCard(READER, new T0Card(new EmvCard(PROFILE)));
    const c = await driver.connect(READER);
    assert.deepEqual(await detectReaderPinPad(c, READER, []), { usable: false, reason: 'no-pin-feature', features: [] });
    driver.setPinPad(READER, async () => null);
    const d = await detectReaderPinPad(c, READER, []);
    assert.ok(d.usable && d.mode === 'direct');
    driver.setPinPad(READER, async () => null, { verifyDirect: false });
    const s = await detectReaderPinPad(c, READER, []);
    assert.ok(s.usable && s.mode === 'start-finish');
    await c.disconnect();
    await driver.close();
  });

  test('a denied reader is excluded before its features are read (substring or glob, case-insensitive)', async () => {
    const liar = { features: () => assert.fail('a denied reader is not asked') };
    assert.deepEqual(await detectReaderPinPad(liar, 'ACME PinPad Pro [CCID] 00 00', ['pinpad pro']), { usable: false, reason: 'denied', features: [] });
    assert.deepEqual(await detectReaderPinPad(liar, 'ACME PinPad Pro [CCID] 00 00', ['acme * 00 0?']), { usable: false, reason: 'denied', features: [] });
  });

  test('readerNameMatches: substring, glob on the whole name, regex characters taken literally', () => {
    assert.equal(readerNameMatches('Gemalto', 'Gemalto PC Pinpad 00 00'), true);
    assert.equal(readerNameMatches('gemalto*pinpad', 'Gemalto PC Pinpad 00 00'), false, 'a glob matches the whole name');
    assert.equal(readerNameMatches('gemalto*pinpad*', 'Gemalto PC Pinpad 00 00'), true);
    assert.equal(readerNameMatches('Reader (1)', 'Reader (1) 00'), true);
    assert.equal(readerNameMatches('R.ader*', 'Reader 0'), false, '. is not a wildcard');
    assert.equal(readerNameMatches('', 'Reader 0'), false, 'an empty pattern denies nothing');
  });
});
