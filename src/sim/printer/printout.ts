import { renderSvgPixels } from '../../drivers/printer/rasterize.js';
import type { PrintedItem } from './escpos-emulator.js';

const CHAR_W = 12;
const LINE_H = 30;

function esc(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Black runs of one bitmap as an SVG path at (0, top): one rectangle per run of set bits in a row. */
function bitmapPath(item: Extract<PrintedItem, { kind: 'image' }>, top: number): string {
  const { width, height, widthBytes, data } = item.bitmap;
  let d = '';
  for (let y = 0; y < height; y++) {
    let run = -1;
    for (let x = 0; x <= width; x++) {
      const on = x < width && (data[y * widthBytes + (x >> 3)] & (0x80 >> (x & 7))) !== 0;
      if (on && run < 0) run = x;
      if (!on && run >= 0) {
        d += `M${run} ${top + y}h${x - run}v1h${run - x}z`;
        run = -1;
      }
    }
  }
  return d ? `<path d="${d}" fill="#000"/>` : '';
}

/**
 * What an emulated printer printed, as an SVG of paper `cpl` characters wide (12 dots a character, as receiptline
 * draws): text lines in a monospaced font, raster images dot for dot, cuts as dashed lines.
 */
export function printoutSvg(items: readonly PrintedItem[], cpl = 42): string {
  const w = cpl * CHAR_W;
  let y = 0;
  const parts: string[] = [];
  for (const it of items) {
    if (it.kind === 'line') {
      parts.push(`<text x="0" y="${y + LINE_H - 6}" xml:space="preserve">${esc(it.text)}</text>`);
      y += LINE_H;
    } else if (it.kind === 'image') {
      parts.push(bitmapPath(it, y));
      y += it.bitmap.height;
    } else {
      parts.push(`<line x1="0" y1="${y + 6}" x2="${w}" y2="${y + 6}" stroke="#888" stroke-dasharray="6 4"/>`);
      y += 12;
    }
  }
  const h = Math.max(y, 1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="monospace" font-size="22"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`;
}

/** The printout as PNG (resvg with the CJK font; PRINTER_FONT_MISSING when none is installed). */
export function printoutPng(items: readonly PrintedItem[], cpl = 42): Uint8Array {
  return renderSvgPixels(printoutSvg(items, cpl)).png();
}
