// Golden receipts: each layout's receiptline document, its text form and its SVG preview (receiptline's own SVG,
// made reproducible) compared byte for byte with test/fixtures/receipts/. A layout change fails here until the
// golden files are regenerated on purpose and the diff reviewed:
//   npx tsc -p tsconfig.json && UPDATE_GOLDEN=1 node --test dist/test/unit/receipt-golden.test.js
// The paper's bytes come from the same document: the ESC/POS job, decoded by the software printer, carries the text
// form's words in the same order, and a Chinese receipt for a printer without a Chinese font is the SVG rasterized.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PrinterProfile } from '../../src/drivers/printer/printer-profile.js';
import { renderJob, renderSvg, renderText } from '../../src/drivers/printer/render.js';
import type { Payment } from '../../src/payments/payment-store.js';
import { receiptDocument, type Merchant, type ReceiptCopy } from '../../src/receipts/receipt-document.js';
import { receiptViews } from '../../src/receipts/receipt-views.js';
import { EscPosEmulator } from '../../src/sim/printer/escpos-emulator.js';

const DIR = join(process.cwd(), 'test', 'fixtures', 'receipts');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const SHOP: Merchant = { name: 'Corner Shop', address: ['Main Street 1', '1000 Brussels'], terminalId: 'POSB0001' };
const CHINESE_SHOP: Merchant = { name: '街角小店', address: ['人民路 1 号'], terminalId: 'POSB0001', language: 'zh' };
const EN: PrinterProfile = { cpl: 42, encoding: 'cp858' };
/** A shop with the invoice QR code configured (invoice.qrUrl). */
const INVOICE_SHOP: Merchant = { ...SHOP, invoiceQrUrl: 'https://fapiao.example/issue?ref={reference}&amount={amount}&cur={currency}&date={date}&tid={terminalId}' };

const SALE: Payment = {
  id: 'pay-1',
  lane: 'A',
  type: 'sale',
  amount: 1234,
  currency: '978',
  reference: 'order-1',
  state: 'completed',
  result: 'approved',
  createdAt: Date.UTC(2026, 0, 2, 10, 4, 5),
  updatedAt: Date.UTC(2026, 0, 2, 10, 4, 9),
  maskedPan: '476173******0119',
  aid: 'A0000000031010',
  scheme: 'visa',
  cvm: 'online-pin',
  authCode: 'A1B2C3',
  responseCode: '00',
  reversalId: null,
  reason: null,
  label: 'VISA CREDIT',
  tvr: '0000008000',
  tsi: 'E800',
  entryMode: 'chip',
  terminalId: 'POSB0001',
  cashier: null,
};

interface Layout {
  readonly name: string;
  readonly payment: Payment;
  readonly merchant: Merchant;
  readonly copy: ReceiptCopy;
  readonly profile: PrinterProfile;
  readonly copyMark?: boolean;
}

const LAYOUTS: readonly Layout[] = [
  { name: 'sale', payment: SALE, merchant: SHOP, copy: 'customer', profile: EN },
  { name: 'refund', payment: { ...SALE, type: 'refund', reference: 'return-7', cvm: 'no-cvm', authCode: 'R00042' }, merchant: SHOP, copy: 'merchant', profile: EN },
  { name: 'declined', payment: { ...SALE, state: 'declined', result: 'declined', authCode: null, responseCode: 'Z1', cvm: 'offline-pin' }, merchant: SHOP, copy: 'customer', profile: EN },
  { name: 'signature', payment: { ...SALE, cvm: 'signature', entryMode: 'fallback', label: 'MASTERCARD', aid: 'A0000000041010', maskedPan: '541333******0010' }, merchant: SHOP, copy: 'merchant', profile: EN },
  { name: 'copy', payment: SALE, merchant: SHOP, copy: 'customer', profile: EN, copyMark: true },
  { name: 'chinese', payment: { ...SALE, currency: '156', amount: 8800 }, merchant: CHINESE_SHOP, copy: 'merchant', profile: { cpl: 42, encoding: 'gb18030' } },
  { name: 'sale-58mm', payment: SALE, merchant: SHOP, copy: 'customer', profile: { cpl: 32, encoding: 'cp858' } },
  { name: 'sale-invoice-qr', payment: { ...SALE, reference: 'order 1/2', currency: '156' }, merchant: INVOICE_SHOP, copy: 'customer', profile: EN },
  { name: 'chinese-invoice-qr', payment: { ...SALE, currency: '156', amount: 8800 }, merchant: { ...CHINESE_SHOP, invoiceQrUrl: INVOICE_SHOP.invoiceQrUrl }, copy: 'customer', profile: { cpl: 42, encoding: 'gb18030' } },
];

/** The layout's three forms, from one document. */
function forms(l: Layout): { document: string; text: string; svg: string } {
  const document = receiptDocument(l.payment, l.merchant, l.copy, { cpl: l.profile.cpl, copyMark: l.copyMark });
  // A reprint's document is not a preview (receipt.get shows the original): its forms straight from the renderers.
  if (l.copyMark) return { document, text: renderText(document, l.profile).join('\n'), svg: renderSvg(document, l.profile) };
  const v = receiptViews(l.payment, l.merchant, l.copy, l.profile);
  assert.equal(v.document, document, 'receipt.get shows the document that prints');
  return v;
}

/** Compares with the golden file, or writes it with UPDATE_GOLDEN=1. */
function golden(file: string, actual: string): void {
  const path = join(DIR, file);
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `${file} is missing: regenerate with UPDATE_GOLDEN=1 (see the top of this test)`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${file} changed: if the new layout is meant, regenerate with UPDATE_GOLDEN=1 and review the diff`);
}

/** The words of a printout, rules and blank lines left out. */
const words = (lines: readonly string[]): string[] => lines.filter((l) => !/^[-─]+$/.test(l.trim())).flatMap((l) => l.split(/\s+/).filter((w) => w !== ''));

describe('receipt layouts (golden files in test/fixtures/receipts)', () => {
  for (const l of LAYOUTS) {
    test(`${l.name}: document, text and SVG`, () => {
      const f = forms(l);
      golden(`${l.name}.receipt`, f.document);
      golden(`${l.name}.txt`, f.text + '\n');
      golden(`${l.name}.svg`, f.svg + '\n');
      assert.match(f.svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(!f.svg.includes('googleapis') && !/receipt-[0-9a-f]{8}-/.test(f.svg), 'no web-font import, no random id');
      assert.ok(f.text.split('\n').every((line) => [...line].reduce((n, c) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 2 : 1), 0) <= l.profile.cpl), `no text line wider than ${l.profile.cpl}`);
    });
  }

  test('every layout shows the PAN masked (first 6, last 4) on paper, in text and in the SVG, never in full', () => {
    for (const l of LAYOUTS) {
      const f = forms(l);
      const pan = l.payment.maskedPan ?? '';
      assert.match(pan, /^\d{6}\*+\d{4}$/);
      assert.ok(f.text.includes(pan), `${l.name}: ${pan} in the text`);
      const svgText = f.svg.replace(/<[^>]+>/g, '');
      assert.ok(svgText.includes(pan), `${l.name}: ${pan} in the SVG`);
    }
    // A full PAN reaching the receipt by mistake still prints masked, everywhere.
    const full = { ...SALE, maskedPan: '4761739001010119' };
    const f = receiptViews(full, SHOP, 'merchant');
    const emu = new EscPosEmulator();
    emu.feed(renderJob(f.document, EN), () => undefined);
    for (const [where, s] of [['document', f.document], ['text', f.text], ['svg', f.svg.replace(/<[^>]+>/g, '')], ['paper', emu.lines.join('\n')]] as const) {
      assert.ok(!s.includes('4761739001010119') && !s.includes('9001'), `${where}: no full PAN`);
      assert.ok(s.includes('476173******0119'), `${where}: masked PAN`);
    }
    assert.ok(!receiptViews({ ...SALE, maskedPan: 'garbage\n4761739001010119x' }, SHOP, 'customer').text.includes('4761739001010119'));
  });

  test('the paper carries the text form: the ESC/POS job decoded by the software printer has the same words in order', () => {
    for (const l of LAYOUTS.filter((x) => x.profile.encoding !== 'gb18030')) {
      const f = forms(l);
      const emu = new EscPosEmulator();
      emu.feed(renderJob(f.document, l.profile), () => undefined);
      assert.deepEqual(words(emu.lines), words(f.text.split('\n')), l.name);
      assert.equal(emu.events.filter((e) => e.kind === 'cut').length, 1, `${l.name}: one cut`);
    }
  });

  test('the invoice QR code: on the customer copy of an approved sale only; the URL below it; a graphic on ESC/POS paper and in the SVG', () => {
    const l = LAYOUTS.find((x) => x.name === 'sale-invoice-qr') as Layout;
    const url = 'https://fapiao.example/issue?ref=order%201%2F2&amount=12.34&cur=CNY&date=2026-01-02T10%3A04%3A09Z&tid=POSB0001';
    const f = forms(l);
    assert.ok(f.document.includes(`{code:${url}; option:qrcode,4,m}`), f.document);
    // Below the code, the URL in words (wrapped at the paper's width): the text form's last lines.
    const after = f.text.split('\n');
    const from = after.findIndex((line) => line.trim() === 'Scan to request your invoice');
    assert.equal(after.slice(from + 1).map((line) => line.trim()).join(''), url, f.text);
    // The SVG draws the code as dark modules (receiptline's QR is a path of rectangles): more than the plain sale's.
    const plain = forms({ ...l, merchant: SHOP });
    assert.ok(f.svg.length > plain.svg.length + 1000 && !plain.document.includes('{code:'), 'the SVG has the code, a shop without invoice.qrUrl has none');
    const job = renderJob(f.document, EN);
    const graphic = Buffer.from(job).indexOf(Buffer.from([0x1d, 0x38, 0x4c]));
    assert.ok(graphic > 0 && Buffer.from(job).indexOf(Buffer.from([0x1d, 0x28, 0x4c, 0x02, 0x00, 0x30, 0x32])) > graphic, 'GS 8 L stores the code, GS ( L prints it');
    const emu = new EscPosEmulator();
    emu.feed(job, () => undefined);
    const images = emu.events.flatMap((e) => (e.kind === 'image' ? [e] : []));
    assert.equal(images.length, 1);
    // Square: as many rows as dots across (the width is rounded up to whole bytes), 4 dots a module, 21 modules at least.
    assert.ok(images[0].height % 4 === 0 && images[0].height >= 21 * 4 && images[0].width === Math.ceil(images[0].height / 8) * 8, `a square code of cell 4: ${images[0].width}x${images[0].height}`);
    for (const other of [{ ...l, copy: 'merchant' as const }, { ...l, payment: { ...l.payment, state: 'declined' as const, result: 'declined' } }, { ...l, payment: { ...l.payment, type: 'refund' as const } }, { ...l, payment: { ...l.payment, type: 'preauth' as const } }]) {
      assert.ok(!forms(other).document.includes('{code:'), `no code on ${other.copy} ${other.payment.type} ${other.payment.state}`);
    }
  });

  test('a reprint is marked COPY at the top and at the bottom; the original is not', () => {
    const copy = forms(LAYOUTS.find((l) => l.name === 'copy') as Layout).text.split('\n');
    assert.deepEqual([copy[0].trim(), copy.at(-1)?.trim()], ['COPY', 'COPY']);
    assert.ok(!forms(LAYOUTS[0]).text.split('\n').some((line) => line.trim() === 'COPY'));
  });

  test('the signature line only on the merchant copy of an approved payment whose CVM asks for one', () => {
    const sig = LAYOUTS.find((l) => l.name === 'signature') as Layout;
    const line = (t: string): boolean => t.split('\n').some((x) => /^x_{41}$/.test(x));
    assert.ok(line(forms(sig).text));
    assert.ok(!line(forms({ ...sig, copy: 'customer' }).text), 'not on the customer copy');
    assert.ok(!line(forms({ ...sig, payment: { ...sig.payment, result: 'declined', state: 'declined' } }).text), 'not when declined');
    assert.ok(line(forms({ ...sig, payment: { ...sig.payment, cvm: 'offline-pin+signature' } }).text), 'PIN and signature');
    assert.ok(!line(forms(LAYOUTS[1]).text), 'not for no-cvm');
  });

  test('text from the shop or the card is printed literally: no receiptline markup, no extra line', () => {
    const hostile = 'A|B{c}\\d-_"`^~=\nX';
    const f = receiptViews({ ...SALE, label: hostile }, { ...SHOP, name: '---' }, 'customer');
    const lines = f.text.split('\n');
    assert.equal(lines[0].trim(), '---', 'a name of dashes is text, not a rule');
    assert.ok(lines.some((x) => x.startsWith('Application') && x.endsWith('A|B{c}\\d-_"`^~= X')), lines.join('\n'));
    const spaced = receiptViews({ ...SALE, terminalId: ' T 1 ' }, SHOP, 'customer').text.split('\n');
    assert.ok(spaced.some((x) => x.startsWith('Terminal ') && x.endsWith(' T 1') && x.length === 42), `a value with spaces around it stays flush right:\n${spaced.join('\n')}`);
  });

  test('Chinese on a printer without a Chinese font: the job is the golden SVG rasterized (504 dots wide, as tall)', { skip: !existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc') && 'no CJK font' }, () => {
    const l = LAYOUTS.find((x) => x.name === 'chinese') as Layout;
    const f = forms(l);
    const height = Number(/viewBox="0 0 504 (\d+)"/.exec(f.svg)?.[1]);
    const emu = new EscPosEmulator();
    emu.feed(renderJob(f.document, { cpl: 42, encoding: 'cp858' }), () => undefined);
    const images = emu.events.flatMap((e) => (e.kind === 'image' ? [e] : []));
    assert.ok(images.length > 0 && images.every((i) => i.width === 504));
    assert.equal(images.reduce((n, i) => n + i.height, 0), height);
    assert.ok(!emu.events.some((e) => e.kind === 'chinese-on'));
    const text = new EscPosEmulator();
    text.feed(renderJob(f.document, l.profile), () => undefined);
    assert.ok(text.events.some((e) => e.kind === 'chinese-on') && text.lines.includes('街角小店'), 'a Chinese-font printer gets GB18030 text');
  });
});
