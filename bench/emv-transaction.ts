// bench/emv-transaction: a full contact transaction on the in-process virtual card. Measures the CPU time spent in
// our code per transaction (kernel + APDU layer + driver; the card simulator's own time, including its RSA
// signatures, is measured separately and excluded) against the 5 ms target, and the APDU count against the minimum
// the flow needs.
import { randomBytes } from 'node:crypto';
import type { CardChannel } from '../src/apdu/card-channel.js';
import { PUBLISHED_CA_KEYS } from '../src/emv/ca-keys.js';
import { EmvKernel, type AuthorizeContext } from '../src/emv/kernel.js';
import { defaultTerminalConfig } from '../src/emv/terminal-defaults.js';
import { createCard, issuerKeysForTransaction } from '../src/sim/emv/catalog.js';
import { simCaKeys } from '../src/sim/emv/sim-keys.js';
import { SimulatedPinEntry } from '../src/sim/pinpad/sim-pin-entry.js';
import type { VirtualCard } from '../src/sim/virtual-card.js';
import { median, report } from './stats.js';

// The commands a transaction with each profile cannot do without (EMV Books 1 and 3), T=0 GET RESPONSEs not counted:
// visa-sda-pse: SELECT PSE, READ RECORD ×2 (the directory record and the 6A83 that ends it), final SELECT, GPO,
//   READ RECORD ×4 (the AFL), GET DATA 9F17 (PIN try counter), VERIFY, GENERATE AC, EXTERNAL AUTHENTICATE,
//   GENERATE AC = 14.
// mastercard-cda-enciphered-pin: SELECT PSE, READ RECORD ×2, final SELECT, GPO, READ RECORD ×4, GET DATA 9F17,
//   GET CHALLENGE, VERIFY (enciphered), GENERATE AC (CDA), GENERATE AC (CDA; 91 travels in CDOL2) = 15.
const MINIMUM: Readonly<Record<string, number>> = { 'visa-sda-pse': 14, 'mastercard-cda-enciphered-pin': 15 };

function timedChannel(card: VirtualCard, t: { cardMs: number; apdus: number }): CardChannel {
  let lastSw1 = 0;
  return {
    atr: card.atr,
    protocol: 'T=1',
    async transmit(command) {
      const t0 = performance.now();
      const r = await card.process(command);
      t.cardMs += performance.now() - t0;
      // GET RESPONSE after 61xx and the resend after 6Cxx are T=0 transport, not commands of the flow.
      if (command[1] !== 0xc0 && lastSw1 !== 0x6c) t.apdus++;
      lastSw1 = r[r.length - 2] ?? 0;
      return r;
    },
  };
}

async function oneTransaction(profile: string, pin: string): Promise<{ ourMs: number; cardMs: number; apdus: number; result: string }> {
  const card = createCard(profile);
  card.reset();
  const t = { cardMs: 0, apdus: 0 };
  const kernel = new EmvKernel({
    config: defaultTerminalConfig([...PUBLISHED_CA_KEYS, ...simCaKeys()]),
    pin: new SimulatedPinEntry(async () => pin),
    authorize: async (icc: Uint8Array, c: AuthorizeContext) => {
      const t0 = performance.now();
      const keys = issuerKeysForTransaction(icc, c.pan, c.panSequenceNumber);
      const r = keys ? keys.respond(icc, { approve: true }) : { outcome: 'declined' as const };
      t.cardMs += performance.now() - t0; // the issuer is not our terminal code either
      return r;
    },
    now: () => new Date(),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  });
  const c0 = process.cpuUsage();
  const outcome = await kernel.run(timedChannel(card, t), { amount: 1234, currency: '0978', type: 'purchase', sequenceCounter: 1 });
  const cpu = process.cpuUsage(c0);
  // CPU time of the whole run minus the wall time inside the card and issuer (all synchronous, single thread).
  const ourMs = Math.max(0, (cpu.user + cpu.system) / 1000 - t.cardMs);
  return { ourMs, cardMs: t.cardMs, apdus: t.apdus, result: outcome.result };
}

/** Runs N transactions per profile and prints the median CPU time in our code and the APDU count. */
export async function benchEmvTransaction(n = 200): Promise<void> {
  for (const [profile, pin] of [
    ['visa-sda-pse', '1234'],
    ['mastercard-cda-enciphered-pin', '2468'],
  ] as const) {
    for (let i = 0; i < 20; i++) await oneTransaction(profile, pin);
    const runs = [];
    for (let i = 0; i < n; i++) runs.push(await oneTransaction(profile, pin));
    const ours = median(runs.map((r) => r.ourMs));
    const apdus = runs[0].apdus;
    const min = MINIMUM[profile];
    report(
      `bench/emv-transaction[${profile}]`,
      { transactions: n, result: runs[0].result, ourCpuMs: ours, cardSimMs: median(runs.map((r) => r.cardMs)), commands: apdus, minimumCommands: min },
      ours / 5,
      'ourCpuMs/5ms <= 1',
      ours <= 5,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEmvTransaction();
