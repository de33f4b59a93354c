// The serial PIN pad driver against its emulator over a real socat pty pair (docs/hardware.md, "Serial PIN pad
// protocol"): online PIN under TDES DUKPT (format 0) and AES DUKPT (format 4) decrypted here with the test BDKs, the
// cancel key, our cancel, timeouts, line noise, the pty pulled mid-entry and back, plaintext offline PIN refused,
// offline enciphered PIN verified by a virtual EMV card, and online PIN checked by the host simulator through the
// real host link.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fromHex } from '../../src/apdu/hex.js';
import { decipherFormat4, decodeFormat0 } from '../../src/crypto/pin-block.js';
import { deriveAesPinKeyFromBdk } from '../../src/crypto/dukpt-aes.js';
import { deriveTdesPinKeyFromBdk, tdesDecryptPinBlock } from '../../src/crypto/dukpt-tdes.js';
import { PinPadError } from '../../src/drivers/pinpad/serial-pinpad-errors.js';
import { SerialPinPad } from '../../src/drivers/pinpad/serial-pinpad.js';
import { EmvKernel, type EmvOutcome } from '../../src/emv/kernel.js';
import { defaultTerminalConfig } from '../../src/emv/terminal-defaults.js';
import type { OnlinePinBlock, OnlinePinResult, OnlineResponse, PinEntry } from '../../src/emv/types.js';
import type { HostLink } from '../../src/host/link.js';
import { createCard, getProfile, issuerKeysFor, simCaKeys } from '../../src/sim/emv/index.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { SerialPinPadEmulator, type CardholderAction, type PadEmulatorLink } from '../../src/sim/pinpad/serial-pinpad-emulator.js';
import { SIM_AES_BDK, SIM_TDES_BDK } from '../../src/sim/pinpad/sim-dukpt.js';
import { withHost } from '../helpers/host-fixture.js';
import { noSocat, PtyPair } from '../helpers/pty.js';

const NO_SOCAT = noSocat();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isCode = (c: string) => (e: unknown) => e instanceof PinPadError && e.code === c;
const PAN = '5413330089600010';
const PROMPT = { amount: 4200, currency: '0978' };

/** The block of an entry that gave a PIN (fails the test on any other end). */
function pinOf(r: OnlinePinResult): OnlinePinBlock {
  assert.equal(r.kind, 'pin', `a PIN was entered, not ${r.kind}`);
  return (r as Extract<OnlinePinResult, { kind: 'pin' }>).pin;
}

/** One pad on one pty pair, with the cardholder's next action settable per test. */
class Bench {
  readonly dir = mkdtempSync(join(tmpdir(), 'posbridge-pad-'));
  readonly pair = new PtyPair(join(this.dir, 'pad'), join(this.dir, 'host'));
  action: CardholderAction | (() => Promise<CardholderAction>) = '1234';
  readonly emu: SerialPinPadEmulator;
  readonly pad: SerialPinPad;
  link: PadEmulatorLink | null = null;
  cancelKeys = 0;

  constructor(aes = false) {
    this.emu = new SerialPinPadEmulator({ scheme: aes ? 'aes-dukpt' : 'tdes-dukpt', supplier: async () => (typeof this.action === 'function' ? this.action() : this.action), slowMs: 400 });
    this.pad = SerialPinPad.fromUrl(`serial://${this.pair.b}?baud=19200`, {
      entryTimeoutSec: 3,
      replyTimeoutMs: 1000,
      entryGraceMs: 1000,
      link: { ackTimeoutMs: 150 },
      onCancelKey: () => this.cancelKeys++,
    });
  }

  async start(): Promise<void> {
    await this.pair.start();
    this.link = await this.emu.attachToPath(this.pair.a, 19200);
  }

  async stop(): Promise<void> {
    await this.pad.close();
    await this.link?.close();
    await this.pair.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs a forced-online purchase of `amount` on `profile`'s virtual card with `pin` as the PIN pad. */
async function transact(profile: string, pin: PinEntry, amount: number, link?: HostLink): Promise<{ outcome: EmvOutcome; responseCode?: string }> {
  const p = getProfile(profile);
  const app = p.applications[0];
  const driver = new InProcessReaderDriver(['R0']);
  driver.insertCard('R0', createCard(p));
  let responseCode: string | undefined;
  const authorize = async (iccData: Uint8Array, ctx: { readonly onlinePin: { readonly block: string; readonly ksn?: string } | null }): Promise<OnlineResponse> => {
    if (!link) {
      const keys = issuerKeysFor(profile);
      return keys.respond(iccData, { approve: true });
    }
    const a = await link.authorize({
      kind: 'sale',
      ref: `pad-${profile}-${amount}`,
      amount,
      currency: '978',
      pan: app.pan,
      expiry: app.expiry.slice(0, 4),
      panSequenceNumber: app.psn,
      posEntryMode: '051',
      iccData,
      ...(ctx.onlinePin ? { pinBlock: ctx.onlinePin.block, ...(ctx.onlinePin.ksn ? { ksn: ctx.onlinePin.ksn } : {}) } : {}),
    });
    responseCode = a.responseCode;
    if (a.reversalId !== null && a.reversalId !== undefined) link.complete(a.reversalId);
    return {
      outcome: a.outcome,
      ...(a.responseCode ? { responseCode: a.responseCode } : {}),
      ...(a.issuerAuthenticationData ? { issuerAuthenticationData: a.issuerAuthenticationData } : {}),
      ...(a.authCode ? { authCode: a.authCode } : {}),
    };
  };
  const kernel = new EmvKernel({
    config: defaultTerminalConfig(simCaKeys()),
    pin,
    authorize,
    now: () => new Date('2026-03-15T10:00:00Z'),
    randomBytes: (n) => new Uint8Array(n).fill(0x42),
    interface: 'contact',
  });
  const conn = await driver.connect('R0');
  try {
    const outcome = await kernel.run(conn, { amount, currency: '0978', type: 'purchase', sequenceCounter: 1, forceOnline: true });
    return { outcome, ...(responseCode ? { responseCode } : {}) };
  } finally {
    await conn.disconnect().catch(() => undefined);
    await driver.close();
  }
}

describe('serial PIN pad (TDES DUKPT) over a pty', { skip: NO_SOCAT, timeout: 60_000 }, () => {
  const b = new Bench();
  before(() => b.start());
  after(() => b.stop());

  test('identify, display and amount', async () => {
    const id = await b.pad.identify();
    assert.deepEqual(id, { scheme: 'tdes-dukpt', ksn: 'FFFF9876543210E00001', model: 'POSBRIDGE-SIM-PAD' });
    await b.pad.display('ENTER PIN');
    await b.pad.showAmount(1234, '0978');
    assert.deepEqual(b.emu.shown.slice(-2), ['ENTER PIN', 'AMOUNT 1234 0978']);
  });

  test('online PIN: format 0 block and KSN; the BDK decrypts it to the PIN typed', async () => {
    b.action = '8642';
    const r = pinOf(await b.pad.onlinePin({ ...PROMPT, pan: PAN }));
    assert.equal(r.format, 0);
    assert.match(r.ksn ?? '', /^FFFF9876543210E0000[1-9]$/);
    const key = deriveTdesPinKeyFromBdk(fromHex(SIM_TDES_BDK), fromHex(r.ksn!));
    assert.equal(decodeFormat0(tdesDecryptPinBlock(key, fromHex(r.block)), PAN), '8642');
    const again = pinOf(await b.pad.onlinePin({ ...PROMPT, pan: PAN }));
    assert.notEqual(again.ksn, r.ksn, 'a new KSN (and key) per entry');
    assert.deepEqual(b.emu.shown.at(-1), 'AMOUNT 4200 0978', 'the amount shown before the entry');
  });

  test('the cardholder presses cancel: the entry ends as cancelled; outside an entry a key event', async () => {
    b.action = 'wait';
    const pending = b.pad.onlinePin({ ...PROMPT, pan: PAN });
    while (!b.emu.entering) await sleep(10);
    await b.emu.pressCancelKey();
    assert.deepEqual(await pending, { kind: 'cancelled' });
    await b.emu.pressCancelKey();
    for (let i = 0; i < 100 && b.cancelKeys === 0; i++) await sleep(10);
    assert.equal(b.cancelKeys, 1);
  });

  test('our cancel through the AbortSignal sends CANCEL and ends the entry', async () => {
    b.action = 'wait';
    const ac = new AbortController();
    const started = Date.now();
    const pending = b.pad.onlinePin({ ...PROMPT, pan: PAN, signal: ac.signal });
    while (!b.emu.entering) await sleep(10);
    ac.abort();
    assert.deepEqual(await pending, { kind: 'cancelled' });
    assert.ok(Date.now() - started < 2000, 'well before the 3 s entry timeout');
    assert.equal(b.emu.requests.at(-1), 'cancel');
  });

  test('cardholder timeout → timeout, a bypass → bypassed; a pad that stops answering → PINPAD_TIMEOUT (retriable)', async () => {
    b.action = 'timeout';
    assert.deepEqual(await b.pad.onlinePin({ ...PROMPT, pan: PAN }), { kind: 'timeout' });
    b.action = 'bypass';
    assert.deepEqual(await b.pad.onlinePin({ ...PROMPT, pan: PAN }), { kind: 'bypassed' });
    b.emu.mode = 'mute';
    try {
      await assert.rejects(b.pad.display('HELLO'), (e: unknown) => isCode('PINPAD_TIMEOUT')(e) && (e as PinPadError).retriable);
    } finally {
      b.emu.mode = 'normal';
    }
  });

  test('line noise and a damaged frame before each answer: NAKed, resent, the PIN still arrives', async () => {
    b.emu.mode = 'garbage';
    b.action = '2468';
    const before = b.pad.stats().badFrames;
    try {
      const r = pinOf(await b.pad.onlinePin({ ...PROMPT, pan: PAN }));
      const key = deriveTdesPinKeyFromBdk(fromHex(SIM_TDES_BDK), fromHex(r.ksn!));
      assert.equal(decodeFormat0(tdesDecryptPinBlock(key, fromHex(r.block)), PAN), '2468');
      assert.ok(b.pad.stats().badFrames - before >= 2, `${b.pad.stats().badFrames - before} damaged frames NAKed`);
    } finally {
      b.emu.mode = 'normal';
    }
  });

  test('a slow pad (400 ms per answer) is waited for', async () => {
    b.emu.mode = 'slow';
    b.action = '1357';
    try {
      assert.equal(pinOf(await b.pad.onlinePin({ ...PROMPT, pan: PAN })).format, 0);
    } finally {
      b.emu.mode = 'normal';
    }
  });

  test('offline plaintext PIN is refused by design: unavailable, nothing sent', async () => {
    const n = b.emu.requests.length;
    assert.deepEqual(await b.pad.verifyOfflinePlaintext(), { kind: 'unavailable' });
    assert.equal(b.emu.requests.length, n);
  });

  test('offline enciphered PIN: the virtual card verifies the block the pad built (CVM offline PIN, approved)', async () => {
    b.action = getProfile('mastercard-cda-enciphered-pin').pin;
    const { outcome } = await transact('mastercard-cda-enciphered-pin', b.pad, 1234);
    assert.equal(outcome.cvm, 'offline-pin');
    assert.equal(outcome.cvmResults, '440302', 'enciphered PIN by ICC, successful');
    assert.equal(outcome.result, 'approved');
    assert.ok(b.emu.requests.includes('encipheredPin'));
  });

  test('the pty pulled mid-entry: PINPAD_DISCONNECTED; plugged back: works again', async () => {
    b.action = 'wait';
    const pending = b.pad.onlinePin({ ...PROMPT, pan: PAN }).then(
      () => null,
      (e: unknown) => e,
    );
    while (!b.emu.entering) await sleep(10);
    await b.link?.close();
    await b.pair.stop();
    await assert.rejects(pending.then((e) => Promise.reject(e)), (e: unknown) => isCode('PINPAD_DISCONNECTED')(e) && (e as PinPadError).retriable);
    await b.pair.start();
    b.link = await b.emu.attachToPath(b.pair.a, 19200);
    b.action = '4321';
    const r = pinOf(await b.pad.onlinePin({ ...PROMPT, pan: PAN }));
    const key = deriveTdesPinKeyFromBdk(fromHex(SIM_TDES_BDK), fromHex(r.ksn!));
    assert.equal(decodeFormat0(tdesDecryptPinBlock(key, fromHex(r.block)), PAN), '4321');
  });
});

describe('serial PIN pad (AES DUKPT) over a pty', { skip: NO_SOCAT, timeout: 30_000 }, () => {
  const b = new Bench(true);
  before(() => b.start());
  after(() => b.stop());

  test('online PIN: format 4 block and 12-byte KSN; the AES BDK deciphers it to the PIN typed', async () => {
    b.action = '97531';
    const r = pinOf(await b.pad.onlinePin({ ...PROMPT, pan: PAN }));
    assert.equal(r.format, 4);
    assert.equal(r.ksn, '123456789012345600000001');
    assert.equal(r.block.length, 32);
    const key = deriveAesPinKeyFromBdk(fromHex(SIM_AES_BDK), fromHex(r.ksn!));
    assert.equal(decipherFormat4(key, fromHex(r.block), PAN), '97531');
  });
});

describe('online PIN checked by the host simulator through the real host link', { skip: NO_SOCAT, timeout: 60_000 }, () => {
  const b = new Bench();
  before(() => b.start());
  after(() => b.stop());
  const profile = 'mastercard-dda-online-pin';

  test('right PIN: the simulator decrypts field 52 with the KSN of field 53 and approves', async () => {
    b.action = getProfile(profile).pin;
    await withHost(async ({ sim, stack }) => {
      const run = await transact(profile, b.pad, 4200, stack.link);
      assert.equal(run.outcome.cvm, 'online-pin');
      assert.equal(run.responseCode, '00');
      assert.equal(run.outcome.result, 'approved');
      const [rec] = sim.received('0200');
      assert.equal(rec.answer?.responseCode, '00');
      assert.match(rec.note ?? '', /online PIN verified/);
      assert.equal(rec.decoded?.fields.find((f) => f.field === 52)?.value, 'present (8 bytes)');
    });
  });

  test('wrong PIN: response code 55, declined', async () => {
    b.action = '0000';
    await withHost(async ({ sim, stack }) => {
      const run = await transact(profile, b.pad, 4300, stack.link);
      assert.equal(run.responseCode, '55');
      assert.equal(run.outcome.result, 'declined');
      const [rec] = sim.received('0200');
      assert.equal(rec.answer?.responseCode, '55');
      assert.equal(rec.note, 'online PIN wrong');
    });
  });
});
