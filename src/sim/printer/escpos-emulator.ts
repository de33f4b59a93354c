import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import iconv from 'iconv-lite';
import { statusBytes } from '../../drivers/printer/escpos-status.js';
import type { Bitmap } from '../../drivers/printer/raster.js';
import { starAsbBytes } from '../../drivers/printer/star-status.js';
import type { PrinterStatus } from '../../drivers/printer/types.js';
import { StarParser } from './star-parser.js';

/** Epson's page 1 (Katakana), which layout tools select for its box-drawing characters (rules around a table). */
const KATAKANA = 'katakana';
/** Page 1's box-drawing bytes (Epson's character code table, page 1). */
const KATAKANA_BOX: Readonly<Record<number, string>> = { 0x8f: '┼', 0x90: '┴', 0x91: '┬', 0x95: '─', 0x96: '│', 0x9c: '┌', 0x9d: '┐', 0x9e: '└', 0x9f: '┘' };

/** Text on page 1: ASCII, the box-drawing bytes, half-width katakana (as in JIS X 0201); '?' for the rest. */
function decodeKatakana(bytes: readonly number[]): string {
  return bytes
    .map((b) => (b < 0x80 ? String.fromCharCode(b) : (KATAKANA_BOX[b] ?? (b >= 0xa1 && b <= 0xdf ? String.fromCharCode(0xff61 + b - 0xa1) : '?'))))
    .join('');
}

const CODE_PAGES: Readonly<Record<number, string>> = { 0: 'cp437', 1: KATAKANA, 2: 'cp850', 16: 'cp1252', 17: 'cp866', 19: 'cp858' };
/** Star's ESC GS t table (StarPRNT spec): 0/1 code page 437, 4 code page 858, 32 Windows-1252. */
const STAR_CODE_PAGES: Readonly<Record<number, string>> = { 0: 'cp437', 1: 'cp437', 4: 'cp858', 32: 'cp1252' };

/** The states a simulated printer can be put in (CLI `--status`, API `sim.setPrinter`). */
export const SIM_PRINTER_STATES: Readonly<Record<string, Partial<PrinterStatus>>> = {
  ready: { online: true, coverOpen: false, paper: 'ok' },
  'paper-near-end': { online: true, coverOpen: false, paper: 'near-end' },
  'paper-end': { online: true, coverOpen: false, paper: 'end' },
  'cover-open': { online: true, coverOpen: true, paper: 'ok' },
  offline: { online: false, coverOpen: false, paper: 'ok' },
  'drawer-open': { drawerOpen: true },
  'drawer-closed': { drawerOpen: false },
};

/** What the emulator saw: printed lines and events (cut, drawer kick, init, Chinese mode, raster images). */
export type PrinterEvent =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'cut' | 'init' | 'chinese-on' | 'chinese-off' }
  /** A drawer kick: ESC p (or Star BEL/SUB), or the real-time DLE DC4 1 pulse (`realtime`). */
  | { readonly kind: 'drawer'; readonly pin: 2 | 5; readonly onMs: number; readonly offMs: number; readonly realtime: boolean }
  /** One raster command (GS v 0, GS 8 L graphics, Star ESC GS S): its size in dots. */
  | { readonly kind: 'image'; readonly width: number; readonly height: number };

/** What was printed, in order, for rendering: text lines, raster bands and cuts. */
export type PrintedItem = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'image'; readonly bitmap: Bitmap } | { readonly kind: 'cut' };

/** How the emulated printer behaves. */
export interface EmulatorOptions {
  /** The command language it understands (default escpos); star answers ESC ACK SOH, not DLE EOT. */
  readonly commandSet?: 'escpos' | 'star';
  /** Closes the drawer this long after a kick (a cashier pushing it shut); default: it stays open until set closed. */
  readonly drawerClosesAfterMs?: number;
}

/**
 * An ESC/POS printer in software (for tests, the demo and cashier-app developers): it parses what it receives into
 * text lines and events, answers DLE EOT with a status the test sets (paper out, cover open, offline), one byte per
 * answer and a little late, as network printers do. Unknown commands are skipped by their known lengths.
 */
export class EscPosEmulator {
  readonly events: PrinterEvent[] = [];
  /** Lines, raster bands and cuts as printed (for `svg()` / `png()` in printout.ts). */
  readonly printed: PrintedItem[] = [];
  private readonly star: StarParser | null;
  private drawerTimer: NodeJS.Timeout | null = null;
  private status: PrinterStatus = { online: true, coverOpen: false, paper: 'ok', drawerOpen: false };
  private line: number[] = [];
  /** The character code table ESC t selected (ESC/POS page numbers: 0 PC437, 16 WPC1252, 19 PC858). */
  private codePage = 'cp437';
  /** Chinese character mode (FS & … FS .): text is GB18030. */
  private chinese = false;

  /** Builds an emulator; `onEvent` hears each line and event as it is parsed (the CLI prints them). */
  constructor(
    private readonly onEvent?: (e: PrinterEvent) => void,
    private readonly options: EmulatorOptions = {},
  ) {
    this.star = options.commandSet === 'star' ? new StarParser() : null;
  }

  private push(e: PrinterEvent): void {
    this.events.push(e);
    if (e.kind === 'line') this.printed.push(e);
    else if (e.kind === 'cut') this.printed.push({ kind: 'cut' });
    this.onEvent?.(e);
  }

  /** The current status (what DLE EOT / ESC ACK SOH report). */
  get currentStatus(): PrinterStatus {
    return this.status;
  }

  private kick(pin: 2 | 5, onMs: number, offMs: number, realtime: boolean): void {
    this.flush();
    this.status = { ...this.status, drawerOpen: true };
    this.push({ kind: 'drawer', pin, onMs, offMs, realtime });
    const after = this.options.drawerClosesAfterMs;
    if (after !== undefined) {
      if (this.drawerTimer) clearTimeout(this.drawerTimer);
      this.drawerTimer = setTimeout(() => {
        this.drawerTimer = null;
        this.status = { ...this.status, drawerOpen: false };
      }, after);
    }
  }

  private image(widthBytes: number, rows: number, data: Uint8Array): void {
    this.flush();
    this.printed.push({ kind: 'image', bitmap: { width: widthBytes * 8, height: rows, widthBytes, data } });
    this.push({ kind: 'image', width: widthBytes * 8, height: rows });
  }

  /** Serves a byte stream (a pty end opened with serialport): bytes in are parsed, answers go back a little late. */
  serve(stream: Duplex): void {
    stream.on('data', (d: Buffer) => this.feed(d, (b) => setTimeout(() => stream.writable && stream.write(Uint8Array.of(b)), 5)));
  }
  private pending: number[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  /** The printed text lines so far. */
  get lines(): string[] {
    return this.events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
  }

  /** Sets what DLE EOT reports. */
  setStatus(s: Partial<PrinterStatus>): void {
    this.status = { ...this.status, ...s };
  }

  /** Listens on 127.0.0.1 (`port` 0 picks one); resolves with the port. */
  async listen(port = 0): Promise<number> {
    this.server = createServer((s) => {
      this.sockets.add(s);
      s.on('data', (d: Buffer) => this.feed(d, (b) => setTimeout(() => s.writable && s.write(Uint8Array.of(b)), 5)));
      s.on('close', () => this.sockets.delete(s));
      // A client dropping mid-job is what printers see all day; the socket's close handler does the bookkeeping.
      s.on('error', () => s.destroy());
    });
    await new Promise<void>((r) => this.server?.listen(port, '127.0.0.1', () => r()));
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  /** Stops listening and drops connections (a printer unplugged). */
  async close(): Promise<void> {
    if (this.drawerTimer) clearTimeout(this.drawerTimer);
    this.drawerTimer = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }

  /** Parses received bytes; `reply` sends a status byte back. */
  feed(bytes: Uint8Array, reply: (b: number) => void): void {
    this.pending.push(...bytes);
    if (this.star) {
      this.pending = this.pending.slice(this.star.parse(this.pending, this.starHandlers(reply)));
      return;
    }
    let i = 0;
    const p = this.pending;
    const need = (n: number): boolean => i + n <= p.length;
    while (i < p.length) {
      const b = p[i];
      if (b === 0x10 && (p[i + 1] === 0x04 || p[i + 1] === 0x14 || i + 1 === p.length)) {
        // DLE EOT n (3 bytes) and DLE DC4 1 m t (5 bytes): real-time commands (Epson ESC/POS reference).
        if (!need(p[i + 1] === 0x14 ? 5 : 3)) break;
        if (p[i + 1] === 0x04) {
          const [s1, s2, s4] = statusBytes(this.status);
          reply(p[i + 2] === 1 ? s1 : p[i + 2] === 2 ? s2 : s4);
          i += 3;
        } else {
          if (p[i + 2] === 1) this.kick(p[i + 3] & 1 ? 5 : 2, p[i + 4] * 100, p[i + 4] * 100, true);
          i += 5;
        }
      } else if (b === 0x1b) {
        if (!need(2)) break;
        const c = p[i + 1];
        const len = c === 0x40 ? 2 : c === 0x70 ? 5 : c === 0x24 || c === 0x5c ? 4 : 3;
        if (!need(len)) break; // the rest of the command comes in the next piece
        if (c === 0x40) {
          this.push({ kind: 'init' });
          this.codePage = 'cp437';
          this.chinese = false;
        }
        if (c === 0x74) this.codePage = CODE_PAGES[p[i + 2]] ?? 'cp437';
        if (c === 0x70) {
          // ESC p m t1 t2: m 0/48 pin 2, 1/49 pin 5; t1, t2 in 2 ms units.
          this.kick(p[i + 2] & 1 ? 5 : 2, p[i + 3] * 2, p[i + 4] * 2, false);
        }
        // ESC $ (absolute position) separates columns: shown as one space so the text stays readable.
        if (c === 0x24 && this.line.length > 0 && this.line.at(-1) !== 0x20) this.line.push(0x20);
        i += len;
      } else if (b === 0x1d) {
        if (!need(3)) break;
        const c = p[i + 1];
        if (c === 0x56) {
          this.flush();
          this.push({ kind: 'cut' });
          i += p[i + 2] >= 0x41 ? 4 : 3;
        } else if (c === 0x38 && p[i + 2] === 0x4c) {
          // GS 8 L p1..p4 m fn …: a graphics block with a 32-bit length (receiptline's QR codes); fn 112 stores a
          // raster (a bx by c xL xH yL yH, then the dots), printed by the GS ( L that follows: kept as an image.
          if (!need(7)) break;
          const len = p[i + 3] | (p[i + 4] << 8) | (p[i + 5] << 16) | (p[i + 6] << 24);
          if (!need(7 + len)) break;
          if (p[i + 8] === 112 && len >= 10) {
            const width = p[i + 13] | (p[i + 14] << 8);
            const rows = p[i + 15] | (p[i + 16] << 8);
            this.image((width + 7) >> 3, rows, Uint8Array.from(p.slice(i + 17, i + 7 + len)));
          }
          i += 7 + len;
        } else if (c === 0x28 || (c === 0x76 && p[i + 2] === 0x30)) {
          // GS ( fn pL pH … and GS v 0 m xL xH yL yH …: length-prefixed blocks (2D codes, raster images).
          if (c === 0x28) {
            if (!need(5)) break;
            const len = p[i + 3] | (p[i + 4] << 8);
            if (!need(5 + len)) break;
            i += 5 + len;
          } else {
            if (!need(8)) break;
            const len = (p[i + 4] | (p[i + 5] << 8)) * (p[i + 6] | (p[i + 7] << 8));
            if (!need(8 + len)) break;
            this.image(p[i + 4] | (p[i + 5] << 8), p[i + 6] | (p[i + 7] << 8), Uint8Array.from(p.slice(i + 8, i + 8 + len)));
            i += 8 + len;
          }
        } else {
          if (!need(c === 0x4c || c === 0x57 ? 4 : 3)) break;
          // GS r 1: transmit paper sensor status, sent by receiptline at the end of a job (job completion).
          if (c === 0x72 && (p[i + 2] === 1 || p[i + 2] === 0x31)) reply((this.status.paper === 'ok' ? 0 : 0x03) | (this.status.paper === 'end' ? 0x0c : 0));
          i += c === 0x4c || c === 0x57 ? 4 : 3;
        }
      } else if (b === 0x1c) {
        if (!need(2)) break;
        const c = p[i + 1];
        if (!need(c === 0x26 || c === 0x2e ? 2 : c === 0x28 ? (need(5) ? 5 + (p[i + 3] | (p[i + 4] << 8)) : 5) : 3)) break;
        if (c === 0x26 || c === 0x2e) {
          this.flush();
          this.chinese = c === 0x26;
          this.push({ kind: c === 0x26 ? 'chinese-on' : 'chinese-off' });
        }
        i += c === 0x26 || c === 0x2e ? 2 : c === 0x28 ? 5 + (p[i + 3] | (p[i + 4] << 8)) : 3;
      } else if (b === 0x0a) {
        this.flush();
        i++;
      } else {
        if (b >= 0x20) this.line.push(b);
        i++;
      }
    }
    this.pending = p.slice(i);
  }

  private starHandlers(reply: (b: number) => void): Parameters<StarParser['parse']>[1] {
    return {
      init: () => {
        this.push({ kind: 'init' });
        this.codePage = 'cp437';
      },
      text: (b) => this.line.push(b),
      lineFeed: () => this.flush(),
      codePage: (n) => {
        this.codePage = STAR_CODE_PAGES[n] ?? 'cp437';
      },
      cut: () => {
        this.flush();
        this.push({ kind: 'cut' });
      },
      image: (xb, rows, data) => this.image(xb, rows, data),
      drawer: (pin, onMs, offMs) => this.kick(pin, onMs, offMs, false),
      status: () => {
        for (const b of starAsbBytes(this.status)) reply(b);
      },
    };
  }

  private flush(): void {
    if (this.line.length === 0) return;
    const text = this.chinese ? iconv.decode(Buffer.from(this.line), 'gb18030') : this.codePage === KATAKANA ? decodeKatakana(this.line) : iconv.decode(Buffer.from(this.line), this.codePage);
    this.push({ kind: 'line', text: text.trimEnd() });
    this.line = [];
  }
}
