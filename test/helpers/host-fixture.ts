// Shared set-up of the host-link integration tests: a temp dir, the simulator on 127.0.0.1, the real stack wired
// to it with a clock the test moves, and authorisation requests for the virtual cards with real ARQCs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes, fromHex } from '../../src/apdu/hex.js';
import { encodeTlv } from '../../src/apdu/tlv.js';
import type { AuthRequest } from '../../src/host/messages.js';
import { issuerKeysFor } from '../../src/sim/emv/index.js';
import { HostSimulator, type HostSimulatorOptions } from '../../src/sim/host/host-simulator.js';
import type { RecordedMessage } from '../../src/sim/host/record.js';
import { createHostStack, type HostStack, type HostStackOptions } from '../../src/host/stack.js';

/** A fresh temp dir and its removal. */
export function tempDir(prefix: string): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `posbridge-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves forward (backoffs and expiry without waiting). */
export class TestClock {
  /** Starts at real time. */
  constructor(public ms = Date.now()) {}

  /** The current time. */
  readonly now = (): number => this.ms;

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A started simulator. */
export async function startSimulator(options: HostSimulatorOptions = {}): Promise<HostSimulator> {
  const sim = new HostSimulator(options);
  await sim.start();
  return sim;
}

/** The real stack against the simulator, with short test timeouts (overridable). */
export function stackFor(sim: HostSimulator, dataDir: string, clock: TestClock, o: Partial<HostStackOptions> = {}): HostStack {
  return createHostStack({
    port: sim.port,
    dataDir,
    now: clock.now,
    channel: { backoff: { initialMs: 5, maxMs: 20 }, connectTimeoutMs: 1000 },
    ...o,
    link: { authTimeoutMs: 1000, queueTtlMs: 3600_000, ...o.link },
    saf: { responseTimeoutMs: 300, initialBackoffMs: 1000, maxBackoffMs: 10_000, maxAttempts: 5, ...o.saf },
  });
}

const bcd = (digits: string): Uint8Array => fromHex(digits);

/**
 * Field 55 of a first GENERATE AC for `profile`'s first application, with a real ARQC (the issuer keys compute it
 * over the card's CDOL1 data, AIP, ATC and IAD exactly as the card does: src/sim/emv/cryptogram-layout.ts).
 */
export function iccDataFor(profile: string, amountMinor: number, atc = 1, currency = '978'): Uint8Array {
  const keys = issuerKeysFor(profile);
  const app = keys.application;
  const aip = fromHex(app.aip);
  const atcBytes = Uint8Array.of(atc >> 8, atc & 0xff);
  // IAD: DKI 01, CVN 01, CVR (2nd AC not requested, 1st AC ARQC; 3 PIN tries), consecutive offline count 0.
  const iad = fromHex('0101A0000003' + '00');
  const terminal = [
    { tag: 0x9f02, value: bcd(String(amountMinor).padStart(12, '0')) },
    { tag: 0x9f03, value: bcd('000000000000') },
    { tag: 0x9f1a, value: bcd('0250') },
    { tag: 0x95, value: fromHex('0000008000') },
    { tag: 0x5f2a, value: bcd(currency.padStart(4, '0')) },
    { tag: 0x9a, value: bcd('260315') },
    { tag: 0x9c, value: fromHex('00') },
    { tag: 0x9f37, value: fromHex('42424242') },
    { tag: 0x9f35, value: fromHex('22') },
    { tag: 0x9f34, value: fromHex('1F0302') },
  ];
  const card = [
    { tag: 0x9f27, value: fromHex('80') },
    { tag: 0x9f10, value: iad },
    { tag: 0x9f36, value: atcBytes },
    { tag: 0x82, value: aip },
    { tag: 0x84, value: fromHex(app.aid) },
  ];
  const withoutAc = encodeTlv([...card, ...terminal]);
  const arqc = keys.keys.cryptogram(atcBytes, keys.cdol1Data(withoutAc), aip, iad);
  return concatBytes(encodeTlv([{ tag: 0x9f26, value: arqc }]), withoutAc);
}

/** A sale for `profile`'s card with hand-built field 55 (real ARQC); the amount in minor units. */
export function saleFor(profile: string, amountMinor: number, ref: string, extra: Partial<AuthRequest> = {}): AuthRequest {
  const app = issuerKeysFor(profile).application;
  return {
    kind: 'sale',
    ref,
    amount: amountMinor,
    currency: '978',
    pan: app.pan,
    expiry: app.expiry.slice(0, 4),
    panSequenceNumber: app.psn,
    posEntryMode: '051',
    iccData: iccDataFor(profile, amountMinor, 1, extra.currency ?? '978'),
    ...extra,
  };
}

/** The reversals (0400/0420/0421) the simulator received for an original STAN. */
export function reversalsOf(sim: HostSimulator, originalStan: string): RecordedMessage[] {
  return sim.received().filter((r) => r.mti !== null && r.mti.startsWith('04') && r.originalStan === originalStan);
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One test's world: a simulator, a journal dir, the stack on it and the test clock. */
export interface HostWorld {
  readonly sim: HostSimulator;
  readonly stack: HostStack;
  readonly clock: TestClock;
  readonly dir: string;
}

/** Runs `fn` with a fresh simulator, journal and stack, and tears them down whatever happens. */
export async function withHost<T>(fn: (w: HostWorld) => Promise<T>, o: { readonly sim?: HostSimulatorOptions; readonly stack?: Partial<HostStackOptions> } = {}): Promise<T> {
  const tmp = tempDir('host');
  const sim = await startSimulator(o.sim);
  const clock = new TestClock();
  const stack = stackFor(sim, tmp.dir, clock, o.stack);
  try {
    return await fn({ sim, stack, clock, dir: tmp.dir });
  } finally {
    await stack.close();
    await sim.stop();
    tmp.remove();
  }
}

/** Polls `condition` every 5 ms until it holds; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
