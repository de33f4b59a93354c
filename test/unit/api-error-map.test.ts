// The dispatcher's error boundary: every error family answered with its documented API code and the right
// `retriable` (the family's own for devices and the host), device details limited and masked, and only the daemon's
// own failures answered INTERNAL_ERROR without their details.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrackError } from '../../src/cards/errors.js';
import { ConfigError } from '../../src/daemon/config.js';
import { DisplayError } from '../../src/drivers/display/errors.js';
import { HidError } from '../../src/drivers/hid/errors.js';
import { ReaderError } from '../../src/drivers/pcsc/errors.js';
import { DukptError } from '../../src/crypto/dukpt-errors.js';
import { Part10Error } from '../../src/drivers/pinpad/part10-errors.js';
import { ReaderPinPadError } from '../../src/drivers/pinpad/reader-pin-pad-errors.js';
import { PinPadError } from '../../src/drivers/pinpad/serial-pinpad-errors.js';
import { PrinterError } from '../../src/drivers/printer/errors.js';
import { EmvError } from '../../src/emv/errors.js';
import { HostError } from '../../src/host/errors.js';
import { JournalError } from '../../src/journal/errors.js';
import { PaymentError } from '../../src/payments/errors.js';
import { ReceiptError } from '../../src/receipts/receipt-printing.js';
import { apiErrorOf, INTERNAL_MESSAGE } from '../../src/api/error-map.js';
import { ApiError, API_ERRORS } from '../../src/api/errors.js';
import { errorBoundary } from '../../src/api/rpc.js';

/** What the client sees of `err`: the stable code, retriable, and details. */
function wire(err: unknown): { code: string; retriable: boolean; details: Record<string, unknown> | undefined; message: string } {
  const r = apiErrorOf(err).toRpc();
  assert.equal(r.code, API_ERRORS[r.data.code as keyof typeof API_ERRORS].rpc, 'the JSON-RPC number is the table\'s');
  return { code: r.data.code, retriable: r.data.retriable, details: r.data.details, message: r.message };
}

test('device and host families: DEVICE_UNAVAILABLE naming the part and its code, retriable as the family says', () => {
  const cases: [Error, string, string, boolean][] = [
    [new ReaderError('CARD_REMOVED', 'card removed'), 'reader', 'CARD_REMOVED', true],
    [new ReaderError('PCSC_BINDING_MISSING', 'no binding'), 'reader', 'PCSC_BINDING_MISSING', false],
    [new EmvError('EMV_READER_FAILED', 'read-records', 'reader failed'), 'card', 'EMV_READER_FAILED', true],
    [new EmvError('EMV_CARD_BLOCKED', 'selection', 'blocked'), 'card', 'EMV_CARD_BLOCKED', false],
    [new PinPadError('PINPAD_DISCONNECTED', 'gone'), 'pinpad', 'PINPAD_DISCONNECTED', true],
    [new PinPadError('PINPAD_REFUSED', 'refused'), 'pinpad', 'PINPAD_REFUSED', false],
    [new ReaderPinPadError('READER_PIN_PAD_ANSWER_INVALID', 'short'), 'pinpad', 'READER_PIN_PAD_ANSWER_INVALID', false],
    [new Part10Error('PART10_FEATURES_MALFORMED', 'bad'), 'pinpad', 'PART10_FEATURES_MALFORMED', false],
    [new PrinterError('PRINTER_UNREACHABLE', 'unplugged'), 'printer', 'PRINTER_UNREACHABLE', true],
    [new PrinterError('PRINTER_URL_INVALID', 'bad url'), 'printer', 'PRINTER_URL_INVALID', false],
    [new DisplayError('DISPLAY_UNREACHABLE', 'gone'), 'display', 'DISPLAY_UNREACHABLE', true],
    [new HidError('HID_UNAVAILABLE', 'no node-hid'), 'stripe', 'HID_UNAVAILABLE', false],
    [new TrackError('HID_TRACK_LRC', 'bad LRC'), 'stripe', 'HID_TRACK_LRC', true],
    [new TrackError('HID_PAN_LUHN', 'bad PAN'), 'stripe', 'HID_PAN_LUHN', false],
    [new HostError('HOST_TIMEOUT', 'no answer'), 'host', 'HOST_TIMEOUT', true],
    [new HostError('HOST_TLS_PIN_MISMATCH', 'pin mismatch'), 'host', 'HOST_TLS_PIN_MISMATCH', false],
  ];
  for (const [err, device, deviceCode, retriable] of cases) {
    const w = wire(err);
    assert.deepEqual([w.code, w.retriable, w.details?.device, w.details?.deviceCode], ['DEVICE_UNAVAILABLE', retriable, device, deviceCode], deviceCode);
  }
});

test("a printer's details reach the client; other parts' details do not, and card numbers in messages are masked", () => {
  assert.equal(wire(new PrinterError('PRINTER_NOT_READY', 'paper end', { status: 'paper end' })).details?.status, 'paper end');
  const w = wire(new ReaderError('PCSC_ERROR', 'transmit of 5413330089601075 failed', { apdu: '00B2010C00', pcsc: 'x' }));
  assert.deepEqual(w.details, { device: 'reader', deviceCode: 'PCSC_ERROR' });
  assert.ok(!w.message.includes('5413330089601075'), w.message);
});

test('payment, receipt and journal errors: their API codes', () => {
  assert.deepEqual(wire(new PaymentError('PAYMENT_LANE_BUSY', 'busy', { paymentId: 'p1' })), { code: 'BUSY', retriable: true, details: { paymentId: 'p1' }, message: 'busy' });
  assert.equal(wire(new PaymentError('PAYMENT_NOT_FOUND', 'no such payment')).code, 'NOT_FOUND');
  assert.deepEqual([wire(new PaymentError('PAYMENT_INVALID', 'reused reference')).code, wire(new PaymentError('PAYMENT_STATE_CONFLICT', 'not running')).code], ['INVALID_PARAMS', 'INVALID_PARAMS']);
  assert.deepEqual(Object.values(wire(new PaymentError('PAYMENT_NO_CARD', 'no card'))).slice(0, 2), ['DEVICE_UNAVAILABLE', true]);
  assert.deepEqual([wire(new ReceiptError('RECEIPT_ALREADY_PRINTED', 'printed')).code, wire(new ReceiptError('RECEIPT_ALREADY_PRINTED', 'printed')).retriable], ['ALREADY_PRINTED', false]);
  assert.equal(wire(new JournalError('JOURNAL_NOT_FOUND', 'no record')).code, 'NOT_FOUND');
  assert.deepEqual(Object.values(wire(new JournalError('JOURNAL_LOCKED', 'locked'))).slice(0, 2), ['BUSY', true]);
  const seal = wire(new JournalError('JOURNAL_SEAL_FAILED', 'cannot open item 3 with key /secret/path'));
  assert.deepEqual(seal, { code: 'INTERNAL_ERROR', retriable: false, details: { errorCode: 'JOURNAL_SEAL_FAILED' }, message: INTERNAL_MESSAGE });
});

test("the daemon's own failures: INTERNAL_ERROR with nothing of the cause but a posbridge code; retriable only when unknown or said", () => {
  assert.deepEqual(wire(new Error('boom 4761739001010119')), { code: 'INTERNAL_ERROR', retriable: true, details: undefined, message: INTERNAL_MESSAGE });
  assert.deepEqual(wire(new DukptError('KSN_INVALID', 'ksn')), { code: 'INTERNAL_ERROR', retriable: false, details: { errorCode: 'KSN_INVALID' }, message: INTERNAL_MESSAGE });
  assert.equal(wire(new ConfigError('port', 'bad')).retriable, false);
  assert.equal(wire('a thrown string').code, 'INTERNAL_ERROR');
});

test('the boundary passes ApiErrors through untouched and logs every other error once', () => {
  const logged: [unknown, string][] = [];
  const log = (e: unknown, a: ApiError): void => void logged.push([e, a.code]);
  const api = new ApiError('NOT_FOUND', 'no lane "Z"', { param: 'lane' });
  assert.equal(errorBoundary(api, log), api);
  assert.equal(logged.length, 0);
  const reader = new ReaderError('NO_READER', 'no reader');
  assert.equal(errorBoundary(reader, log).code, 'DEVICE_UNAVAILABLE');
  assert.deepEqual(logged, [[reader, 'DEVICE_UNAVAILABLE']]);
});
