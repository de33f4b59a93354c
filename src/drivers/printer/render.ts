import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type receiptlineModule from 'receiptline';
import { escPosRaster, starRaster, type Bitmap } from './raster.js';
import { rasterizeSvg } from './rasterize.js';
import { commandSetOf, hasCjk, printsChineseText, receiptlineCommand, type PrinterProfile } from './printer-profile.js';

let loaded: typeof receiptlineModule | null = null;

/** receiptline, loaded on the first receipt laid out (it is large; an idle daemon does not need it). */
function receiptline(): typeof receiptlineModule {
  loaded ??= createRequire(import.meta.url)('receiptline') as typeof receiptlineModule;
  return loaded;
}

/** Options of an image job. */
export interface ImageJobOptions {
  /** Luminance below which a pixel prints (0-255, default 128). */
  readonly threshold?: number;
  /** Rows per raster command (default RASTER_BAND_ROWS). */
  readonly bandRows?: number;
  /** A CJK font file to draw with (default: the first installed one). */
  readonly fontFile?: string;
}

/**
 * The encoding receiptline lays a document out with on screen and in text: Chinese text needs gb18030 (double-width
 * characters) whatever the printer's code page, since such a receipt prints as Chinese text or as an image of this
 * same layout.
 */
function layoutEncoding(doc: string, profile: PrinterProfile): PrinterProfile['encoding'] {
  return hasCjk(doc) ? 'gb18030' : profile.encoding;
}

/** receiptline's web-font import (a request to fonts.googleapis.com by whoever shows the SVG): dropped. */
const FONT_IMPORT = /<style type="text\/css"><!\[CDATA\[@import url\("https:\/\/fonts\.googleapis\.com\/[^"]*"\);\]\]><\/style>/;
/** receiptline names the filter of inverted text with a random UUID (`receipt-<uuid>`). */
const FILTER_ID = /receipt-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * A receiptline document as an SVG preview, 1 px = 1 printer dot (cpl × 12 dots wide): receiptline's own SVG,
 * made reproducible (the filter id is derived from the document instead of a random UUID, so one receipt is one
 * SVG) and self-contained (no web-font import: a viewer never fetches anything; it falls back to a local monospace).
 */
export function renderSvg(doc: string, profile: PrinterProfile): string {
  const encoding = layoutEncoding(doc, profile);
  const svg = receiptline().transform(doc, { command: 'svg', cpl: profile.cpl, encoding });
  const id = `receipt-${createHash('sha256').update(`${profile.cpl}/${encoding}/${doc}`).digest('hex').slice(0, 32)}`;
  return svg.replace(FONT_IMPORT, '').replace(FILTER_ID, id).trimEnd();
}

/**
 * A receiptline document as plain text lines, as receiptline lays it out for `profile.cpl` characters (its `text`
 * command): columns aligned, rules as dashes, decorations dropped (double width shows as spaced letters, so
 * receipts use double height instead). Trailing spaces and the blank lines after the last text are dropped.
 */
export function renderText(doc: string, profile: PrinterProfile): string[] {
  const out = receiptline().transform(doc, { command: 'text', cpl: profile.cpl, encoding: layoutEncoding(doc, profile) });
  const lines = out.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A receiptline document as the bytes for the profile's printer: receiptline's commands (escpos, generic, StarPRNT)
 * when the printer can print every character as text, otherwise (Chinese text on a printer without a Chinese font)
 * the whole receipt as a raster image.
 */
export function renderJob(doc: string, profile: PrinterProfile, image: ImageJobOptions = {}): Uint8Array {
  if (hasCjk(doc) && !printsChineseText(profile)) return renderImageJob(doc, profile, image);
  const out = receiptline().transform(doc, { command: receiptlineCommand(profile), cpl: profile.cpl, encoding: profile.encoding });
  return new Uint8Array(Buffer.from(out, 'binary'));
}

/** The document drawn by receiptline as SVG, rasterized, and sent as raster bands framed like a text job. */
export function renderImageJob(doc: string, profile: PrinterProfile, image: ImageJobOptions = {}): Uint8Array {
  const bitmap = rasterizeSvg(renderSvg(doc, profile), image.threshold ?? 128, image.fontFile);
  return imageJob(bitmap, profile, image.bandRows);
}

/**
 * A bitmap as a whole job. ESC/POS (Epson reference): ESC @, GS v 0 bands, GS V 66 0 (feed to the cutter and cut),
 * GS r 1 (answered once printed: job completion). StarPRNT: ESC @, ESC GS S bands, ESC d 3 (feed and partial cut),
 * ESC GS ETX 1 0 0 (end of document), as receiptline ends its Star jobs.
 */
export function imageJob(bitmap: Bitmap, profile: PrinterProfile, bandRows?: number): Uint8Array {
  const set = commandSetOf(profile);
  if (set === 'star') return cat([0x1b, 0x40], starRaster(bitmap, bandRows), [0x1b, 0x64, 0x33, 0x1b, 0x1d, 0x03, 0x01, 0x00, 0x00]);
  return cat([0x1b, 0x40], escPosRaster(bitmap, bandRows), [0x1d, 0x56, 0x42, 0x00, 0x1d, 0x72, set === 'escpos' ? 0x31 : 0x01]);
}

function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Uint8Array.from(p))));
}
