// A software 2 × 20 customer display: interprets the DM-D style commands PoleDisplay sends into a character screen.
// Understood: ESC @ (reset), CLR 0C, CAN 18 (clear line), HOM 0B, CR 0D, LF 0A, BS 08, HT 09, US $ n m, US B,
// US MD1/MD2/MD3 (only overwrite is modelled), and the one-parameter US C / US E / US X / US r (accepted, ignored).
// Text bytes 0x20–0x7E and 0x80–0xFF are decoded as code page 437; other ESC/US sequences are skipped.
import { SerialPort } from 'serialport';
import { CP437_BYTE_TO_CHAR, DISPLAY_COLUMNS } from '../../drivers/display/pole-display.js';

const ESC = 0x1b;
const US = 0x1f;
/** US sub-commands that take one parameter byte. */
const US_ONE_PARAM = new Set([0x43, 0x45, 0x58, 0x72]);

/** An open link between the emulator and a pty (or serial) path. */
export interface EmulatorLink {
  close(): Promise<void>;
}

/** A 2 × 20 pole display in memory: feed it bytes, read its screen. */
export class PoleDisplayEmulator {
  private screen: string[][] = [blank(), blank()];
  private row = 0;
  private col = 0;
  private pending: number[] = [];
  /** How many CLR (0C) commands arrived. */
  clears = 0;
  /** How many ESC @ (initialize) commands arrived. */
  resets = 0;
  /** How many bytes were fed in total. */
  received = 0;
  /** The last screen mode selected with US MD1/2/3 (1 = overwrite). */
  mode = 1;

  /** The two lines as shown, each exactly 20 characters. */
  lines(): [string, string] {
    return [this.screen[0].join(''), this.screen[1].join('')];
  }

  /** Interprets bytes; a command split across calls is completed by the next call. */
  feed(bytes: Uint8Array): void {
    this.received += bytes.length;
    for (const b of bytes) {
      this.pending.push(b);
      const used = this.step(this.pending);
      if (used) this.pending = [];
    }
  }

  /** Opens `path` (a pty end) at `baudRate` and feeds everything that arrives; close() detaches. */
  async attachToPath(path: string, baudRate = 9600): Promise<EmulatorLink> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('error', () => undefined);
    port.on('data', (d: Buffer) => this.feed(d));
    return {
      close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
    };
  }

  /** Runs the command in `seq` if it is complete; true when consumed, false to wait for more bytes. */
  private step(seq: number[]): boolean {
    const [b, c, p1, p2] = seq;
    if (b === ESC) {
      if (seq.length < 2) return false;
      if (c === 0x40) this.reset();
      return true;
    }
    if (b === US) {
      if (seq.length < 2) return false;
      if (c === 0x24) {
        if (seq.length < 4) return false;
        if (p1 >= 1 && p1 <= DISPLAY_COLUMNS && (p2 === 1 || p2 === 2)) [this.col, this.row] = [p1 - 1, p2 - 1];
        return true;
      }
      if (US_ONE_PARAM.has(c)) return seq.length >= 3;
      if (c >= 0x01 && c <= 0x03) this.mode = c;
      else if (c === 0x42) [this.row, this.col] = [1, 0];
      else if (c === 0x0d) this.col = DISPLAY_COLUMNS - 1;
      else if (c === 0x0a) this.row = 0;
      return true;
    }
    this.single(b);
    return true;
  }

  private single(b: number): void {
    switch (b) {
      case 0x0c:
        this.clears++;
        this.wipe();
        return;
      case 0x18:
        this.screen[this.row] = blank();
        return;
      case 0x0b:
        [this.row, this.col] = [0, 0];
        return;
      case 0x0d:
        this.col = 0;
        return;
      case 0x0a:
        this.row = 1;
        return;
      case 0x08:
        this.col = Math.max(0, this.col - 1);
        return;
      case 0x09:
        this.advance();
        return;
    }
    const ch = CP437_BYTE_TO_CHAR.get(b);
    if (ch === undefined) return;
    this.screen[this.row][this.col] = ch;
    this.advance();
  }

  /** Overwrite mode: past the end of line 1 the cursor goes to line 2, past line 2 back to line 1. */
  private advance(): void {
    if (++this.col < DISPLAY_COLUMNS) return;
    this.col = 0;
    this.row = this.row === 0 ? 1 : 0;
  }

  private wipe(): void {
    this.screen = [blank(), blank()];
    [this.row, this.col] = [0, 0];
  }

  private reset(): void {
    this.resets++;
    this.mode = 1;
    this.wipe();
  }
}

function blank(): string[] {
  return Array.from({ length: DISPLAY_COLUMNS }, () => ' ');
}
