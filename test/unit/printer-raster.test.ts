// Printer profiles, raster images, Star status and drawer kicks as bytes (Epson ESC/POS reference, StarPRNT spec).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawerKickBytes, realtimeKickBytes } from '../../src/drivers/printer/drawer.js';
import { PrinterError } from '../../src/drivers/printer/errors.js';
import { renderEscPos } from '../../src/drivers/printer/escpos-printer.js';
import { escPosRaster, starRaster, thresholdRgba, type Bitmap } from '../../src/drivers/printer/raster.js';
import { imageJob } from '../../src/drivers/printer/render.js';
import { parseStarAsb, starAsbBytes, starAsbLength } from '../../src/drivers/printer/star-status.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const has = (hay: Uint8Array, needle: number[]): boolean => Buffer.from(hay).includes(Buffer.from(needle));
const count = (hay: Uint8Array, needle: number[]): number => {
  const h = Buffer.from(hay);
  const n = Buffer.from(needle);
  let c = 0;
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) c++;
  return c;
};
const bitmap = (width: number, height: number): Bitmap => ({ width, height, widthBytes: (width + 7) >> 3, data: new Uint8Array(((width + 7) >> 3) * height).fill(0xaa) });

test('threshold packs pixels MSB-first, 1 = dark', () => {
  // 10 px wide: black, white, black, then white…, last pixel black; transparent counts as white.
  const w = 10;
  const rgba = new Uint8Array(w * 4).fill(255);
  for (const x of [0, 2, 9]) rgba.set([0, 0, 0, 255], x * 4);
  rgba.set([0, 0, 0, 0], 4 * 4); // transparent black → white
  rgba.set([100, 100, 100, 255], 5 * 4); // grey 100 < 128 → black
  const b = thresholdRgba(rgba, w, 1);
  assert.equal(b.widthBytes, 2);
  assert.equal(hex(b.data), 'a4' + '40'); // 1010 0100, 01 000000
});

test('GS v 0 header: m=0 xL xH yL yH, bands of at most 255 rows', () => {
  const out = escPosRaster(bitmap(576, 10));
  assert.equal(hex(out.subarray(0, 8)), '1d763000' + '4800' + '0a00');
  assert.equal(out.length, 8 + 72 * 10);
  const tall = escPosRaster(bitmap(576, 1000));
  assert.equal(count(tall, [0x1d, 0x76, 0x30, 0x00]), 4); // 255 + 255 + 255 + 235
  assert.equal(tall.length, 4 * 8 + 72 * 1000);
  const last = Buffer.from(tall).lastIndexOf(Buffer.from([0x1d, 0x76, 0x30, 0x00]));
  assert.equal(hex(tall.subarray(last + 4, last + 8)), '4800' + 'eb00'); // 235 rows
  assert.equal(count(escPosRaster(bitmap(16, 5), 2), [0x1d, 0x76, 0x30]), 3);
});

test('Star raster header: ESC GS S 1 xL xH yL yH 0', () => {
  assert.equal(hex(starRaster(bitmap(504, 3)).subarray(0, 9)), '1b1d5301' + '3f00' + '0300' + '00');
});

test('a raster row over 128 bytes is refused', () => {
  assert.throws(() => escPosRaster(bitmap(1032, 1)), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_IMAGE_TOO_LARGE' && !e.retriable);
});

test('image jobs: ESC @ … cut and GS r 1 (escpos), ESC d 3 (star)', () => {
  const e = imageJob(bitmap(8, 1), { cpl: 42, encoding: 'cp858' });
  assert.equal(hex(e), '1b40' + '1d7630000100' + '0100' + 'aa' + '1d564200' + '1d7231');
  const s = imageJob(bitmap(8, 1), { cpl: 42, encoding: 'cp858', commandSet: 'star' });
  assert.equal(hex(s), '1b40' + '1b1d5301' + '0100' + '0100' + '00' + 'aa' + '1b6433' + '1b1d03010000');
});

test('star vs escpos text jobs: init, code page and cut bytes', () => {
  const doc = 'Café\n';
  const e = renderEscPos(doc, { cpl: 42, encoding: 'cp858' });
  const s = renderEscPos(doc, { cpl: 42, encoding: 'cp858', commandSet: 'star' });
  assert.equal(hex(e.subarray(0, 2)), '1b40');
  assert.equal(hex(s.subarray(0, 2)), '1b40');
  assert.ok(has(e, [0x1b, 0x74, 0x13, 0x43, 0x61, 0x66, 0x82]), 'ESC t 19 (PC858) then "Café" in PC858');
  assert.ok(has(s, [0x1b, 0x1d, 0x74, 0x04, 0x43, 0x61, 0x66, 0x82]), 'ESC GS t 4 (Star: code page 858) then "Café"');
  assert.ok(has(e, [0x1d, 0x56, 0x42, 0x00]), 'ESC/POS cut GS V 66 0');
  assert.ok(!has(s, [0x1d, 0x56]), 'no ESC/POS cut in a Star job');
  assert.ok(has(s, [0x1b, 0x64, 0x33]), 'Star cut ESC d 3');
  assert.ok(!has(s, [0x10, 0x04]) && !has(s, [0x1d, 0x72]), 'no ESC/POS status or GS r in a Star job');
  const g = renderEscPos(doc, { cpl: 42, encoding: 'cp858', commandSet: 'generic' });
  assert.equal(hex(g.subarray(-3)), '1d7201');
});

test('Chinese: text with FS & and GB18030 on a Chinese-font printer; an image without one', () => {
  const doc = '收据 Receipt\nTotal | 12.34\n';
  const text = renderEscPos(doc, { cpl: 42, encoding: 'gb18030', chineseFont: true });
  assert.ok(has(text, [0x1c, 0x26]), 'FS &');
  assert.ok(has(text, [0xca, 0xd5, 0xbe, 0xdd]), '收据 in GB18030');
  assert.ok(!has(text, [0x1d, 0x76, 0x30]));
  const img = renderEscPos(doc, { cpl: 42, encoding: 'gb18030', chineseFont: false });
  assert.ok(!has(img, [0xca, 0xd5, 0xbe, 0xdd]), 'no GB18030 text bytes');
  assert.ok(!has(img, [0x1c, 0x26]), 'no FS &');
  assert.equal(hex(img.subarray(0, 2)), '1b40');
  assert.equal(hex(img.subarray(2, 6)), '1d763000');
  assert.equal(img[6] | (img[7] << 8), 63, '42 characters × 12 dots = 504 dots = 63 bytes a row');
  const cp858 = renderEscPos(doc, { cpl: 42, encoding: 'cp858' });
  assert.ok(has(cp858, [0x1d, 0x76, 0x30, 0x00]), 'a Latin code page prints Chinese as an image too');
  const star = renderEscPos(doc, { cpl: 42, encoding: 'cp858', commandSet: 'star' });
  assert.ok(has(star, [0x1b, 0x1d, 0x53, 0x01]) && !has(star, [0x1d, 0x76, 0x30]), 'Star raster, not GS v 0');
});

test('Star ASB: length from header, status bits, round trip', () => {
  assert.equal(starAsbLength(0x23), 9);
  assert.equal(starAsbLength(0x12), null, 'a DLE EOT status byte is not an ASB header');
  for (const st of [
    { online: true, coverOpen: false, paper: 'ok', drawerOpen: false },
    { online: false, coverOpen: true, paper: 'end', drawerOpen: true },
    { online: true, coverOpen: false, paper: 'near-end', drawerOpen: false },
  ] as const) {
    const b = starAsbBytes(st);
    assert.equal(b[0], 0x23);
    assert.deepEqual(parseStarAsb(b), st);
  }
  assert.throws(() => parseStarAsb(Uint8Array.of(0x23, 0, 0)), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_STATUS_INVALID');
});

test('drawer kick bytes: ESC p m t1 t2, Star ESC BEL n1 n2 BEL/SUB, DLE DC4 1 m t', () => {
  assert.equal(hex(drawerKickBytes({ pin: 2, onMs: 100, offMs: 200 }, 'escpos')), '1b7000' + '3264');
  assert.equal(hex(drawerKickBytes({ pin: 5, onMs: 50, offMs: 50 }, 'generic')), '1b7001' + '1919');
  assert.equal(hex(drawerKickBytes({ pin: 2, onMs: 100, offMs: 200 }, 'star')), '1b07' + '0a14' + '07');
  assert.equal(hex(drawerKickBytes({ pin: 5, onMs: 100, offMs: 200 }, 'star')), '1b07' + '0a14' + '1a');
  assert.equal(hex(realtimeKickBytes({ pin: 5, onMs: 150, offMs: 150 })), '1014' + '01' + '01' + '02');
  for (const bad of [{ pin: 3, onMs: 100, offMs: 100 }, { pin: 2, onMs: 0, offMs: 100 }, { pin: 2, onMs: 600, offMs: 100 }]) {
    assert.throws(() => drawerKickBytes(bad as never, 'escpos'), (e: unknown) => e instanceof PrinterError && e.code === 'PRINTER_DRAWER_INVALID');
  }
});
