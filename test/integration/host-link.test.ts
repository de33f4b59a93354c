// The real host link (TcpHostChannel → RequestMatcher → HostLink, journal on SQLite) against the host simulator on
// 127.0.0.1: sales driven by the EMV kernel on virtual cards with real ARQCs and ARPCs, the amount rules, unknown
// cards and bad cryptograms, network management, settlement totals and the simulator's own surface.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeTlv } from '../../src/apdu/tlv.js';
import { encodeFrame, FrameDecoder } from '../../src/host/framing.js';
import { DEFAULT_SPEC, encodeTpdu, Iso8583Message, pack, parseSpec, unpack } from '../../src/host/iso8583/index.js';
import { TcpHostChannel } from '../../src/host/channel.js';
import { RequestMatcher } from '../../src/host/matcher.js';
import { codecFor } from '../../src/host/stack.js';
import { HOST_MODES, rules, runHostSimulator } from '../../src/sim/host/index.js';
import { iccDataFor, reversalsOf, saleFor, startSimulator, withHost } from '../helpers/host-fixture.js';
import { runSale } from '../helpers/host-sale.js';

const TID = 'POSB0001';

/** Byte `i` (1-based, as EMV Book 3 counts) of a hex bit field. */
const byteOf = (hex: string, i: number): number => Number.parseInt(hex.slice(2 * (i - 1), 2 * i), 16);

describe('sales through the link to the simulator, driven by the EMV kernel', { timeout: 20_000 }, () => {
  test('visa-issuer-scripts: ARQC verified, ARPC accepted by the card, scripts 71/72 run, approved and completed', async () => {
    await withHost(async ({ sim, stack }) => {
      const run = await runSale({ profile: 'visa-issuer-scripts', amount: 1234, ref: 'sale-k1', link: stack.link });
      assert.equal(run.error, null, String(run.error));
      const o = run.outcome!;
      assert.equal(o.result, 'approved');
      assert.equal(o.decidedBy, 'host');
      assert.equal(o.firstCryptogram, 'ARQC');
      assert.equal(o.cryptogram, 'TC');
      assert.ok(byteOf(o.tsi, 1) & 0x10, `TSI ${o.tsi}: issuer authentication performed`);
      assert.equal(byteOf(o.tvr, 5) & 0x40, 0, `TVR ${o.tvr}: issuer authentication failed is clear`);
      assert.equal(o.issuerScriptResults, '2000000001' + '2000000002', 'both scripts processed successfully');
      assert.equal(run.auth?.scripts?.length, 2);
      assert.equal(run.reversal, 'completed');

      const [rec] = sim.received('0200');
      assert.equal(rec.arqc, 'verified');
      assert.deepEqual(rec.answer, { mti: '0210', responseCode: '00' });
      assert.equal(rec.delivery, 'sent');
      assert.equal(rec.maskedPan, '476173******0010');
      assert.ok(rec.present.includes(55));
      assert.match(rec.decoded?.fields.find((f) => f.field === 55)?.value ?? '', /^present \(\d+ bytes\)$/);
      assert.equal(reversalsOf(sim, rec.stan!).length, 0);
      assert.deepEqual(stack.queue.list().map((i) => i.status), ['disarmed']);
      assert.deepEqual(sim.totals().debitsNumber, 1);
    });
  });

  test('mastercard-dda-online-pin: online PIN block in field 52 (masked in the record), 91 checked inside the 2nd GENERATE AC', async () => {
    await withHost(async ({ sim, stack }) => {
      const run = await runSale({ profile: 'mastercard-dda-online-pin', amount: 4200, ref: 'sale-k2', link: stack.link });
      assert.equal(run.error, null, String(run.error));
      assert.equal(run.outcome?.result, 'approved');
      assert.equal(byteOf(run.outcome!.tvr, 5) & 0x40, 0);
      const [rec] = sim.received('0200');
      assert.equal(rec.arqc, 'verified');
      assert.deepEqual(rec.decoded?.fields.find((f) => f.field === 52)?.value, 'present (8 bytes)');
      assert.equal(rec.maskedPan, '541333******0010');
    });
  });

  test('visa-sda-pse: SDA card, EXTERNAL AUTHENTICATE with the simulator ARPC', async () => {
    await withHost(async ({ sim, stack }) => {
      const run = await runSale({ profile: 'visa-sda-pse', amount: 6000, ref: 'sale-k3', link: stack.link });
      assert.equal(run.outcome?.result, 'approved', String(run.error));
      assert.ok(byteOf(run.outcome!.tsi, 1) & 0x10);
      assert.equal(byteOf(run.outcome!.tvr, 5) & 0x40, 0);
      assert.equal(sim.received('0200')[0].arqc, 'verified');
    });
  });

  test('the kernel declines at the card when the host says .51: no reversal armed afterwards', async () => {
    await withHost(async ({ sim, stack }) => {
      const run = await runSale({ profile: 'visa-issuer-scripts', amount: 1051, ref: 'sale-k4', link: stack.link });
      assert.equal(run.outcome?.result, 'declined');
      assert.equal(run.outcome?.responseCode, '51');
      assert.equal(run.reversal, null);
      assert.equal(sim.received('0200')[0].arqc, 'verified', 'the decline still carried an ARPC over ARC 51');
      assert.deepEqual(stack.queue.list().map((i) => i.status), ['disarmed']);
    });
  });
});

describe('simulator rules with hand-built field 55', { timeout: 20_000 }, () => {
  test('amounts .51 and .05 decline with 51 and 05; the armed reversals are disarmed', async () => {
    await withHost(async ({ sim, stack }) => {
      const a = await stack.link.authorize(saleFor('visa-issuer-scripts', 2051, 'r51'));
      const b = await stack.link.authorize(saleFor('visa-issuer-scripts', 2005, 'r05'));
      assert.deepEqual([a.outcome, a.responseCode, b.outcome, b.responseCode], ['declined', '51', 'declined', '05']);
      assert.deepEqual(sim.received('0200').map((r) => r.note), ['amount rule: 51', 'amount rule: 05']);
      assert.deepEqual(stack.queue.list().map((i) => i.status), ['disarmed', 'disarmed']);
      assert.equal(sim.totals().debitsNumber, 0);
    });
  });

  test('an unknown card is 14; a cryptogram that does not verify is 05 with the reason noted', async () => {
    await withHost(async ({ sim, stack }) => {
      const unknown = await stack.link.authorize(saleFor('visa-issuer-scripts', 1000, 'unknown', { pan: '4000000000000002' }));
      assert.equal(unknown.responseCode, '14');
      const icc = iccDataFor('visa-issuer-scripts', 1000);
      icc[3] ^= 0xff; // inside 9F26
      const bad = await stack.link.authorize(saleFor('visa-issuer-scripts', 1000, 'bad-arqc', { iccData: icc }));
      assert.equal(bad.responseCode, '05');
      const recs = sim.received('0200');
      assert.deepEqual(recs.map((r) => r.arqc), ['unknown-card', 'mismatch']);
      assert.equal(recs[1].note, 'ARQC not verified: CRYPTOGRAM_MISMATCH');
      assert.equal(bad.issuerAuthenticationData, undefined, 'no ARPC for a cryptogram that failed');
    });
  });

  test('approval carries auth code, RRN, and field 55 with 91 = ARPC || "00"', async () => {
    await withHost(async ({ sim, stack }) => {
      const r = await stack.link.authorize(saleFor('visa-sda-pse', 1500, 'ok'));
      assert.equal(r.outcome, 'approved');
      assert.match(r.authCode ?? '', /^A\d{5}$/);
      assert.equal(r.issuerAuthenticationData?.length, 20);
      assert.ok(r.issuerAuthenticationData?.endsWith('3030'), 'ARC "00" in ASCII');
      assert.equal(r.scripts, undefined, 'this profile expects no scripts');
      stack.link.complete(r.reversalId!);
      assert.equal(sim.received('0200')[0].arqc, 'verified');
    });
  });

  test('0800 → 0810 00 with the TPDU addresses swapped; an unknown original is reversed with 25', async () => {
    await withHost(async ({ sim, stack }) => {
      const header = encodeTpdu(0x0001, 0x0000);
      const echo = await stack.matcher.request(Iso8583Message.of('0800', { 7: '0315100000', 11: '900001', 41: TID, 70: '301' }, header), 1000);
      assert.equal(echo.mti, '0810');
      assert.equal(echo.text(39), '00');
      assert.equal(echo.text(70), '301');
      assert.equal(toHex(echo.header), '6000000001');
      const rev = Iso8583Message.of('0400', { 3: '000000', 4: '000000001000', 11: '900002', 41: TID, 90: `0200123456${'0315100000'}${'0'.repeat(22)}` }, header);
      const answer = await stack.matcher.request(rev, 1000);
      assert.deepEqual([answer.mti, answer.text(39)], ['0410', '25']);
      assert.equal(sim.received('0400')[0].note, 'original STAN 123456 unknown');
    });
  });

  test('0500 agrees with the recorded totals of its currency (00, that batch closed), then disagrees (95); without field 50 → 30', async () => {
    await withHost(async ({ sim, stack }) => {
      const sale = await stack.link.authorize(saleFor('visa-issuer-scripts', 1234, 's1'));
      stack.link.complete(sale.reversalId!);
      const refund = await stack.link.authorize({ ...saleFor('visa-issuer-scripts', 500, 'rf1'), kind: 'refund' });
      stack.link.complete(refund.reversalId!);
      assert.deepEqual([sale.outcome, refund.outcome], ['approved', 'approved']);
      assert.equal(sim.totals().debitsAmount, 1234);
      assert.equal(sim.totals().creditsAmount, 500);
      assert.deepEqual(sim.totals('978'), sim.totals());
      assert.equal(sim.totals('840').debitsNumber, 0);
      const header = stack.identity.header;
      const totals = (stan: string, debits: number, currency: string | null = '978'): Iso8583Message => {
        const m = Iso8583Message.of('0500', { 7: '0315230000', 11: stan, 41: TID, 74: '0000000001', 76: `${debits}`.padStart(10, '0'), 86: '0000000000000500', 88: '0000000000001234', 97: 'C0000000000000734' }, header);
        return currency ? m.with(50, currency) : m;
      };
      const noCurrency = await stack.matcher.request(totals('900009', 1, null), 1000);
      assert.deepEqual([noCurrency.mti, noCurrency.text(39)], ['0510', '30']);
      const otherCurrency = await stack.matcher.request(totals('900008', 1, '840'), 1000);
      assert.equal(otherCurrency.text(39), '95', 'the EUR totals are not USD totals');
      const agreed = await stack.matcher.request(totals('900010', 1), 1000);
      assert.deepEqual([agreed.mti, agreed.text(39), agreed.text(50)], ['0510', '00', '978']);
      const again = await stack.matcher.request(totals('900011', 1), 1000);
      assert.equal(again.text(39), '95', 'the batch was closed: its totals are zero now');
      assert.equal(sim.received('0500')[3].note, 'totals of 978 not agreed: field(s) 74, 76, 86, 88, 97');
    });
  });

  test('mode down refuses connections: the request never leaves, nothing to reverse; back up, it works', async () => {
    await withHost(async ({ sim, stack }) => {
      await sim.setMode('down');
      const r = await stack.link.authorize(saleFor('visa-issuer-scripts', 1000, 'down-1'));
      assert.deepEqual([r.outcome, r.error, r.reversalQueued], ['unable', 'HOST_UNREACHABLE', false]);
      assert.deepEqual(stack.queue.list().map((i) => i.status), ['disarmed']);
      assert.equal(sim.received().length, 0);
      await sim.setMode('normal');
      await new Promise((res) => setTimeout(res, 30)); // past the channel's reconnect backoff
      const ok = await stack.link.authorize(saleFor('visa-issuer-scripts', 1000, 'down-2'));
      assert.equal(ok.outcome, 'approved');
    });
  });
});

describe('simulator surface', () => {
  test('rules() documents every rule and mode; runHostSimulator starts on an ephemeral port and stops', async () => {
    const doc = rules();
    assert.deepEqual(doc.modes.map((m) => m.mode), [...HOST_MODES]);
    for (const needle of ['.51', '.05', '.99', 'code 14', 'code 25', '0810', 'code 95', '0230']) {
      assert.ok(doc.rules.some((r) => `${r.when} ${r.answer}`.includes(needle)), needle);
    }
    const handle = await runHostSimulator({ port: 0 });
    assert.ok(handle.port > 0);
    assert.equal(handle.simulator.port, handle.port);
    await handle.stop();
  });

  test('raw socket: an unparseable frame is recorded (no answer) and the connection stays usable; frames split anywhere', async () => {
    const sim = await startSimulator();
    const socket = connect(sim.port, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const decoder = new FrameDecoder();
      const answers: Uint8Array[] = [];
      socket.on('data', (c: Buffer) => answers.push(...decoder.push(c)));
      socket.write(encodeFrame(fromHex('0102030405')));
      const echo = encodeFrame(pack(DEFAULT_SPEC, Iso8583Message.of('0800', { 11: '000777', 41: TID, 70: '301' }, encodeTpdu(3, 9))));
      socket.write(echo.subarray(0, 3));
      await new Promise((r) => setTimeout(r, 20));
      socket.write(echo.subarray(3));
      await sim.waitFor((r) => r.mti === '0800');
      for (let i = 0; i < 100 && answers.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      const [bad] = sim.received();
      assert.deepEqual([bad.mti, bad.error, bad.delivery], [null, 'ISO8583_HEADER_INVALID', 'none']);
      assert.equal(answers.length, 1);
      const answer = unpack(DEFAULT_SPEC, answers[0]);
      assert.deepEqual([answer.mti, answer.text(11), answer.text(39), toHex(answer.header)], ['0810', '000777', '00', '6000090003']);
    } finally {
      socket.destroy();
      await sim.stop();
    }
  });

  test('another spec (ASCII MTI, hex bitmap, no header): answers carry only the fields it defines', async () => {
    const spec = parseSpec(JSON.parse(readFileSync(join(process.cwd(), 'src', 'host', 'iso8583', 'specs', 'example-ascii-acquirer.json'), 'utf8')));
    const sim = await startSimulator({ spec });
    const channel = new TcpHostChannel({ host: '127.0.0.1', port: sim.port });
    const matcher = new RequestMatcher(channel, codecFor(spec));
    try {
      // No field 23 in this spec: PSN '00' is assumed (EMV Book 2 A1.4.1), so a card with PSN 00.
      const sale = saleFor('mastercard-dda-online-pin', 1234, 'ascii');
      const req = Iso8583Message.of('0200', { 2: sale.pan, 3: '000000', 4: '000000001234', 11: '000042', 41: TID, 55: decodeTlv(sale.iccData!) });
      const answer = await matcher.request(req, 1000);
      assert.deepEqual([answer.mti, answer.text(39), answer.has(37), answer.has(38)], ['0210', '00', false, false]);
      assert.equal(answer.tlv(55)?.[0].tag, 0x91);
      assert.equal(sim.received()[0].arqc, 'verified');
    } finally {
      matcher.close();
      await channel.close();
      await sim.stop();
    }
  });
});
