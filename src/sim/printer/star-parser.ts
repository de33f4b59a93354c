/**
 * What a Star printer in StarPRNT / Star Line Mode does with the bytes receiptline sends, minimally: text, code
 * page, cut, raster images, drawer kicks and the real-time status request. Lengths per the StarPRNT and Star Line
 * Mode command specifications; other ESC sequences are skipped as two bytes.
 */
export interface StarHandlers {
  init(): void;
  text(b: number): void;
  lineFeed(): void;
  codePage(n: number): void;
  cut(): void;
  image(widthBytes: number, rows: number, data: Uint8Array): void;
  drawer(pin: 2 | 5, onMs: number, offMs: number): void;
  status(): void;
}

/** Fixed lengths of `ESC c …` commands (the ESC byte included). */
const ESC_LEN: Readonly<Record<number, number>> = { 0x40: 2, 0x20: 3, 0x73: 4, 0x30: 2, 0x2d: 3, 0x5f: 3, 0x46: 2, 0x45: 2, 0x34: 2, 0x35: 2, 0x69: 4, 0x6c: 3, 0x51: 3, 0x64: 3, 0x57: 3, 0x68: 3, 0x07: 4, 0x06: 3 };
/** Fixed lengths of `ESC RS c …` and `ESC GS c …` commands. */
const ESC_RS_LEN: Readonly<Record<number, number>> = { 0x61: 4, 0x46: 4, 0x52: 4 };
const ESC_GS_LEN: Readonly<Record<number, number>> = { 0x61: 4, 0x41: 5, 0x52: 5, 0x74: 4, 0x03: 6 };

/** A Star command parser keeping the drawer pulse setting (ESC BEL n1 n2) between kicks. */
export class StarParser {
  private pulse = { onMs: 200, offMs: 200 };

  /** Parses from `p` at 0; returns how many bytes were consumed (a command cut short waits for more). */
  parse(p: readonly number[], h: StarHandlers): number {
    let i = 0;
    const need = (n: number): boolean => i + n <= p.length;
    while (i < p.length) {
      const b = p[i];
      if (b === 0x1b) {
        if (!need(2)) break;
        const c = p[i + 1];
        if ((c === 0x1d || c === 0x1e) && !need(3)) break;
        if (c === 0x1d) {
          const d = p[i + 2];
          if (d === 0x53) {
            if (!need(9)) break;
            const xb = p[i + 4] | (p[i + 5] << 8);
            const rows = p[i + 6] | (p[i + 7] << 8);
            if (!need(9 + xb * rows)) break;
            h.image(xb, rows, Uint8Array.from(p.slice(i + 9, i + 9 + xb * rows)));
            i += 9 + xb * rows;
            continue;
          }
          const len = ESC_GS_LEN[d] ?? 3;
          if (!need(len)) break;
          if (d === 0x74) h.codePage(p[i + 3]);
          i += len;
          continue;
        }
        if (c === 0x1e) {
          const len = ESC_RS_LEN[p[i + 2]] ?? 3;
          if (!need(len)) break;
          i += len;
          continue;
        }
        if (c === 0x62) {
          // ESC b n1 n2 n3 n4 d… RS: a barcode, ended by RS.
          const end = p.indexOf(0x1e, i + 6);
          if (end < 0) break;
          i = end + 1;
          continue;
        }
        const len = ESC_LEN[c] ?? 2;
        if (!need(len)) break;
        if (c === 0x40) h.init();
        else if (c === 0x64) h.cut();
        else if (c === 0x06 && p[i + 2] === 0x01) h.status();
        else if (c === 0x07) this.pulse = { onMs: p[i + 2] * 10, offMs: p[i + 3] * 10 };
        i += len;
      } else if (b === 0x07 || b === 0x1a) {
        h.drawer(b === 0x07 ? 2 : 5, this.pulse.onMs, this.pulse.offMs);
        i++;
      } else if (b === 0x0a) {
        h.lineFeed();
        i++;
      } else {
        if (b >= 0x20) h.text(b);
        i++;
      }
    }
    return i;
  }
}
