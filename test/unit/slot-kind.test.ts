// Which interface a reader slot is, from vendors' slot names and, with a card in, the PC/SC Part 3 contactless ATR.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../../src/apdu/hex.js';
import { slotKind } from '../../src/drivers/pcsc/slot-kind.js';

test('dual-interface readers: the PICC slot is contactless, the ICC slot contact, the SAM slot a SAM', () => {
  assert.equal(slotKind('ACS ACR1252 1S CL Reader PICC 0'), 'contactless');
  assert.equal(slotKind('ACS ACR1252 1S CL Reader SAM 0'), 'sam');
  assert.equal(slotKind('ACS ACR1552 1S CL Reader PICC 00 00'), 'contactless');
  assert.equal(slotKind('HID Global OMNIKEY 5422 Smartcard Reader [OMNIKEY 5422CL Smartcard Reader] 01 00'), 'contactless');
  assert.equal(slotKind('HID Global OMNIKEY 5422 Smartcard Reader [OMNIKEY 5422 Smartcard Reader] 00 00'), 'contact');
  assert.equal(slotKind('Identiv uTrust 3700 F CL Reader 00 00'), 'contactless');
  assert.equal(slotKind('ACS ACR39U ICC Reader 00 00'), 'contact');
  assert.equal(slotKind('Posbridge Virtual PCD 00 00'), 'unknown', 'vpcd names its slots alike: configured by name');
  assert.equal(slotKind('Gemalto USB Shell Token V2 00 00'), 'unknown');
});

test("a contactless storage card's PC/SC ATR says contactless whatever the name; other ATRs leave the name to decide", () => {
  assert.equal(slotKind('Some Reader 00 00', fromHex('3B8F8001804F0CA0000003060300030000000068')), 'contactless');
  // An ISO 14443-4 card's built ATR has the shape of a contact T=1 card's (this one is a contact card's): no verdict.
  assert.equal(slotKind('Some Reader 00 00', fromHex('3B8E800180318066B1840C016E0183009000E1')), 'unknown');
  assert.equal(slotKind('ACS ACR39U ICC Reader 00 00', fromHex('3B6800000073C84000009000')), 'contact');
  assert.equal(slotKind('Some Reader 00 00', fromHex('3B6800000073C84000009000')), 'unknown');
});
