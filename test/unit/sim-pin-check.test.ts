// The host simulator's online PIN check (src/sim/host/pin-check.ts, issuer.ts) on in-memory 0200s, the simulators'
// DUKPT helpers (KSN register, format 0/4 round trips under the standards' test BDKs), and SimulatedPinEntry's
// online PIN block.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/apdu/hex.js';
import { decodeFormat0 } from '../../src/crypto/pin-block.js';
import { deriveTdesPinKeyFromBdk, tdesDecryptPinBlock } from '../../src/crypto/dukpt-tdes.js';
import { Iso8583Message } from '../../src/host/iso8583/index.js';
import { getProfile } from '../../src/sim/emv/index.js';
import { builtInCards, decideAuthorization } from '../../src/sim/host/issuer.js';
import { builtInPins, checkOnlinePin } from '../../src/sim/host/pin-check.js';
import { encryptOnlinePin, KsnCounter, SIM_AES_BDK, SIM_AES_INITIAL_KSN, SIM_TDES_BDK, SIM_TDES_INITIAL_KSN } from '../../src/sim/pinpad/sim-dukpt.js';
import { SimulatedPinEntry } from '../../src/sim/pinpad/sim-pin-entry.js';

const profile = getProfile('mastercard-dda-online-pin');
const app = profile.applications[0];

/** A 0200 for the online-PIN card with field 52/53 as given (no field 55: the PIN decides). */
function sale(block?: Uint8Array, ksn?: Uint8Array): Iso8583Message {
  const f: Record<number, string | Uint8Array> = { 2: app.pan, 3: '000000', 4: '000000004200', 11: '000001', 23: app.psn.padStart(3, '0'), 41: 'POSB0001', 49: '978' };
  if (block) f[52] = block;
  if (ksn) f[53] = ksn;
  return Iso8583Message.of('0200', f);
}

describe('simulator DUKPT helpers', () => {
  test('KSN register: counts up from the initial KSN, skipping counters with more than 10 (TDES) set bits', () => {
    const c = new KsnCounter('tdes-dukpt', fromHex(SIM_TDES_INITIAL_KSN));
    assert.equal(toHex(c.peek()), 'FFFF9876543210E00001');
    assert.equal(toHex(c.next()), 'FFFF9876543210E00001');
    assert.equal(toHex(c.next()), 'FFFF9876543210E00002');
    const high = new KsnCounter('tdes-dukpt', fromHex('FFFF9876543210E003FE')); // 0x3FE has 9 bits; 0x3FF has 10; 0x400 next
    assert.equal(toHex(high.next()), 'FFFF9876543210E003FF');
    const over = new KsnCounter('tdes-dukpt', fromHex('FFFF9876543210E7FDFF'));
    assert.equal(toHex(over.next()), 'FFFF9876543210E7FE00', '0x7FE00 (10 bits) follows 0x7FDFF (16 bits) after skipping');
    const aes = new KsnCounter('aes-dukpt', fromHex(SIM_AES_INITIAL_KSN));
    assert.equal(toHex(aes.next()), '123456789012345600000001');
  });

  test('X9.24-1 A.4 vector: PIN 1234, PAN 4012345678909, first KSN → encrypted block 1B9C1845EB993A7A', () => {
    const { format, block } = encryptOnlinePin('tdes-dukpt', fromHex(SIM_TDES_BDK), fromHex('FFFF9876543210E00001'), '1234', '4012345678909');
    assert.equal(format, 0);
    assert.equal(toHex(block), '1B9C1845EB993A7A');
  });
});

describe('host simulator PIN check', () => {
  const tdesKsn = fromHex('FFFF9876543210E00007');
  const aesKsn = fromHex('123456789012345600000003');
  const tdes = (pin: string): Uint8Array => encryptOnlinePin('tdes-dukpt', fromHex(SIM_TDES_BDK), tdesKsn, pin, app.pan).block;
  const aes = (pin: string): Uint8Array => encryptOnlinePin('aes-dukpt', fromHex(SIM_AES_BDK), aesKsn, pin, app.pan).block;

  test('the profile PIN is found by PAN and PSN', () => {
    assert.equal(builtInPins(app.pan, app.psn), profile.pin);
    assert.equal(builtInPins('4000000000000002', '00'), null);
  });

  test('TDES format 0 and AES format 4: right PIN verified, wrong PIN wrong; KSN as bytes or hex text', () => {
    assert.deepEqual(checkOnlinePin(sale(tdes(profile.pin), tdesKsn), app.pan, profile.pin), { verdict: 'verified' });
    assert.deepEqual(checkOnlinePin(sale(tdes('9999'), tdesKsn), app.pan, profile.pin), { verdict: 'wrong' });
    assert.deepEqual(checkOnlinePin(sale(aes(profile.pin), aesKsn), app.pan, profile.pin), { verdict: 'verified' });
    assert.deepEqual(checkOnlinePin(sale(aes('12345'), aesKsn), app.pan, profile.pin), { verdict: 'wrong' });
    const textKsn = Iso8583Message.of('0200', { 52: tdes(profile.pin), 53: toHex(tdesKsn) });
    assert.equal(checkOnlinePin(textKsn, app.pan, profile.pin).verdict, 'verified');
    assert.equal(checkOnlinePin(sale(), app.pan, profile.pin).verdict, 'absent');
  });

  test('undecipherable: no KSN, another KSN (other key), another BDK, a 16-byte block with a TDES KSN', () => {
    assert.equal(checkOnlinePin(sale(tdes(profile.pin)), app.pan, profile.pin).verdict, 'undecipherable');
    assert.equal(checkOnlinePin(sale(tdes(profile.pin), fromHex('FFFF9876543210E00008')), app.pan, profile.pin).verdict, 'undecipherable');
    const other = encryptOnlinePin('tdes-dukpt', fromHex('00112233445566778899AABBCCDDEEFF'), tdesKsn, profile.pin, app.pan).block;
    assert.equal(checkOnlinePin(sale(other, tdesKsn), app.pan, profile.pin).verdict, 'undecipherable');
    assert.equal(checkOnlinePin(sale(aes(profile.pin), tdesKsn), app.pan, profile.pin).verdict, 'undecipherable');
  });

  test('decideAuthorization: right PIN 00 (noted), wrong PIN 55, undecipherable 81, unknown card still 14', () => {
    const code = (): string => 'A00001';
    const ok = decideAuthorization(sale(tdes(profile.pin), tdesKsn), builtInCards, code);
    assert.equal(ok.responseCode, '00');
    assert.match(ok.note ?? '', /online PIN verified/);
    assert.equal(decideAuthorization(sale(tdes('0000'), tdesKsn), builtInCards, code).responseCode, '55');
    assert.equal(decideAuthorization(sale(aes('0000'), aesKsn), builtInCards, code).responseCode, '55');
    assert.equal(decideAuthorization(sale(tdes(profile.pin)), builtInCards, code).responseCode, '81');
    assert.equal(decideAuthorization(sale(tdes(profile.pin), tdesKsn).with(2, '4000000000000002'), builtInCards, code).responseCode, '14');
  });
});

describe('SimulatedPinEntry online PIN', () => {
  test('format 0 under TDES DUKPT with a fresh KSN per entry; the BDK decrypts it to the PIN', async () => {
    const pad = new SimulatedPinEntry(async () => '4321');
    const ra = await pad.onlinePin({ amount: 100, currency: '0978', pan: app.pan });
    const rb = await pad.onlinePin({ amount: 100, currency: '0978', pan: app.pan });
    assert.ok(ra.kind === 'pin' && rb.kind === 'pin');
    const [a, b] = [ra.pin, rb.pin];
    assert.equal(a.format, 0);
    assert.equal(a.ksn, 'FFFF9876543210E00001');
    assert.equal(b.ksn, 'FFFF9876543210E00002');
    const key = deriveTdesPinKeyFromBdk(fromHex(SIM_TDES_BDK), fromHex(a.ksn!));
    assert.equal(decodeFormat0(tdesDecryptPinBlock(key, fromHex(a.block)), app.pan), '4321');
    // No PIN (cancel key, nobody at the pad): the entry ends as cancelled (the kernel ends the transaction).
    assert.deepEqual(await new SimulatedPinEntry(async () => null).onlinePin({ amount: 1, currency: '0978', pan: app.pan }), { kind: 'cancelled' });
  });
});
