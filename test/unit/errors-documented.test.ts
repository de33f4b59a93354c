// Every stable error code in the source is documented in docs/errors.md (house style: one errors module per layer).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { APDU_ERROR_CODES } from '../../src/apdu/errors.js';
import { READER_ERROR_CODES } from '../../src/drivers/pcsc/errors.js';
import { SIM_ERROR_CODES } from '../../src/sim/scripted-card.js';
import { EMV_ERROR_CODES } from '../../src/emv/errors.js';
import { EMV_CRYPTO_ERROR_CODES } from '../../src/crypto/errors.js';
import { ISO8583_ERROR_CODES } from '../../src/host/iso8583/errors.js';
import { HOST_ERROR_CODES } from '../../src/host/errors.js';
import { JOURNAL_ERROR_CODES } from '../../src/journal/errors.js';
import { EMV_SIM_ERROR_CODES } from '../../src/sim/emv/errors.js';
import { API_ERROR_CODES } from '../../src/api/errors.js';
import { PAYMENT_ERROR_CODES } from '../../src/payments/errors.js';
import { PRINTER_ERROR_CODES } from '../../src/drivers/printer/errors.js';
import { DUKPT_ERROR_CODES } from '../../src/crypto/dukpt-errors.js';
import { HID_ERROR_CODES } from '../../src/drivers/hid/errors.js';
import { TRACK_ERROR_CODES } from '../../src/cards/errors.js';
import { STRIPE_REFUSAL_CODES } from '../../src/payments/stripe-rules.js';
import { RECEIPT_ERROR_CODES } from '../../src/receipts/receipt-printing.js';
import { PART10_ERROR_CODES } from '../../src/drivers/pinpad/part10-errors.js';
import { READER_PIN_PAD_ERROR_CODES } from '../../src/drivers/pinpad/reader-pin-pad-errors.js';
import { DISPLAY_ERROR_CODES } from '../../src/drivers/display/errors.js';
import { PINPAD_ERROR_CODES } from '../../src/drivers/pinpad/serial-pinpad-errors.js';
import { CONFIG_ERROR_CODES } from '../../src/daemon/config.js';
import { DAEMON_ERROR_CODES } from '../../src/config/daemon-errors.js';
import { NEXO_ERROR_CODES } from '../../src/nexo/errors.js';
import { SHIFT_ERROR_CODES } from '../../src/reports/errors.js';
import { INVOICE_ERROR_CODES } from '../../src/invoices/errors.js';

const doc = readFileSync(join(process.cwd(), 'docs', 'errors.md'), 'utf8');

test('every error code is documented in docs/errors.md', () => {
  const codes = [...APDU_ERROR_CODES, ...READER_ERROR_CODES, ...SIM_ERROR_CODES, ...EMV_ERROR_CODES, ...EMV_CRYPTO_ERROR_CODES, ...ISO8583_ERROR_CODES, ...HOST_ERROR_CODES, ...JOURNAL_ERROR_CODES, ...EMV_SIM_ERROR_CODES, ...API_ERROR_CODES, ...PAYMENT_ERROR_CODES, ...CONFIG_ERROR_CODES, ...PRINTER_ERROR_CODES, ...DUKPT_ERROR_CODES, ...HID_ERROR_CODES, ...TRACK_ERROR_CODES, ...STRIPE_REFUSAL_CODES, ...RECEIPT_ERROR_CODES, ...PART10_ERROR_CODES, ...READER_PIN_PAD_ERROR_CODES, ...DISPLAY_ERROR_CODES, ...PINPAD_ERROR_CODES, ...DAEMON_ERROR_CODES, ...NEXO_ERROR_CODES, ...SHIFT_ERROR_CODES, ...INVOICE_ERROR_CODES, 'USAGE'];
  const missing = codes.filter((c) => !doc.includes(`\`${c}\``));
  assert.deepEqual(missing, []);
});

test('docs/errors.md documents no code the source does not have', () => {
  const codes = new Set<string>([...APDU_ERROR_CODES, ...READER_ERROR_CODES, ...SIM_ERROR_CODES, ...EMV_ERROR_CODES, ...EMV_CRYPTO_ERROR_CODES, ...ISO8583_ERROR_CODES, ...HOST_ERROR_CODES, ...JOURNAL_ERROR_CODES, ...EMV_SIM_ERROR_CODES, ...API_ERROR_CODES, ...PAYMENT_ERROR_CODES, ...CONFIG_ERROR_CODES, ...PRINTER_ERROR_CODES, ...DUKPT_ERROR_CODES, ...HID_ERROR_CODES, ...TRACK_ERROR_CODES, ...STRIPE_REFUSAL_CODES, ...RECEIPT_ERROR_CODES, ...PART10_ERROR_CODES, ...READER_PIN_PAD_ERROR_CODES, ...DISPLAY_ERROR_CODES, ...PINPAD_ERROR_CODES, ...DAEMON_ERROR_CODES, ...NEXO_ERROR_CODES, ...SHIFT_ERROR_CODES, ...INVOICE_ERROR_CODES, 'USAGE']);
  const documented = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.filter((c) => !codes.has(c)), []);
});
