// PC/SC part 10 feature list parsing and control codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../../src/apdu/hex.js';
import { ReaderError } from '../../src/drivers/pcsc/errors.js';
import { getFeatureRequestCode, parseFeatures, scardCtlCode } from '../../src/drivers/pcsc/features.js';

test('CM_IOCTL_GET_FEATURE_REQUEST is SCARD_CTL_CODE(3400) per platform', () => {
  assert.equal(getFeatureRequestCode('linux'), 0x42000d48);
  assert.equal(getFeatureRequestCode('darwin'), 0x42000d48);
  assert.equal(getFeatureRequestCode('win32'), 0x00313520);
  assert.equal(scardCtlCode(1, 'linux'), 0x42000001);
});

test('parses a class-3 reader feature list (tag, length 4, big-endian control code)', () => {
  // As a CCID PIN pad reader answers under pcsc-lite: VERIFY_PIN_DIRECT, MODIFY_PIN_DIRECT, IFD_PIN_PROPERTIES, GET_TLV_PROPERTIES.
  const f = parseFeatures(fromHex('060442330006 070442330007 0A044233000A 120442330012'));
  assert.deepEqual([...f], [
    ['VERIFY_PIN_DIRECT', 0x42330006],
    ['MODIFY_PIN_DIRECT', 0x42330007],
    ['IFD_PIN_PROPERTIES', 0x4233000a],
    ['GET_TLV_PROPERTIES', 0x42330012],
  ]);
});

test('unknown tags are kept by number; an empty answer means no features', () => {
  assert.deepEqual([...parseFeatures(fromHex('7F0401020304'))], [['FEATURE_7F', 0x01020304]]);
  assert.equal(parseFeatures(new Uint8Array(0)).size, 0);
});

test('a truncated or wrong-length entry is refused with PCSC_ERROR naming the offset', () => {
  for (const hex of ['06044233', '0603423300', '060442330006 07']) {
    assert.throws(() => parseFeatures(fromHex(hex)), (e: unknown) => e instanceof ReaderError && e.code === 'PCSC_ERROR' && typeof e.details.offset === 'number');
  }
});
