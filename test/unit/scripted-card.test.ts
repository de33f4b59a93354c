import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptedCard, SimError, type ScriptStep } from '../../src/sim/scripted-card.js';
import { ApduError } from '../../src/apdu/errors.js';
import { fromHex, toHex } from '../../src/apdu/hex.js';

const ATR = '3B6800000073C84013009000';
const SELECT_PSE = '00A404000E315041592E5359532E444446303100';
const STEPS: ScriptStep[] = [
  { comment: 'SELECT PSE', command: SELECT_PSE, response: '6F1A840E315041592E5359532E4444463031A5088801015F2D02656E9000' },
  { comment: 'READ RECORD SFI 1 record 1', command: '00B2010C00', response: '7019611757A0000000031010500B56495341204352454449548701019000' },
  { comment: 'SELECT Visa credit', command: '00A4040007A000000003101000', response: '6A82' },
];

function run(card: ScriptedCard, hex: string): string {
  return toHex(card.process(fromHex(hex)) as Uint8Array);
}

function failure(card: ScriptedCard): SimError {
  let caught: unknown;
  assert.throws(() => card.assertComplete(), (e: unknown) => {
    caught = e;
    return e instanceof SimError;
  });
  return caught as SimError;
}

describe('ScriptedCard', () => {
  test('answers each step in order, then is complete', () => {
    const card = new ScriptedCard(ATR, STEPS);
    assert.equal(toHex(card.atr), ATR);
    assert.equal(card.position, 0);
    assert.equal(run(card, SELECT_PSE), STEPS[0].response);
    assert.equal(card.position, 1);
    assert.equal(run(card, '00B2010C00'), STEPS[1].response);
    assert.equal(run(card, '00A4040007A000000003101000'), '6A82');
    assert.equal(card.position, 3);
    assert.doesNotThrow(() => card.assertComplete());
  });

  test('script hex may be spaced and lowercase', () => {
    const card = new ScriptedCard('3b 68 00 00 00 73 c8 40 13 00 90 00', [{ comment: 'GET DATA ATC', command: '80 ca 9f 36 00', response: '9f 36 02 00 1a 90 00' }]);
    assert.equal(toHex(card.atr), ATR);
    assert.equal(run(card, '80CA9F3600'), '9F3602001A9000');
    card.assertComplete();
  });

  test('the same command is answered by the step it is at, not by the first match', () => {
    const card = new ScriptedCard(ATR, [
      { comment: 'GET CHALLENGE 1', command: '0084000000', response: '11111111111111119000' },
      { comment: 'GET CHALLENGE 2', command: '0084000000', response: '22222222222222229000' },
    ]);
    assert.equal(run(card, '0084000000'), '11111111111111119000');
    assert.equal(run(card, '0084000000'), '22222222222222229000');
  });

  test('a mismatch answers 6F00 and assertComplete names step, comment and both hex strings', () => {
    const card = new ScriptedCard(ATR, STEPS);
    run(card, SELECT_PSE);
    assert.equal(run(card, '00B2020C00'), '6F00');
    const err = failure(card);
    assert.equal(err.code, 'SCRIPT_MISMATCH');
    assert.match(err.message, /step 2\b/);
    assert.ok(err.message.includes('READ RECORD SFI 1 record 1'));
    assert.ok(err.message.includes('00B2010C00'), 'expected hex');
    assert.ok(err.message.includes('00B2020C00'), 'received hex');
    assert.deepEqual(err.details, { step: 2, comment: 'READ RECORD SFI 1 record 1', expected: '00B2010C00', got: '00B2020C00' });
  });

  test('after a mismatch the card keeps answering 6F00, even to the expected command', () => {
    const card = new ScriptedCard(ATR, STEPS);
    run(card, '00A4040007A000000004101000');
    assert.equal(run(card, SELECT_PSE), '6F00');
    assert.equal(card.position, 0);
    const err = failure(card);
    assert.equal(err.code, 'SCRIPT_MISMATCH');
    assert.equal(err.details.step, 1);
    assert.equal(err.details.got, '00A4040007A000000004101000');
  });

  test('unused steps: SCRIPT_INCOMPLETE naming the next step', () => {
    const card = new ScriptedCard(ATR, STEPS);
    run(card, SELECT_PSE);
    const err = failure(card);
    assert.equal(err.code, 'SCRIPT_INCOMPLETE');
    assert.equal(err.details.step, 2);
    assert.match(err.message, /step 2 of 3/);
    assert.ok(err.message.includes('READ RECORD SFI 1 record 1'));
    assert.equal(failure(new ScriptedCard(ATR, STEPS)).details.step, 1);
  });

  test('a command past the end: 6F00 and SCRIPT_EXHAUSTED with the command', () => {
    const card = new ScriptedCard(ATR, STEPS.slice(0, 1));
    run(card, SELECT_PSE);
    assert.equal(run(card, '00B2010C00'), '6F00');
    const err = failure(card);
    assert.equal(err.code, 'SCRIPT_EXHAUSTED');
    assert.equal(err.details.got, '00B2010C00');
    assert.ok(err.message.includes('00B2010C00'));
  });

  test('reset does not rewind the script', () => {
    const card = new ScriptedCard(ATR, STEPS);
    run(card, SELECT_PSE);
    card.reset();
    assert.equal(run(card, '00B2010C00'), STEPS[1].response);
    assert.equal(card.position, 2);
  });

  test('an empty script is complete; bad hex in a script is refused at construction', () => {
    new ScriptedCard(ATR, []).assertComplete();
    assert.throws(
      () => new ScriptedCard(ATR, [{ comment: 'bad', command: '00A4G0', response: '9000' }]),
      (e: unknown) => e instanceof ApduError && e.code === 'HEX_INVALID' && e.details.offset === 4,
    );
  });
});
