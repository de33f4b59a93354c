// Field quirks the kernel copes with, on scripted cards (commented request/response pairs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../../src/apdu/hex.js';
import { CardIo } from '../../src/emv/card-io.js';
import { EmvDataStore } from '../../src/emv/data-store.js';
import { getProcessingOptions } from '../../src/emv/initiate.js';
import { buildDolData, parseDol } from '../../src/apdu/dol.js';
import { dolFormatOf } from '../../src/emv/data-store.js';
import { ScriptedCard } from '../../src/sim/scripted-card.js';
import type { CardChannel } from '../../src/apdu/card-channel.js';

function channel(card: ScriptedCard): CardChannel {
  return { atr: card.atr, protocol: 'T=1', transmit: async (c) => card.process(c) };
}

test('GPO refused with 6700 as case 4 is sent again without Le (case 3)', async () => {
  const card = new ScriptedCard('3B8080010101', [
    { comment: 'GPO with Le: this card wants none', command: '80A8000002830000', response: '6700' },
    { comment: 'GPO without Le', command: '80A80000028300', response: '800A5C000801020210010200' + '9000' },
  ]);
  const store = new EmvDataStore();
  const r = await getProcessingOptions(new CardIo(channel(card)), store);
  card.assertComplete();
  assert.ok(r.ok);
  assert.deepEqual(r.afl, [
    { sfi: 1, first: 1, last: 2, oda: 2 },
    { sfi: 2, first: 1, last: 2, oda: 0 },
  ]);
});

test('a tag repeated in a DOL is filled each time; the TTQ of a contactless PDOL is filled from the terminal', () => {
  const store = new EmvDataStore();
  store.setTerminal(0x9f66, fromHex('36004000'));
  store.setTerminal(0x9f02, fromHex('000000001234'));
  const data = buildDolData(parseDol(fromHex('9F66049F02069F6604')), (t) => store.get(t), dolFormatOf);
  assert.deepEqual(data, fromHex('36004000' + '000000001234' + '36004000'));
});
