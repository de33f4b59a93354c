import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PrinterError } from './errors.js';
import { thresholdRgba, type Bitmap } from './raster.js';

/** CJK fonts looked for, in order, with the family resvg should use for receiptline's `monospace` text. */
const CJK_FONTS: readonly { readonly file: string; readonly family: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYi Micro Hei Mono' }, // Debian fonts-wqy-microhei
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYi Zen Hei Mono' }, // fonts-wqy-zenhei
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'Noto Sans Mono CJK SC' }, // fonts-noto-cjk
];

/** The CJK font to draw with: `fontFile` when given, else the first installed one; PRINTER_FONT_MISSING when none. */
export function cjkFont(fontFile?: string, family?: string): { readonly file: string; readonly family: string } {
  if (fontFile) {
    if (!existsSync(fontFile)) throw new PrinterError('PRINTER_FONT_MISSING', `the font file ${fontFile} does not exist`, { file: fontFile });
    return { file: fontFile, family: family ?? '' };
  }
  const found = CJK_FONTS.find((f) => existsSync(f.file));
  if (!found) {
    throw new PrinterError('PRINTER_FONT_MISSING', `no CJK font to print Chinese as an image: install fonts-wqy-microhei (looked for ${CJK_FONTS.map((f) => f.file).join(', ')})`);
  }
  return found;
}

/** What a rasterizer drew: RGBA pixels, and the same as PNG on request. */
export interface RenderedSvg {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
  png(): Uint8Array;
}

type ResvgModule = typeof import('@resvg/resvg-js');
let resvg: ResvgModule | null = null;

/** resvg's native addon, loaded on the first image (most receipts are text: the daemon does not pay for it at start). */
function loadResvg(): ResvgModule {
  resvg ??= createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
  return resvg;
}

/** Draws an SVG at 1 px = 1 printer dot on white with the CJK font (resvg: no system font scan, no network). */
export function renderSvgPixels(svg: string, fontFile?: string): RenderedSvg {
  const font = cjkFont(fontFile);
  const opts = { background: 'white', font: { loadSystemFonts: false, fontFiles: [font.file], defaultFontFamily: font.family, monospaceFamily: font.family, sansSerifFamily: font.family } };
  const img = new (loadResvg().Resvg)(svg, opts).render();
  return { width: img.width, height: img.height, rgba: new Uint8Array(img.pixels), png: () => new Uint8Array(img.asPng()) };
}

/** An SVG (receiptline's preview of a receipt) as a 1-bit bitmap for a raster command. */
export function rasterizeSvg(svg: string, threshold = 128, fontFile?: string): Bitmap {
  const r = renderSvgPixels(svg, fontFile);
  return thresholdRgba(r.rgba, r.width, r.height, threshold);
}
