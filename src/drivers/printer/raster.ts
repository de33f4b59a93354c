import { PrinterError } from './errors.js';

/** A 1-bit image: rows of `widthBytes` bytes, leftmost pixel in the most significant bit, 1 = black (printed). */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly widthBytes: number;
  readonly data: Uint8Array;
}

/**
 * Rows per raster command. Epson ESC/POS reference, GS v 0: 1 ≤ xL + xH×256 ≤ 128 and the height limit differs by
 * model (yH ≤ 8 on some, up to 4095 rows on others); bands of at most 255 rows keep yH = 0, within every model's
 * range, and at 72 bytes a row (80 mm, 576 dots) a band is at most 18,360 bytes, so a printer with a small receive
 * buffer starts printing early instead of waiting for a whole receipt-sized command. Star's ESC GS S (StarPRNT
 * spec) allows taller bands; the same limit is used for both.
 */
export const RASTER_BAND_ROWS = 255;

/** GS v 0's limit on bytes per row (Epson ESC/POS reference: xL + xH×256 ≤ 128, i.e. 1024 dots). */
export const RASTER_MAX_WIDTH_BYTES = 128;

/**
 * A 1-bit bitmap from RGBA pixels (what resvg renders): a pixel is black when its luminance (ITU-R BT.601 weights,
 * composited over white) is below `threshold` (0-255). No dithering: receipts are text and codes, which a plain
 * threshold keeps sharp.
 */
export function thresholdRgba(rgba: Uint8Array, width: number, height: number, threshold = 128): Bitmap {
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const widthBytes = (width + 7) >> 3;
  const data = new Uint8Array(widthBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const a = rgba[i + 3] / 255;
      const lum = (0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]) * a + 255 * (1 - a);
      if (lum < threshold) data[y * widthBytes + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return { width, height, widthBytes, data };
}

function checkWidth(b: Bitmap): void {
  if (b.widthBytes < 1 || b.widthBytes > RASTER_MAX_WIDTH_BYTES) {
    throw new PrinterError('PRINTER_IMAGE_TOO_LARGE', `a raster row of ${b.widthBytes} bytes is outside 1-${RASTER_MAX_WIDTH_BYTES} (${b.width} dots)`, { width: b.width });
  }
}

function bands(b: Bitmap, maxRows: number, header: (rows: number) => number[]): Uint8Array {
  checkWidth(b);
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError('maxRows must be a whole number of at least 1');
  const parts: Uint8Array[] = [];
  for (let y = 0; y < b.height; y += maxRows) {
    const rows = Math.min(maxRows, b.height - y);
    parts.push(Uint8Array.from(header(rows)), b.data.subarray(y * b.widthBytes, (y + rows) * b.widthBytes));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** The bitmap as ESC/POS `GS v 0 m xL xH yL yH d…` commands (m = 0, normal size), one per band of `maxRows` rows. */
export function escPosRaster(b: Bitmap, maxRows = RASTER_BAND_ROWS): Uint8Array {
  const x = b.widthBytes;
  return bands(b, maxRows, (rows) => [0x1d, 0x76, 0x30, 0x00, x & 0xff, x >> 8, rows & 0xff, rows >> 8]);
}

/** The bitmap as StarPRNT `ESC GS S m xL xH yL yH n d…` commands (m = 1, n = 0: normal, one tone), one per band. */
export function starRaster(b: Bitmap, maxRows = RASTER_BAND_ROWS): Uint8Array {
  const x = b.widthBytes;
  return bands(b, maxRows, (rows) => [0x1b, 0x1d, 0x53, 0x01, x & 0xff, x >> 8, rows & 0xff, rows >> 8, 0x00]);
}
