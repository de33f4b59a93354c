// The EMV kernel (src/emv/kernel.ts) against every virtual card profile in-process: outcomes, cryptograms, ODA,
// CVM, TVR/TSI bits; PIN retries; issuer scripts; host decline and unreachable host; the card pulled after each
// APDU; a hostile card corrupting each answer. The host is IssuerKeys: it checks the ARQC and returns a real ARPC.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from '../../src/apdu/hex.js';
import { decodeTlv } from '../../src/apdu/tlv.js';
import { EmvError } from '../../src/emv/errors.js';
import { EmvKernel, type EmvOutcome, type KernelEvent, type KernelOptions } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import type { OnlinePinResult, OnlineResponse, PinEntry, PinPrompt, TerminalConfig, TransactionRequest } from '../../src/emv/types.js';
import { getProfile, loadProfiles } from '../../src/sim/emv/catalog.js';
import { EmvCard } from '../../src/sim/emv/emv-card.js';
import { IssuerKeys, type IssuerDecision } from '../../src/sim/emv/issuer-keys.js';
import type { CardProfile } from '../../src/sim/emv/profile-types.js';
import { simCaKeys } from '../../src/sim/emv/sim-keys.js';
import type { FaultOptions } from '../../src/sim/faults.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';
import { T0Card } from '../../src/sim/t0-card.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';

const NOW = new Date('2026-03-15T10:00:00Z');

/** The profiles of this kernel: the qVSDC ones (Kernel 3) and the M/Chip contactless ones (Kernel 2) are the contactless tests'. */
function contactProfiles(): CardProfile[] {
  return loadProfiles().filter((p) => !p.applications.some((a) => a.qvsdc || a.mchip));
}
const READER = 'Reader 0';

/** How one transaction is set up. */
interface Setup {
  /** PINs the cardholder types, in order (the last one repeats); default the profile's PIN. */
  readonly pins?: readonly string[];
  /** The host's decision (default approve); 'unable' for an unreachable host; null for no host link at all. */
  readonly host?: IssuerDecision | 'unable' | null;
  readonly faults?: FaultOptions;
  /** Wraps the card as the reader sees it (T0Card included). */
  readonly wrap?: (card: VirtualCard) => VirtualCard;
  readonly config?: Partial<TerminalConfig>;
  readonly request?: Partial<TransactionRequest>;
  /** An existing card (a second transaction). */
  readonly card?: EmvCard;
  /** Cardholder selection among several applications. */
  readonly choose?: KernelOptions['choose'];
  /** How the PIN port ends an online PIN entry (default: the simulated pad with `pins`). */
  readonly onlinePin?: OnlinePinResult;
}

/** What happened. */
interface Run {
  readonly outcome: EmvOutcome | null;
  readonly error: unknown;
  readonly events: KernelEvent[];
  readonly prompts: PinPrompt[];
  readonly card: EmvCard;
  /** APDUs that reached the card (as the reader sees it). */
  readonly apdus: number;
  readonly authorizeCalls: number;
  /** The issuer's verdict on each ARQC it was sent (IssuerKeys.verifyArqc). */
  readonly arqcChecks: string[];
}

/** Runs one purchase of 12.34 EUR with the profile's card in the in-process reader. */
async function transact(profile: string | CardProfile, setup: Setup = {}): Promise<Run> {
  const p = typeof profile === 'string' ? getProfile(profile) : profile;
  const card = setup.card ?? new EmvCard(p);
  let apdus = 0;
  const base: VirtualCard = p.protocol === 'T=0' ? new T0Card(card) : card;
  const counted: VirtualCard = { atr: base.atr, reset: () => base.reset(), process: (c) => (apdus++, base.process(c)) };
  const driver = new InProcessReaderDriver([READER]);
  driver.insertCard(READER, setup.wrap ? setup.wrap(counted) : counted, setup.faults ?? {});
  const events: KernelEvent[] = [];
  const prompts: PinPrompt[] = [];
  const pins = setup.pins ?? [p.pin];
  let authorizeCalls = 0;
  const arqcChecks: string[] = [];
  const host = setup.host === undefined ? { approve: true } : setup.host;
  const authorize = async (iccData: Uint8Array): Promise<OnlineResponse> => {
    authorizeCalls++;
    // The host finds the card's keys by the application in field 55 (84, DF name), as an issuer would by PAN/PSN.
    const df = toHex(decodeTlv(iccData).find((n) => n.tag === 0x84)?.value ?? new Uint8Array(0));
    const keys = new IssuerKeys(p.applications.find((a) => a.aid === df) ?? p.applications[0]);
    const check = keys.verifyArqc(iccData);
    arqcChecks.push(check.ok ? 'ok' : check.reason);
    if (host === 'unable') return { outcome: 'unable' };
    return keys.respond(iccData, host ?? { approve: true });
  };
  const kernel = new EmvKernel({
    config: defaultTerminalConfig(simCaKeys(), setup.config),
    pin: withOnlinePin(
      new SimulatedPinEntry(async (prompt) => {
        prompts.push(prompt);
        return pins[Math.min(prompts.length - 1, pins.length - 1)];
      }),
      setup.onlinePin,
    ),
    ...(host === null ? {} : { authorize }),
    now: () => NOW,
    randomBytes: (n) => new Uint8Array(n).fill(0x42),
    onEvent: (e) => events.push(e),
    ...(setup.choose ? { choose: setup.choose } : {}),
    interface: p.interfaces.includes('contact') ? 'contact' : 'contactless',
  });
  let outcome: EmvOutcome | null = null;
  let error: unknown = null;
  try {
    const conn = await driver.connect(READER);
    try {
      outcome = await kernel.run(conn, { amount: 1234, currency: '0978', type: 'purchase', sequenceCounter: 1, ...setup.request });
    } finally {
      await conn.disconnect().catch(() => undefined);
    }
  } catch (err) {
    error = err;
  }
  await driver.close();
  return { outcome, error, events, prompts, card, apdus, authorizeCalls, arqcChecks };
}

/** `pad`, with its online PIN entries ending as `result` when given. */
function withOnlinePin(pad: PinEntry, result: OnlinePinResult | undefined): PinEntry {
  if (!result) return pad;
  return {
    verifyOfflinePlaintext: (c, p) => pad.verifyOfflinePlaintext(c, p),
    verifyOfflineEnciphered: (c, p, k) => pad.verifyOfflineEnciphered(c, p, k),
    onlinePin: async () => result,
  };
}

function ok(run: Run): EmvOutcome {
  if (!run.outcome) throw run.error instanceof Error ? run.error : new Error(String(run.error));
  return run.outcome;
}

/** TVR byte `i` (1-based as Book 3 counts) as a number. */
function tvrByte(o: EmvOutcome, i: number): number {
  return Number.parseInt(o.tvr.slice(2 * (i - 1), 2 * i), 16);
}

describe('EMV kernel with every virtual card profile', { timeout: 60_000 }, () => {
  for (const p of contactProfiles()) {
    test(`${p.name}: ${p.expected}${p.expectedError ? ` (${p.expectedError})` : ''}`, async () => {
      const run = await transact(p);
      if (p.expected === 'failed') {
        assert.ok(run.error instanceof EmvError, String(run.error));
        assert.equal(run.error.code, p.expectedError);
        return;
      }
      const o = ok(run);
      assert.equal(o.result, p.expected);
      // The kernel takes the application with the highest priority (1 first, Book 1 §12.4).
      const a = [...p.applications].sort((x, y) => x.priority - y.priority)[0];
      assert.equal(o.aid, a.aid);
      assert.equal(o.maskedPan, `${a.pan.slice(0, 6)}******${a.pan.slice(-4)}`);
      assert.equal(o.oda, a.oda);
      if (a.oda !== 'none') assert.equal(o.odaResult, 'ok');
      assert.equal(o.expiry, `20${a.expiry.slice(0, 2)}-${a.expiry.slice(2, 4)}`);
      // Every ARQC the host saw was recomputed by the issuer helper from field 55.
      assert.deepEqual(run.arqcChecks, o.firstCryptogram === 'ARQC' ? ['ok'] : []);
    });
  }

  test('visa-sda-pse: SDA, offline plaintext PIN, ARQC then TC after EXTERNAL AUTHENTICATE', async () => {
    const o = ok(await transact('visa-sda-pse'));
    assert.deepEqual([o.decidedBy, o.firstCryptogram, o.cryptogram, o.responseCode, o.cvm, o.cvmResults], ['host', 'ARQC', 'TC', '00', 'offline-pin', '410302']);
    assert.equal(o.tvr, '0200008000', 'SDA selected; floor limit exceeded (floor limit 0)');
    assert.equal(o.tsi, 'F800', 'ODA, CVM, card and terminal risk management, issuer authentication');
    assert.equal(o.label, 'VISA CREDIT');
    assert.equal(o.authCode, 'SIM001');
  });

  test('mastercard-dda-online-pin: list of AIDs, DDA, online PIN, velocity check sees a new card, ARPC in CDOL2', async () => {
    const run = await transact('mastercard-dda-online-pin');
    const o = ok(run);
    assert.deepEqual([o.cvm, o.cvmResults, o.firstCryptogram, o.cryptogram], ['online-pin', '420300', 'ARQC', 'TC']);
    assert.equal(tvrByte(o, 2) & 0x08, 0x08, 'new card');
    assert.equal(tvrByte(o, 3) & 0x04, 0x04, 'online PIN entered');
    assert.deepEqual([o.apduLog[0].command.slice(0, 10), o.apduLog[0].sw], ['00A404000E', '6A82'], 'no PSE');
    assert.equal(o.apduLog[1].command.slice(0, 10), '00A4040007', 'so the kernel goes through its list of AIDs');
    assert.equal(run.card.application().lastOnlineAtc, 1);
  });

  test('online PIN ended without a PIN: cancel key and timeout end it (EMV_CANCELLED), a pulled card EMV_CARD_REMOVED, at CVM', async () => {
    const cases: [OnlinePinResult, string, RegExp][] = [
      [{ kind: 'cancelled' }, 'EMV_CANCELLED', /cancelled at the PIN prompt/],
      [{ kind: 'timeout' }, 'EMV_CANCELLED', /no PIN was entered in time/],
      [{ kind: 'card-removed' }, 'EMV_CARD_REMOVED', /removed during PIN entry/],
    ];
    for (const [result, code, message] of cases) {
      const run = await transact('mastercard-dda-online-pin', { onlinePin: result });
      assert.ok(run.error instanceof EmvError, `${result.kind}: ${String(run.error)}`);
      assert.deepEqual([run.error.code, run.error.step], [code, 'cvm'], result.kind);
      assert.match(run.error.message, message);
      assert.equal(run.authorizeCalls, 0, `${result.kind}: nothing went to the host`);
    }
  });

  test('online PIN bypassed or unavailable: the next CVM, with PIN not entered or PIN pad missing in the TVR', async () => {
    for (const [result, bit, other] of [
      [{ kind: 'bypassed' }, 0x08, 0x10],
      [{ kind: 'unavailable' }, 0x10, 0x08],
    ] as const) {
      const o = ok(await transact('mastercard-dda-online-pin', { onlinePin: result }));
      assert.notEqual(o.cvm, 'online-pin', result.kind);
      assert.equal(tvrByte(o, 3) & bit, bit, `${result.kind}: its TVR bit`);
      assert.equal(tvrByte(o, 3) & (other | 0x04), 0, `${result.kind}: neither the other bit nor online PIN entered`);
    }
  });

  test('mastercard-cda-enciphered-pin: CDA verified at both GENERATE ACs, enciphered PIN', async () => {
    const run = await transact('mastercard-cda-enciphered-pin');
    const o = ok(run);
    assert.deepEqual([o.oda, o.odaResult, o.cvm, o.cvmResults], ['CDA', 'ok', 'offline-pin', '440302']);
    assert.ok(o.apduLog.some((l) => l.command.startsWith('80AE90')), 'first GENERATE AC asks for CDA');
    assert.ok(o.apduLog.some((l) => l.command.startsWith('80AE50')), 'second GENERATE AC asks for CDA');
    assert.equal(tvrByte(o, 1), 0);
  });

  test('visa-contactless: PPSE, PDOL with the TTQ, CDA, no CVM', async () => {
    const o = ok(await transact('visa-contactless'));
    assert.equal(o.apduLog[0].command, '00A404000E325041592E5359532E444446303100');
    assert.ok(o.apduLog.some((l) => l.command.startsWith('80A80000128310') && l.command.includes('36004000')), 'GPO carries the TTQ');
    assert.deepEqual([o.cvm, o.oda, o.odaResult], ['no-cvm', 'CDA', 'ok']);
  });

  test('visa-expired: TVR byte 2 bit 7, declined by the IAC denial with an AAC', async () => {
    const run = await transact('visa-expired');
    const o = ok(run);
    assert.equal(tvrByte(o, 2) & 0x40, 0x40);
    assert.deepEqual([o.decidedBy, o.firstCryptogram, o.responseCode], ['card-offline', 'AAC', 'Z1']);
    assert.equal(run.authorizeCalls, 0);
  });

  test('mastercard-pin-blocked: no PIN prompt, TVR PIN try limit exceeded, declined offline', async () => {
    const run = await transact('mastercard-pin-blocked');
    const o = ok(run);
    assert.equal(run.prompts.length, 0);
    assert.equal(tvrByte(o, 3) & 0xa0, 0xa0, 'CVM not successful, PIN try limit exceeded');
    assert.deepEqual([o.cvm, o.result, o.firstCryptogram], ['failed', 'declined', 'AAC']);
  });

  test('visa-decline-offline: the terminal asks for an ARQC, the card answers AAC', async () => {
    const o = ok(await transact('visa-decline-offline'));
    assert.ok(o.apduLog.some((l) => l.command.startsWith('80AE8000')));
    assert.deepEqual([o.decidedBy, o.firstCryptogram, o.cryptogram], ['card-offline', 'AAC', 'AAC']);
  });

  test('visa-blocked: selection finds nothing (6283 on SELECT)', async () => {
    const run = await transact('visa-blocked');
    assert.ok(run.error instanceof EmvError);
    assert.deepEqual([run.error.code, run.error.step], ['EMV_NO_APPLICATION', 'selection']);
  });

  test('visa-two-apps: both applications found by partial selection (P2=02); priority 1 first, or the cardholder\'s choice', async () => {
    const o = ok(await transact('visa-two-apps'));
    const selects = o.apduLog.filter((l) => l.command.startsWith('00A404')).map((l) => `${l.command.slice(0, 8)} ${l.sw}`);
    assert.deepEqual(selects.slice(0, 4), ['00A40400 6A82', '00A40400 9000', '00A40402 9000', '00A40402 6A82'], 'PSE, then first and next occurrences of A0000000031010');
    assert.deepEqual([o.aid, o.label, o.panSequenceNumber], ['A000000003101002', 'VISA DEBIT', '05']);
    const chosen = ok(await transact('visa-two-apps', { choose: async (list) => list.find((c) => c.label === 'VISA CREDIT') ?? list[0] }));
    assert.deepEqual([chosen.result, chosen.aid, chosen.panSequenceNumber], ['approved', 'A000000003101001', '04']);
  });

  test('visa-issuer-scripts: both scripts run with results 9F5B, the card applied them', async () => {
    const run = await transact('visa-issuer-scripts');
    const o = ok(run);
    assert.equal(o.issuerScriptResults, '20000000012000000002');
    assert.equal(Number.parseInt(o.tsi.slice(0, 2), 16) & 0x04, 0x04, 'TSI script processing performed');
    assert.equal(tvrByte(o, 1) & 0x80, 0x80, 'ODA not performed');
    assert.deepEqual(run.card.scriptLog.map((s) => [s.header, s.macValid, s.sw]), [
      ['84DA9F14', true, '9000'],
      ['84DA9F23', true, '9000'],
      ['84240000', true, '9000'],
    ]);
    const state = run.card.application();
    assert.deepEqual([state.lowerLimit, state.upperLimit], [2, 4]);
  });
});

describe('EMV kernel: cardholder, host and issuer scenarios', { timeout: 60_000 }, () => {
  test('wrong PIN then right PIN: a pin-entry event with 2 tries left, then verified', async () => {
    const run = await transact('visa-sda-pse', { pins: ['0000', '1234'] });
    const o = ok(run);
    assert.equal(o.result, 'approved');
    assert.equal(o.cvm, 'offline-pin');
    assert.deepEqual(run.prompts.map((p) => p.triesLeft), [3, 2]);
    assert.ok(run.events.some((e) => e.type === 'pin-entry' && e.triesLeft === 2));
    assert.equal(run.card.application().pinTries, 3, 'the right PIN resets the counter');
  });

  test('enciphered PIN: wrong then right', async () => {
    const run = await transact('mastercard-cda-enciphered-pin', { pins: ['1111', '2468'] });
    assert.equal(ok(run).result, 'approved');
    assert.deepEqual(run.prompts.map((p) => p.triesLeft), [3, 2]);
  });

  test('PIN tries used up during the transaction: limit exceeded, then the signature rule', async () => {
    const run = await transact('visa-sda-pse', { pins: ['0000'] });
    const o = ok(run);
    assert.equal(run.prompts.length, 3);
    assert.equal(tvrByte(o, 3) & 0x20, 0x20);
    assert.equal(o.cvm, 'signature');
    assert.equal(run.card.application().pinTries, 0);
  });

  test('host declines: AAC at the second GENERATE AC', async () => {
    const o = ok(await transact('visa-sda-pse', { host: { approve: false } }));
    assert.deepEqual([o.result, o.decidedBy, o.cryptogram, o.responseCode, o.reversalRequired], ['declined', 'host', 'AAC', '05', false]);
  });

  test('issuer authentication fails: the host approved, the card declines, a reversal is due', async () => {
    const o = ok(await transact('visa-sda-pse', { host: { approve: true, badArpc: true } }));
    assert.deepEqual([o.result, o.decidedBy, o.cryptogram, o.reversalRequired], ['declined', 'card-after-host', 'AAC', true]);
    assert.equal(tvrByte(o, 5) & 0x40, 0x40, 'issuer authentication failed');
  });

  test('host unreachable: Z3 when the action codes say default-deny', async () => {
    for (const host of ['unable', null] as const) {
      const o = ok(await transact('visa-sda-pse', { host }));
      assert.deepEqual([o.result, o.decidedBy, o.responseCode, o.cryptogram], ['declined', 'unable-to-go-online', 'Z3', 'AAC']);
    }
  });

  test('host unreachable: Y3 when no default bit matches; the card approves offline only below its limit', async () => {
    const p = getProfile('mastercard-dda-online-pin');
    const lenient: CardProfile = { ...p, applications: [{ ...p.applications[0], iac: { ...p.applications[0].iac, default: '0000000000' } }] };
    const config = { applications: defaultTerminalConfig([]).applications.map((a) => ({ ...a, tacDefault: '0000000000' })) };
    const low = ok(await transact(lenient, { host: 'unable', config }));
    assert.deepEqual([low.result, low.decidedBy, low.responseCode, low.cryptogram], ['approved', 'unable-to-go-online', 'Y3', 'TC']);
    const high = ok(await transact(lenient, { host: 'unable', config, request: { amount: 4000 } }));
    assert.deepEqual([high.result, high.responseCode, high.cryptogram], ['declined', 'Y3', 'AAC']);
  });

  test('a second transaction on the same card: the ATC moves on, the card is no longer new', async () => {
    const card = new EmvCard(getProfile('mastercard-dda-online-pin'));
    const first = ok(await transact('mastercard-dda-online-pin', { card }));
    const second = ok(await transact('mastercard-dda-online-pin', { card }));
    assert.match(first.iccData, /9F36020001/);
    assert.match(second.iccData, /9F36020002/);
    assert.equal(tvrByte(second, 2) & 0x08, 0, 'last online ATC is set: not a new card');
  });
});

/** A 32-bit seeded PRNG (mulberry32): reproducible corruption. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Corruption = 'truncate' | 'random' | 'flip' | 'status';

/** The card's answer to APDU `k` corrupted. */
function hostile(k: number, mode: Corruption, seed: number): (card: VirtualCard) => VirtualCard {
  const rand = prng(seed);
  return (inner) => {
    let n = 0;
    return {
      atr: inner.atr,
      reset: () => inner.reset(),
      process: async (c) => {
        const r = await inner.process(c);
        if (n++ !== k) return r;
        const out = Uint8Array.from(r);
        if (mode === 'truncate') return r.slice(0, Math.floor(rand() * r.length));
        if (mode === 'random') return Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
        if (mode === 'flip') out[Math.floor(rand() * out.length)] ^= 1 << Math.floor(rand() * 8);
        else {
          out[out.length - 2] = Math.floor(rand() * 256);
          out[out.length - 1] = Math.floor(rand() * 256);
        }
        return out;
      },
    };
  };
}

describe('EMV kernel: faults and hostile cards', { timeout: 120_000 }, () => {
  for (const p of contactProfiles().filter((x) => x.expected !== 'failed')) {
    test(`${p.name}: the card pulled after each APDU ends in EMV_CARD_REMOVED naming the step`, async () => {
      const clean = await transact(p);
      ok(clean);
      assert.ok(clean.apdus > 5);
      for (let k = 0; k < clean.apdus; k++) {
        const run = await transact(p, { faults: { dropAfter: k } });
        // Pulled during the issuer scripts after the final GENERATE AC: the cryptogram already decided (Book 3 §10.10);
        // the outcome stands, with "script processing failed after final GENERATE AC" in the TVR.
        if (run.outcome && clean.outcome?.issuerScriptResults && run.outcome.steps.at(-1) === 'second-generate-ac') {
          assert.equal(run.outcome.result, clean.outcome.result, `drop after ${k}`);
          assert.ok((Number.parseInt(run.outcome.tvr.slice(8, 10), 16) & 0x10) !== 0, `drop after ${k}: TVR ${run.outcome.tvr}`);
          continue;
        }
        const e = run.error;
        assert.ok(e instanceof EmvError, `drop after ${k}: expected an EmvError, got ${run.outcome ? run.outcome.result : String(e)}`);
        assert.equal(e.code, 'EMV_CARD_REMOVED', `drop after ${k}: ${e.message}`);
        assert.ok(e.step && e.message.startsWith(`${e.step}: `), e.message);
      }
    });
  }

  test('every answer of every profile corrupted (truncated, random, a bit flipped, another SW): an outcome or an EmvError, never a crash', async () => {
    const failures: string[] = [];
    let runs = 0;
    const stats = new Map<string, number>();
    for (const p of contactProfiles()) {
      const clean = await transact(p);
      for (let k = 0; k < clean.apdus; k++) {
        for (const mode of ['truncate', 'random', 'flip', 'status'] as const) {
          const seed = runs++;
          const run = await transact(p, { wrap: hostile(k, mode, seed) });
          const kind = run.outcome ? 'outcome' : run.error instanceof EmvError ? run.error.code : 'other';
          stats.set(kind, (stats.get(kind) ?? 0) + 1);
          if (run.outcome) continue;
          const e = run.error;
          if (!(e instanceof EmvError) || !/^EMV_[A-Z_]+$/.test(e.code) || !e.step) {
            failures.push(`${p.name} APDU ${k} ${mode} seed ${seed}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
          }
        }
      }
    }
    assert.ok(runs > 300, `only ${runs} runs`);
    // The corruption matters: some runs still end with an outcome, others in typed errors.
    assert.ok((stats.get('outcome') ?? 0) > 0 && (stats.get('EMV_CARD_DATA_INVALID') ?? 0) > 0, JSON.stringify([...stats]));
    assert.deepEqual(failures, []);
  });
});
