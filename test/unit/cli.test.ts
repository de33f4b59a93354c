// The posbridge CLI through runCli, over the in-process reader: JSON shapes, exit codes, masking of card data.
// Exit codes (docs/cli.md): 0 ok, 1 refused or failed, 2 bad usage or input, 3 no reader or no PC/SC service.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAtrList, type AtrListEntry } from '../../src/apdu/atr-list.js';
import { toHex } from '../../src/apdu/hex.js';
import { processContext, type CliContext } from '../../src/cli/context.js';
import { parseAmount } from '../../src/cli/amount.js';
import { createCard } from '../../src/sim/emv/catalog.js';
import { runCli } from '../../src/cli/program.js';
import { PosbridgeClient, type WebSocketFactory } from '../../src/client/index.js';
import { parseConfig } from '../../src/daemon/config.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log/logger.js';
import { formatMinor } from '../../src/util/currency.js';
import WebSocket from 'ws';
import { saleFor, startSimulator, stackFor, TestClock } from '../helpers/host-fixture.js';
import { ReaderError } from '../../src/drivers/pcsc/errors.js';
import type { ReaderDriver } from '../../src/drivers/pcsc/types.js';
import { InProcessReaderDriver } from '../../src/sim/in-process-reader.js';
import { demoCard, TableCard } from '../../src/sim/table-card.js';
import { T0Card } from '../../src/sim/t0-card.js';
import type { VirtualCard } from '../../src/sim/virtual-card.js';

const R0 = 'Posbridge Virtual Reader 0';
const R1 = 'Posbridge Virtual Reader 1';
const PAN = '4761739001010119';
const MASKED = '476173******0119';
const T1_ATR = '3B8E800180318066B1840C016E0183009000E1';
const T0_ATR = '3B6500002063CB6600';
const SELECT_PSE = '00A404000E315041592E5359532E444446303100';
const PSE_FCI = '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E';
const DIR_RECORD = '701B61194F07A0000000031010500B5649534120435245444954870101';
const SELECT_VISA = '00A4040007A000000003101000';
const VISA_FCI = '6F1E8407A0000000031010A513500B56495341204352454449548701019F3800';
const READ_PAN_RECORD = '00B2020C00';
/** The demo card's record 2 with the PAN masked inside 5A (first six, last four digits kept). */
const PAN_RECORD_MASKED = `70265A08${MASKED}5F24032712315F200E5445535420434152442F564953415F28020840`;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What one run printed and returned. */
interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** How many times the command closed the driver it created. */
  readonly closes: number;
}

interface RunOptions {
  readonly atrList?: AtrListEntry[];
  readonly signal?: AbortSignal;
  /** Called with the output array as soon as the command starts (watch tests read it while it runs). */
  readonly onOut?: (out: string[]) => void;
  readonly createReaderDriver?: () => Promise<ReaderDriver>;
}

/** Runs the CLI on `driver`; the command's `close` is counted, not passed on, so the test keeps using the driver. */
async function cli(driver: ReaderDriver, argv: readonly string[], opts: RunOptions = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  let closes = 0;
  const borrowed: ReaderDriver = {
    listReaders: () => driver.listReaders(),
    subscribe: (l) => driver.subscribe(l),
    connect: (r, o) => driver.connect(r, o),
    close: async () => {
      closes++;
    },
  };
  const ctx: CliContext = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    createReaderDriver: opts.createReaderDriver ?? (async () => borrowed),
    atrList: () => opts.atrList ?? [],
    terminalConfig: processContext().terminalConfig, // the real one: test CA keys only with --test-keys
  };
  opts.onOut?.(out);
  const code = await runCli(ctx, argv, opts.signal);
  return { code, out, err, closes };
}

/** The one JSON line a --json command printed. */
function onlyJson(run: Run): unknown {
  assert.equal(run.out.length, 1, `expected one line, got: ${run.out.join('\n')}`);
  return JSON.parse(run.out[0]);
}

function readers(...names: string[]): InProcessReaderDriver {
  return new InProcessReaderDriver(names);
}

/** A driver whose every call fails the way the real one does with pcscd stopped. */
function noServiceDriver(): ReaderDriver {
  const fail = (): never => {
    throw new ReaderError('PCSC_NO_SERVICE', 'the PC/SC service is not running');
  };
  return { listReaders: async () => fail(), subscribe: () => fail(), connect: async () => fail(), close: async () => undefined };
}

function until(pred: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (pred()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('posbridge readers', () => {
  test('--json lists each reader with cardPresent and the ATR in uppercase hex, or null', async () => {
    const d = readers(R0, R1);
    d.insertCard(R0, new TableCard(T1_ATR, {}));
    const run = await cli(d, ['readers', '--json']);
    assert.equal(run.code, 0);
    assert.deepEqual(run.err, []);
    assert.deepEqual(onlyJson(run), {
      readers: [
        { name: R0, slot: 'unknown', cardPresent: true, atr: T1_ATR },
        { name: R1, slot: 'unknown', cardPresent: false, atr: null },
      ],
    });
    assert.equal(run.closes, 1, 'the command closes the driver it created');
  });

  test('readable output: one line per reader', async () => {
    const d = readers(R0, R1);
    d.insertCard(R1, new TableCard(T0_ATR.toLowerCase(), {}));
    const run = await cli(d, ['readers']);
    assert.equal(run.code, 0);
    assert.deepEqual(run.out, [`${R0}\tunknown\tno card`, `${R1}\tunknown\tcard present, ATR ${T0_ATR}`]);
  });

  test('no reader: exit 3, empty list', async () => {
    const run = await cli(readers(), ['readers', '--json']);
    assert.equal(run.code, 3);
    assert.deepEqual(onlyJson(run), { readers: [] });
  });

  test('PC/SC service down (listReaders fails PCSC_NO_SERVICE): exit 3 with the code on stderr', async () => {
    const run = await cli(noServiceDriver(), ['readers', '--json']);
    assert.equal(run.code, 3);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, ['posbridge: PCSC_NO_SERVICE: the PC/SC service is not running']);
    assert.equal(run.closes, 1, 'closed even when listing failed');
  });

  test('PC/SC service down (the driver cannot even be built): exit 3', async () => {
    const run = await cli(readers(), ['readers'], {
      createReaderDriver: async () => {
        throw new ReaderError('PCSC_NO_SERVICE', 'no pcscd');
      },
    });
    assert.equal(run.code, 3);
    assert.deepEqual(run.err, ['posbridge: PCSC_NO_SERVICE: no pcscd']);
  });

  test('an unknown option: exit 2, commander says which', async () => {
    const run = await cli(readers(R0), ['readers', '--jsn']);
    assert.equal(run.code, 2);
    assert.deepEqual(run.out, []);
    assert.match(run.err.join('\n'), /unknown option '--jsn'/);
  });
});

describe('posbridge apdu', () => {
  test('the demo card: every exchange in order, data without SW in uppercase hex, meaning, PAN masked', async () => {
    const d = readers(R0);
    const card = demoCard();
    d.insertCard(R0, card);
    const run = await cli(d, ['apdu', '--json', SELECT_PSE.toLowerCase(), '00B2010C00', SELECT_VISA, READ_PAN_RECORD]);
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(run.err, []);
    assert.deepEqual(onlyJson(run), {
      reader: R0,
      exchanges: [
        { command: SELECT_PSE, response: PSE_FCI, sw: '9000', meaning: 'success' },
        { command: '00B2010C00', response: DIR_RECORD, sw: '9000', meaning: 'success' },
        { command: SELECT_VISA, response: VISA_FCI, sw: '9000', meaning: 'success' },
        { command: READ_PAN_RECORD, response: PAN_RECORD_MASKED, sw: '9000', meaning: 'success' },
      ],
    });
    assert.deepEqual(card.log, [SELECT_PSE, '00B2010C00', SELECT_VISA, READ_PAN_RECORD]);
    assert.equal(run.closes, 1);
  });

  test('READ RECORD with the PAN: never the full PAN, in JSON or readable output', async () => {
    const d = readers(R0);
    d.insertCard(R0, demoCard());
    for (const argv of [['apdu', '--json', READ_PAN_RECORD], ['apdu', READ_PAN_RECORD]]) {
      const run = await cli(d, argv);
      assert.equal(run.code, 0);
      const all = [...run.out, ...run.err].join('\n');
      assert.ok(!all.includes(PAN), `full PAN printed: ${all}`);
      assert.ok(!all.includes('476173900101'), `first 12 digits printed: ${all}`);
      assert.ok(all.includes(MASKED), `masked PAN missing: ${all}`);
    }
    const text = await cli(d, ['apdu', READ_PAN_RECORD]);
    assert.deepEqual(text.out, [`Reader: ${R0}`, `> ${READ_PAN_RECORD}`, `< ${PAN_RECORD_MASKED} 9000  (success)`]);
  });

  test('a T=0 card: 61xx (GET RESPONSE) and 6Cxx (repeat with Le) handled, the full data returned', async () => {
    const d = readers(R0);
    const inner = new TableCard(T0_ATR, {
      [SELECT_PSE]: `${PSE_FCI}9000`,
      '00B2010C00': `${DIR_RECORD}9000`,
      '00B2010C1D': `${DIR_RECORD}9000`,
    });
    d.insertCard(R0, new T0Card(inner));
    const run = await cli(d, ['apdu', '--json', SELECT_PSE, '00B2010C00']);
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(onlyJson(run), {
      reader: R0,
      exchanges: [
        { command: SELECT_PSE, response: PSE_FCI, sw: '9000', meaning: 'success' },
        { command: '00B2010C00', response: DIR_RECORD, sw: '9000', meaning: 'success' },
      ],
    });
    // The inner card saw the SELECT once, the READ RECORD with Le 00 then with the Le the card asked for (1D).
    assert.deepEqual(inner.log, [SELECT_PSE, '00B2010C00', '00B2010C1D']);
  });

  test('--reader picks the reader when several hold a card', async () => {
    const d = readers(R0, R1);
    d.insertCard(R0, new TableCard(T1_ATR, { [SELECT_PSE]: '6A82' }));
    d.insertCard(R1, demoCard());
    const run = await cli(d, ['apdu', '--reader', R1, '--json', SELECT_PSE]);
    assert.equal(run.code, 0);
    assert.deepEqual(onlyJson(run), { reader: R1, exchanges: [{ command: SELECT_PSE, response: PSE_FCI, sw: '9000', meaning: 'success' }] });
  });

  test('two cards and no --reader: exit 2, stderr says to choose, nothing sent', async () => {
    const d = readers(R0, R1);
    const a = demoCard();
    const b = demoCard();
    d.insertCard(R0, a);
    d.insertCard(R1, b);
    const run = await cli(d, ['apdu', '--json', SELECT_PSE]);
    assert.equal(run.code, 2);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, [`posbridge: USAGE: several readers hold a card ("${R0}", "${R1}"): choose one with --reader`]);
    assert.deepEqual([a.log, b.log], [[], []]);
  });

  test('no card: exit 1', async () => {
    const run = await cli(readers(R0), ['apdu', SELECT_PSE]);
    assert.equal(run.code, 1);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, ['posbridge: NO_CARD: no reader holds a card; insert one']);
  });

  test('no reader at all, or an unknown --reader: exit 3', async () => {
    const none = await cli(readers(), ['apdu', SELECT_PSE]);
    assert.equal(none.code, 3);
    assert.deepEqual(none.err, ['posbridge: NO_READER: no reader is connected']);
    const d = readers(R0);
    d.insertCard(R0, demoCard());
    const wrong = await cli(d, ['apdu', '--reader', 'Nope', SELECT_PSE]);
    assert.equal(wrong.code, 3);
    assert.deepEqual(wrong.err, [`posbridge: READER_NOT_FOUND: no reader named "Nope"; readers: "${R0}"`]);
  });

  test('bad hex: exit 2 with a message naming the command and the character, before any APDU is sent', async () => {
    const d = readers(R0);
    const card = demoCard();
    d.insertCard(R0, card);
    const run = await cli(d, ['apdu', SELECT_PSE, '00A4ZZ']);
    assert.equal(run.code, 2);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, [`posbridge: USAGE: command 2 ("00A4ZZ") is not a valid APDU: hex: 'Z' at offset 4 is not a hex digit`]);
    assert.deepEqual(card.log, []);
    const short = await cli(d, ['apdu', '00A4']);
    assert.equal(short.code, 2);
    assert.match(short.err.join('\n'), /^posbridge: USAGE: command 1 \("00A4"\) is not a valid APDU: /);
  });

  test('an unknown option, or no APDU at all: exit 2', async () => {
    const d = readers(R0);
    d.insertCard(R0, demoCard());
    const bogus = await cli(d, ['apdu', '--bogus', SELECT_PSE]);
    assert.equal(bogus.code, 2);
    assert.deepEqual(bogus.out, []);
    assert.match(bogus.err.join('\n'), /error: unknown option '--bogus'/);
    const missing = await cli(d, ['apdu']);
    assert.equal(missing.code, 2);
    assert.match(missing.err.join('\n'), /missing required argument 'hex'/);
  });

  test('a card answering 6A82: exit 1, the refusal still printed with its meaning', async () => {
    const d = readers(R0);
    d.insertCard(R0, new TableCard(T1_ATR, {}, '6A82'));
    const run = await cli(d, ['apdu', '--json', SELECT_VISA]);
    assert.equal(run.code, 1);
    assert.deepEqual(onlyJson(run), { reader: R0, exchanges: [{ command: SELECT_VISA, response: '', sw: '6A82', meaning: 'file or application not found' }] });
  });

  test('warnings (62xx/63xx) are not refusals: exit 0', async () => {
    const d = readers(R0);
    d.insertCard(R0, new TableCard(T1_ATR, { [SELECT_VISA]: '6283' }));
    const run = await cli(d, ['apdu', '--json', SELECT_VISA]);
    assert.equal(run.code, 0);
  });

  test('an unusable answer (one byte) is a card failure: exit 1, not 2', async () => {
    const d = readers(R0);
    const oneByte: VirtualCard = { atr: new TableCard(T1_ATR, {}).atr, reset: () => undefined, process: () => Uint8Array.of(0x90) };
    d.insertCard(R0, oneByte);
    const run = await cli(d, ['apdu', '--json', SELECT_PSE]);
    assert.equal(run.code, 1);
    assert.deepEqual(onlyJson(run), { reader: R0, exchanges: [] });
    assert.deepEqual(run.err, [`posbridge: RESPONSE_TOO_SHORT: response APDU needs SW1 SW2, got 1 byte(s) (answer to command 1, ${SELECT_PSE})`]);
  });

  test('the card pulled during the exchange (dropAfter 1): exit 1 with CARD_REMOVED', async () => {
    const d = readers(R0);
    d.insertCard(R0, demoCard(), { dropAfter: 1 });
    const run = await cli(d, ['apdu', SELECT_PSE, '00B2010C00']);
    assert.equal(run.code, 1);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, [`posbridge: CARD_REMOVED: the card was removed (reader "${R0}")`]);
  });
});

describe('posbridge atr', () => {
  const SPEC_KEYS = ['atr', 'convention', 'description', 'historicalBytes', 'interfaceBytes', 'protocols', 'tckValid'];
  /** The fields the spec names, after checking the object has exactly those plus the two detail fields. */
  function specFields(run: Run): Record<string, unknown> {
    const j = onlyJson(run) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j).sort(), [...SPEC_KEYS, 'historical', 'notes'].sort());
    return Object.fromEntries(SPEC_KEYS.map((k) => [k, j[k]]));
  }

  test('no TD1 means T=0 only; no TCK means tckValid null; description from smartcard_list.txt', async () => {
    const atrList = parseAtrList('3B 65 00 00 20 63 CB 66 00\n\tVirtual T=0 test card\n\tsecond line\n');
    const run = await cli(readers(), ['atr', '--json', '3b 65 00 00 20 63 cb 66 00'], { atrList });
    assert.equal(run.code, 0);
    assert.deepEqual(specFields(run), {
      atr: T0_ATR,
      convention: 'direct',
      protocols: ['T=0'],
      interfaceBytes: { TB1: '00', TC1: '00' },
      historicalBytes: '2063CB6600',
      tckValid: null,
      description: ['Virtual T=0 test card', 'second line'],
    });
  });

  test('T=15 (global interface bytes) is not a protocol; a right TCK is valid', async () => {
    // TD1=81: T=1, TD2 follows; TD2=1F: T=15, TA3 follows (global); TA3=07; no historical bytes; TCK 19.
    const run = await cli(readers(), ['atr', '--json', '3B80811F0719']);
    assert.equal(run.code, 0);
    assert.deepEqual(specFields(run), {
      atr: '3B80811F0719',
      convention: 'direct',
      protocols: ['T=1'],
      interfaceBytes: { TD1: '81', TD2: '1F', TA3: '07' },
      historicalBytes: '',
      tckValid: true,
      description: [],
    });
  });

  test('T=0 and T=1 offered, wrong TCK: tckValid false', async () => {
    const run = await cli(readers(), ['atr', '--json', '3B8E800180318066B1840C016E0183009000E0']);
    assert.equal(run.code, 0);
    const f = specFields(run);
    assert.deepEqual(f.protocols, ['T=0', 'T=1']);
    assert.deepEqual(f.interfaceBytes, { TD1: '80', TD2: '01' });
    assert.equal(f.historicalBytes, '80318066B1840C016E0183009000');
    assert.equal(f.tckValid, false);
  });

  test('inverse convention (TS 3F)', async () => {
    const run = await cli(readers(), ['atr', '--json', '3F6500002063CB6600']);
    assert.equal(run.code, 0);
    assert.equal(specFields(run).convention, 'inverse');
  });

  test('malformed ATRs: exit 2 with the reason on stderr', async () => {
    const cases: Array<[string, RegExp]> = [
      ['3C6500002063CB6600', /^posbridge: ATR_INVALID: TS 3C is neither 3B \(direct\) nor 3F \(inverse\)$/],
      ['3B', /^posbridge: ATR_TRUNCATED: /],
      ['3B6500002063CB', /^posbridge: ATR_TRUNCATED: ATR announces 5 historical bytes, 3 present$/],
      ['3B6500002063CB66000000', /^posbridge: ATR_TRAILING: /],
      ['3B65G0', /^posbridge: HEX_INVALID: /],
    ];
    for (const [hex, message] of cases) {
      const run = await cli(readers(), ['atr', '--json', hex]);
      assert.equal(run.code, 2, hex);
      assert.deepEqual(run.out, [], hex);
      assert.equal(run.err.length, 1, hex);
      assert.match(run.err[0], message);
    }
  });
});

describe('posbridge tlv', () => {
  test('--json: the tree with tag, dictionary name, length, value and children', async () => {
    const run = await cli(readers(), ['tlv', '--json', `${PSE_FCI}`]);
    assert.equal(run.code, 0);
    assert.deepEqual(onlyJson(run), {
      tlv: [
        {
          tag: '6F',
          name: 'File Control Information (FCI) Template',
          length: 26,
          value: PSE_FCI.slice(4),
          children: [
            { tag: '84', name: 'Dedicated File (DF) Name', length: 14, value: '315041592E5359532E4444463031' },
            {
              tag: 'A5',
              name: 'File Control Information (FCI) Proprietary Template',
              length: 8,
              value: '8801015F2D02656E',
              children: [
                { tag: '88', name: 'Short File Identifier (SFI)', length: 1, value: '01' },
                { tag: '5F2D', name: 'Language Preference', length: 2, value: '656E' },
              ],
            },
          ],
        },
      ],
    });
  });

  test('malformed TLV: exit 2, stderr names the offset', async () => {
    const run = await cli(readers(), ['tlv', '--json', '6F1A840E3250']);
    assert.equal(run.code, 2);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, ['posbridge: TLV_TRUNCATED: TLV truncated: value of tag 6F at offset 0 declares 26 bytes, 4 left']);
    const inner = await cli(readers(), ['tlv', '6F06840E3250FFFF']);
    assert.equal(inner.code, 2);
    assert.match(inner.err.join('\n'), /^posbridge: TLV_OVERLONG: .*offset 2/);
  });

  test('PAN values masked (first 6, last 4), track 2 keeps only the masked PAN', async () => {
    const pan = await cli(readers(), ['tlv', '--json', `5A08${PAN}`]);
    assert.equal(pan.code, 0);
    assert.deepEqual(onlyJson(pan), { tlv: [{ tag: '5A', name: 'Application Primary Account Number (PAN)', length: 8, value: MASKED }] });
    const track2 = `${PAN}D27122011234567899999F`;
    const record = await cli(readers(), ['tlv', '--json', `701F5A08${PAN}5713${track2}`]);
    assert.equal(record.code, 0, record.err.join('\n'));
    assert.deepEqual(onlyJson(record), {
      tlv: [
        {
          tag: '70',
          name: 'READ RECORD Response Message Template',
          length: 31,
          value: `5A08${MASKED}5713${MASKED}${'*'.repeat(22)}`,
          children: [
            { tag: '5A', name: 'Application Primary Account Number (PAN)', length: 8, value: MASKED },
            { tag: '57', name: 'Track 2 Equivalent Data', length: 19, value: `${MASKED}${'*'.repeat(22)}` },
          ],
        },
      ],
    });
    const text = await cli(readers(), ['tlv', `5A08${PAN}`]);
    assert.deepEqual(text.out, [`5A Application Primary Account Number (PAN) [8] ${MASKED}`]);
  });
});

describe('posbridge watch', { timeout: 5000 }, () => {
  test('--json --count 2: the reader already there, then the card the test inserts; one JSON object per line', async () => {
    const d = readers(R0);
    const card = new TableCard(T1_ATR, {});
    const running = cli(d, ['watch', '--json', '--count', '2'], {
      onOut: (out) => void until(() => out.length === 1).then(() => d.insertCard(R0, card)),
    });
    const run = await running;
    assert.equal(run.code, 0);
    assert.deepEqual(run.err, []);
    assert.equal(run.out.length, 2);
    const lines = run.out.map((l) => JSON.parse(l) as Record<string, string>);
    for (const l of lines) {
      assert.match(l.at, ISO_TIME);
      assert.equal(new Date(l.at).toISOString(), l.at);
      assert.ok(Math.abs(Date.now() - Date.parse(l.at)) < 5000, l.at);
    }
    assert.deepEqual(lines, [
      { event: 'reader-attached', reader: R0, at: lines[0].at },
      { event: 'card-inserted', reader: R0, atr: T1_ATR, at: lines[1].at },
    ]);
    assert.deepEqual(Object.keys(lines[1]), ['event', 'reader', 'atr', 'at']);
    assert.equal(run.closes, 1);
    // Once done the watch is unsubscribed: later events print nothing.
    d.removeCard(R0);
    await new Promise((r) => setImmediate(r));
    assert.equal(run.out.length, 2);
  });

  test('--json: card-removed, reader-detached, reader-attached events as they happen', async () => {
    const d = readers(R0);
    d.insertCard(R0, demoCard());
    const run = await cli(d, ['watch', '--json', '--count', '6'], {
      onOut: (out) =>
        void until(() => out.length === 2).then(() => {
          d.removeCard(R0);
          d.attachReader(R1);
          d.detachReader(R1);
          d.detachReader(R0);
        }),
    });
    assert.equal(run.code, 0);
    assert.deepEqual(
      run.out.map((l) => {
        const { at, ...rest } = JSON.parse(l) as Record<string, string>;
        assert.match(at, ISO_TIME);
        return rest;
      }),
      [
        { event: 'reader-attached', reader: R0 },
        { event: 'card-inserted', reader: R0, atr: toHex(demoCard().atr) },
        { event: 'card-removed', reader: R0 },
        { event: 'reader-attached', reader: R1 },
        { event: 'reader-detached', reader: R1 },
        { event: 'reader-detached', reader: R0 },
      ],
    );
  });

  test('--timeout ends the watch with exit 0', async () => {
    const t0 = Date.now();
    const run = await cli(readers(R0), ['watch', '--json', '--timeout', '0.2']);
    const took = Date.now() - t0;
    assert.equal(run.code, 0);
    assert.ok(took >= 180 && took < 1500, `took ${took} ms`);
    assert.equal(run.out.length, 1);
    assert.equal((JSON.parse(run.out[0]) as Record<string, string>).event, 'reader-attached');
  });

  test('an abort (Ctrl-C) ends the watch at once, even with a long --timeout', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const run = await cli(readers(R0), ['watch', '--json', '--timeout', '600'], {
      signal: ac.signal,
      onOut: (out) => void until(() => out.length === 1).then(() => ac.abort()),
    });
    assert.equal(run.code, 0);
    assert.ok(Date.now() - t0 < 1500);
    assert.equal(run.closes, 1);
  });

  test('bad --count or --timeout: exit 2 saying what is wrong', async () => {
    const zero = await cli(readers(R0), ['watch', '--count', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.err.join('\n'), /--count must be a whole number of at least 1/);
    const neg = await cli(readers(R0), ['watch', '--timeout', '-1']);
    assert.equal(neg.code, 2);
    assert.match(neg.err.join('\n'), /--timeout must be a number above 0/);
  });
});

describe('posbridge doctor', () => {
  let dataDir: string;
  let saved: string | undefined;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'posbridge-doctor-'));
    saved = process.env.POSBRIDGE_DATA_DIR;
    process.env.POSBRIDGE_DATA_DIR = dataDir;
  });
  after(() => {
    if (saved === undefined) delete process.env.POSBRIDGE_DATA_DIR;
    else process.env.POSBRIDGE_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  interface Check {
    name: string;
    status: string;
    detail: string;
    fix?: string;
  }
  function checks(run: Run): Check[] {
    const j = onlyJson(run) as { checks: Check[] };
    assert.deepEqual(Object.keys(j), ['checks']);
    assert.ok(Array.isArray(j.checks));
    for (const c of j.checks) {
      assert.equal(typeof c.name, 'string');
      assert.ok(['ok', 'warn', 'fail'].includes(c.status), c.status);
      assert.equal(typeof c.detail, 'string');
      if (c.status !== 'ok') assert.equal(typeof c.fix, 'string', `no fix for ${c.name}`);
    }
    return j.checks;
  }
  const from = (list: Check[], name: string): Check[] => list.slice(list.findIndex((c) => c.name === name));

  test('--json with a card: exit 0, the checks from the PC/SC binding to the reader features', async () => {
    const d = readers(R0);
    d.insertCard(R0, new TableCard(T0_ATR, {}));
    const atrList = parseAtrList('3B 65 00 00 20 63 CB 66 00\n\tVirtual T=0 test card\n');
    const run = await cli(d, ['doctor', '--json'], { atrList });
    const list = checks(run);
    assert.equal(run.code, 0, JSON.stringify(list.filter((c) => c.status === 'fail')));
    assert.deepEqual(list.find((c) => c.name === 'data directory'), { name: 'data directory', status: 'ok', detail: dataDir });
    assert.deepEqual(from(list, 'PC/SC binding'), [
      { name: 'PC/SC binding', status: 'ok', detail: 'loaded' },
      { name: 'PC/SC service', status: 'ok', detail: 'reachable' },
      { name: 'readers', status: 'ok', detail: '1 found' },
      { name: `reader "${R0}"`, status: 'ok', detail: `card ATR ${T0_ATR} (Virtual T=0 test card)` },
      { name: `reader "${R0}" features`, status: 'ok', detail: 'no PC/SC part 10 features (no secure PIN pad)' },
    ]);
    assert.equal(run.closes, 1);
  });

  test('a card held exclusively by another program: a warning with a fix, exit 0', async () => {
    const d = readers(R0);
    d.insertCard(R0, demoCard());
    const held = await d.connect(R0, { share: 'exclusive' });
    try {
      const list = checks(await cli(d, ['doctor', '--json']));
      assert.deepEqual(from(list, `reader "${R0}" connect`), [
        {
          name: `reader "${R0}" connect`,
          status: 'warn',
          detail: `posbridge: SHARING_VIOLATION: another connection holds the card exclusively (reader "${R0}")`,
          fix: 'another program holds the card exclusively: close it',
        },
      ]);
    } finally {
      await held.disconnect();
    }
  });

  test('no PC/SC service: exit 3 and what to do', async () => {
    const run = await cli(noServiceDriver(), ['doctor', '--json']);
    assert.equal(run.code, 3);
    const service = checks(run).filter((c) => c.name === 'PC/SC service');
    assert.equal(service.length, 1);
    assert.equal(service[0].status, 'fail');
    assert.equal(service[0].detail, 'posbridge: PCSC_NO_SERVICE: the PC/SC service is not running');
    assert.match(service[0].fix ?? '', /pcscd/);
  });

  test('no reader: exit 3, the readers check fails with a fix', async () => {
    const run = await cli(readers(), ['doctor']);
    assert.equal(run.code, 3);
    assert.ok(run.out.includes('FAIL  readers: no reader found'), run.out.join('\n'));
    assert.ok(run.out.includes('      fix: plug the reader in; on Linux check `lsusb` and that libccid supports it'), run.out.join('\n'));
  });
});

test('doctor --config checks the file and that each lane’s reader is present', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-doc-'));
  try {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ host: { host: '127.0.0.1', port: 9 }, lanes: [{ name: 'A', reader: 'Posbridge Virtual Reader 0' }, { name: 'B', reader: 'Missing Reader' }] }));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ lanes: [] }));
    const driver = new InProcessReaderDriver(['Posbridge Virtual Reader 0']);
    const r = await cli(driver, ['doctor', '--json', '--config', good]);
    const checks = (JSON.parse(r.out[0]) as { checks: { name: string; status: string }[] }).checks;
    assert.deepEqual(checks.filter((c) => c.name.startsWith('lane') || c.name === 'config').map((c) => [c.name, c.status]), [
      ['config', 'ok'],
      ['lane A', 'ok'],
      ['lane B', 'fail'],
    ]);
    const r2 = await cli(new InProcessReaderDriver(['x']), ['doctor', '--json', '--config', bad]);
    const c2 = (JSON.parse(r2.out[0]) as { checks: { name: string; status: string; detail: string }[] }).checks.find((c) => c.name === 'config');
    assert.equal(c2?.status, 'fail');
    assert.match(c2?.detail ?? '', /lanes/);
    // No host outside demo mode: refused as the daemon refuses it.
    const noHost = join(dir, 'no-host.json');
    writeFileSync(noHost, JSON.stringify({ lanes: [{ name: 'A', reader: 'Posbridge Virtual Reader 0' }] }));
    const r3 = await cli(new InProcessReaderDriver(['x']), ['doctor', '--json', '--config', noHost]);
    const c3 = (JSON.parse(r3.out[0]) as { checks: { name: string; status: string; detail: string }[] }).checks.find((c) => c.name === 'config');
    assert.equal(c3?.status, 'fail');
    assert.match(c3?.detail ?? '', /config: host: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('devices: each reader with its part 10 features — a class-3 reader shows its PIN pad; without a card, why not asked', async () => {
  const driver = new InProcessReaderDriver(['Keypad Reader', 'Plain Reader']);
  driver.insertCard('Keypad Reader', demoCard());
  driver.setPinPad('Keypad Reader', async () => null);
  const r = await cli(driver, ['devices', '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const report = JSON.parse(r.out[0]) as { readers: { name: string; pinPad: boolean; features: string[] | null; featuresError?: string }[] };
  const [keypad, plain] = report.readers;
  assert.equal(keypad.pinPad, true);
  assert.ok(keypad.features?.includes('VERIFY_PIN_DIRECT'), String(keypad.features));
  assert.deepEqual([plain.features, plain.featuresError], [null, 'NO_CARD']);
  const text = await cli(driver, ['devices']);
  assert.match(text.out.join('\n'), /Keypad Reader\tcard, ATR [0-9A-F]+\tPIN pad/);
});

test('doctor --config checks the data directory the file names (dataDir), not the default one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-doc-data-'));
  const saved = process.env.POSBRIDGE_DATA_DIR;
  process.env.POSBRIDGE_DATA_DIR = join(dir, 'from-env');
  try {
    const { writeFileSync, existsSync } = await import('node:fs');
    const lanes = [{ name: 'A', reader: R0 }];
    const host = { host: '127.0.0.1', port: 9 };
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ dataDir: join(dir, 'from-config'), host, lanes }));
    const dataCheck = (r: Run) => (JSON.parse(r.out[0]) as { checks: { name: string; status: string; detail: string; fix?: string }[] }).checks.find((c) => c.name === 'data directory');
    assert.deepEqual(dataCheck(await cli(readers(R0), ['doctor', '--json', '--config', good])), { name: 'data directory', status: 'ok', detail: join(dir, 'from-config') });
    assert.ok(existsSync(join(dir, 'from-config')) && !existsSync(join(dir, 'from-env')), 'the configured directory was checked, the environment one not');
    // A dataDir that cannot be a directory (under a file): the check fails and the fix names the file's key.
    writeFileSync(join(dir, 'a-file'), 'x');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ dataDir: join(dir, 'a-file', 'data'), host, lanes }));
    const run = await cli(readers(R0), ['doctor', '--json', '--config', bad]);
    const failed = dataCheck(run);
    assert.equal(failed?.status, 'fail');
    assert.ok(failed?.detail.startsWith(join(dir, 'a-file', 'data')), failed?.detail);
    assert.equal(failed?.fix, `set "dataDir" in ${bad} to a writable directory`);
    assert.equal(run.code, 1);
    // Without dataDir in the file, the default (here POSBRIDGE_DATA_DIR) is checked as before.
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify({ host, lanes }));
    assert.equal(dataCheck(await cli(readers(R0), ['doctor', '--json', '--config', plain]))?.detail, join(dir, 'from-env'));
  } finally {
    if (saved === undefined) delete process.env.POSBRIDGE_DATA_DIR;
    else process.env.POSBRIDGE_DATA_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sale/refund --amount is read in major units with the currency\'s exponent: 1234 JPY is 1234, not 123400', async () => {
  assert.deepEqual([parseAmount('12.34'), parseAmount('12.3'), parseAmount('1234', 0), parseAmount('12.345', 3), parseAmount('7', 3)], [1234, 1230, 1234, 12345, 7000]);
  assert.throws(() => parseAmount('12.5', 0), /like 1234 \(0 decimals at most/);
  assert.throws(() => parseAmount('1.2345', 3), /like 12\.345 \(3 decimals at most/);
  const yen = await cli(readers(), ['sale', '--amount', '12.50', '--currency', 'JPY', '--token', 'unused']);
  assert.equal(yen.code, 2);
  assert.match(yen.err.join('\n'), /--amount must be a decimal amount like 1234 \(0 decimals at most for this currency\), got "12\.50"/);
});

test('amounts are shown with the currency\'s ISO 4217 exponent', () => {
  assert.deepEqual(
    [formatMinor(1234, 'EUR'), formatMinor(1234, 'JPY'), formatMinor(12345, 'KWD'), formatMinor(5, 'EUR'), formatMinor(1234, '392'), formatMinor(7, 'XYZ')],
    ['12.34 EUR', '1234 JPY', '12.345 KWD', '0.05 EUR', '1234 JPY', '0.07 XYZ'],
  );
});

describe('posbridge status against a running daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-cli-status-'));
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  let token = '';
  before(async () => {
    const config = parseConfig({ port: 0, dataDir: dir, readers: 'virtual', demo: true, lanes: [{ name: 'A', reader: 'Virtual A' }] });
    daemon = await startDaemon(config, createLogger({ dataDir: dir, consoleLevel: 'silent' }));
    token = daemon.pair('cli test', 'cashier');
    // Two payments that end without a card (cancelled while waiting for one): 12.34 EUR and 1234 JPY.
    const client = new PosbridgeClient({ url: daemon.url, token, WebSocket: WebSocket as unknown as WebSocketFactory, reconnect: false });
    await client.connect();
    try {
      for (const [reference, currency] of [['st-eur', 'EUR'], ['st-jpy', 'JPY']] as const) {
        const started = await client.startPayment({ lane: 'A', type: 'sale', amount: 1234, currency, reference });
        const ended = new Promise<void>((resolve) => {
          const off = client.on('payment.completed', (p) => {
            if (p.paymentId !== started.paymentId) return;
            off();
            resolve();
          });
        });
        await client.cancelPayment(started.paymentId);
        await ended;
      }
    } finally {
      client.close();
    }
  });
  after(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const status = (...args: string[]): Promise<Run> => cli(readers(), ['status', ...args, '--url', daemon.url, '--token', token]);

  test('the amount is printed in major units with the currency\'s exponent; --json keeps minor units', async () => {
    const eur = await status('st-eur');
    assert.equal(eur.code, 0, eur.err.join('\n'));
    assert.deepEqual(eur.out, ['st-eur: cancelled (cancelled) 12.34 EUR']);
    const jpy = await status('st-jpy');
    assert.deepEqual(jpy.out, ['st-jpy: cancelled (cancelled) 1234 JPY']);
    const json = onlyJson(await status('st-eur', '--json')) as { amount: number; currency: string };
    assert.deepEqual([json.amount, json.currency], [1234, 'EUR']);
  });

  test('an unknown reference: with --json one JSON error object on stdout, same exit code as the text form', async () => {
    const text = await status('no-such-ref');
    assert.equal(text.code, 2);
    assert.deepEqual(text.out, []);
    assert.match(text.err.join('\n'), /^posbridge: NOT_FOUND: /);
    const json = await status('no-such-ref', '--json');
    assert.equal(json.code, text.code);
    assert.deepEqual(json.err, []);
    const doc = onlyJson(json) as { error: { code: string; message: string; retriable: boolean } };
    assert.deepEqual(Object.keys(doc), ['error']);
    assert.equal(doc.error.code, 'NOT_FOUND');
    assert.equal(typeof doc.error.message, 'string');
    assert.equal(doc.error.retriable, false);
  });
});

test('posbridge settle: a batch in three currencies closes; each currency\'s totals shown with its exponent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'posbridge-cli-settle-'));
  const saved = process.env.POSBRIDGE_DATA_DIR;
  const sim = await startSimulator();
  try {
    const stack = stackFor(sim, dir, new TestClock());
    try {
      for (const [ref, amount, currency, kind] of [['e1', 1934, '978', 'sale'], ['e2', 300, '978', 'refund'], ['j1', 1200, '392', 'sale'], ['u1', 2500, '840', 'sale']] as const) {
        const a = await stack.link.authorize(saleFor('visa-issuer-scripts', amount, ref, { currency, kind }));
        assert.equal(a.outcome, 'approved');
        stack.link.complete(a.reversalId ?? -1);
      }
    } finally {
      await stack.close();
    }
    process.env.POSBRIDGE_DATA_DIR = dir;
    const run = await cli(readers(), ['settle', '--host', `127.0.0.1:${sim.port}`]);
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(run.out.slice(1), ['  JPY: 1 sales 1200 JPY, 0 refunds 0 JPY, reversed 0 → 00', '  USD: 1 sales 25.00 USD, 0 refunds 0.00 USD, reversed 0 → 00', '  EUR: 1 sales 19.34 EUR, 1 refunds 3.00 EUR, reversed 0 → 00']);
    assert.match(run.out[0], /^Batch \d+ closed: the host agreed/);
    assert.deepEqual(sim.received('0500').map((r) => r.answer?.responseCode), ['00', '00', '00']);
  } finally {
    if (saved === undefined) delete process.env.POSBRIDGE_DATA_DIR;
    else process.env.POSBRIDGE_DATA_DIR = saved;
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('emv read trusts the simulators\' test CA only with --test-keys: without it a virtual card fails ODA', async () => {
  const driver = new InProcessReaderDriver([R0]);
  driver.insertCard(R0, createCard('visa-sda-pse'));
  const read = async (argv: string[]): Promise<string> => {
    const r = await cli(driver, ['emv', 'read', '--json', ...argv]);
    assert.equal(r.code, 0, r.err.join('\n'));
    return (JSON.parse(r.out[0]) as { selected: { odaResult: string } }).selected.odaResult;
  };
  const production = await read([]);
  assert.notEqual(production, 'ok', 'the production CA list does not know the test CA');
  assert.match(production, /fail|no CA key|unknown/i);
  assert.equal(await read(['--test-keys']), 'ok');
  await driver.close();
});
