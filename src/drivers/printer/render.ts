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

/** A receiptline document as an SVG preview, 1 px = 1 printer dot (cpl × 12 dots wide). */
export function renderSvg(doc: string, profile: PrinterProfile): string {
  // The preview of Chinese text needs receiptline's gb18030 layout (double-width characters) whatever the printer's code page.
  const encoding = hasCjk(doc) ? 'gb18030' : profile.encoding;
  return receiptline().transform(doc, { command: 'svg', cpl: profile.cpl, encoding });
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
