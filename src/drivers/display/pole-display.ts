// A 2 × 20 customer (pole) display speaking the Epson DM-D "ESC/POS customer display" command set.
// Command bytes (names and codes as in Epson's DM-D command reference; cross-checked against the command table of
// node-escpos/driver, packages/screen/src/commands.ts, found with the search tool — facts only, no code copied):
//   ESC @   1B 40      initialize the display (modes back to default)
//   US MD1  1F 01      overwrite mode (no scrolling when a line is full)
//   CLR     0C         clear the whole screen, cursor home
//   US $ n m 1F 24 n m cursor to column n (1..20) of line m (1..2)
// Text policy: each line is NFC-normalized, then every character outside the printable code page 437 set
// (0x20–0x7E and 0x80–0xFF; control bytes never pass) becomes '?'; a non-empty line in which *no* character is
// printable is refused with DISPLAY_TEXT_INVALID (it would show only '?'). Lines are cut or space-padded to 20 columns.
import iconv from 'iconv-lite';
import type { DisplayTransport } from './display-port.js';
import { DisplayError } from './errors.js';

/** Columns per line of the display. */
export const DISPLAY_COLUMNS = 20;

/** The command bytes the driver sends (and the emulator understands). */
export const DISPLAY_COMMANDS = {
  init: [0x1b, 0x40],
  overwriteMode: [0x1f, 0x01],
  clear: [0x0c],
  cursorTo: (column: number, line: number): number[] => [0x1f, 0x24, column, line],
} as const;

/** The standard payment prompts (any other text is shown too). */
export const DISPLAY_PROMPTS = ['INSERT CARD', 'ENTER PIN', 'APPROVED', 'DECLINED', 'THANK YOU'] as const;

/** One of the standard payment prompts. */
export type DisplayPrompt = (typeof DISPLAY_PROMPTS)[number];

/** Code page 437 byte ↔ character, printable range only (0x20–0x7E, 0x80–0xFF). */
export const CP437_BYTE_TO_CHAR: ReadonlyMap<number, string> = new Map(
  [...range(0x20, 0x7e), ...range(0x80, 0xff)].map((b) => [b, iconv.decode(Buffer.of(b), 'cp437')]),
);
const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map([...CP437_BYTE_TO_CHAR].map(([b, c]) => [c, b]));
const QUESTION = 0x3f;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** One display line as CP437 bytes: unprintable characters → '?', cut or space-padded to 20 columns. */
export function encodeLine(text: string): Uint8Array {
  const chars = Array.from(text.normalize('NFC'));
  const bytes = chars.map((c) => CHAR_TO_BYTE.get(c));
  if (chars.length > 0 && bytes.every((b) => b === undefined)) {
    throw new DisplayError('DISPLAY_TEXT_INVALID', 'no character of the text exists in code page 437', { length: chars.length });
  }
  const out = new Uint8Array(DISPLAY_COLUMNS).fill(0x20);
  bytes.slice(0, DISPLAY_COLUMNS).forEach((b, i) => (out[i] = b ?? QUESTION));
  return out;
}

/** The full byte sequence that shows two lines: ESC @, US MD1, CLR, then each line placed with US $. */
export function encodeScreen(line1: string, line2 = ''): Uint8Array {
  const a = encodeLine(line1);
  const b = encodeLine(line2);
  const c = DISPLAY_COMMANDS;
  return Uint8Array.from([...c.init, ...c.overwriteMode, ...c.clear, ...c.cursorTo(1, 1), ...a, ...c.cursorTo(1, 2), ...b]);
}

/** An amount in minor units as "12.34 EUR" (decimals from the ISO 4217 currency; negative amounts get '-'). */
export function formatAmount(amountMinor: number, currencyAlpha: string): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new DisplayError('DISPLAY_TEXT_INVALID', 'the amount must be a whole number of minor units', { amountMinor });
  }
  if (!/^[A-Z]{3}$/.test(currencyAlpha)) {
    throw new DisplayError('DISPLAY_TEXT_INVALID', 'the currency must be an ISO 4217 alphabetic code', { currencyAlpha });
  }
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: currencyAlpha }).resolvedOptions().maximumFractionDigits ?? 2;
  const abs = BigInt(Math.abs(amountMinor)).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${amountMinor < 0 ? '-' : ''}${whole} ${currencyAlpha}`;
}

/** A customer display on any byte pipe (serial, TCP, usblp); each call repaints the whole screen. */
export class PoleDisplay {
  /** Wraps a transport; the display owns it from now on (close() closes it). */
  constructor(private readonly transport: DisplayTransport) {}

  /** Blanks the screen (ESC @, CLR). */
  async clear(): Promise<void> {
    const c = DISPLAY_COMMANDS;
    await this.send(Uint8Array.from([...c.init, ...c.overwriteMode, ...c.clear]));
  }

  /** Shows two lines, each cut or padded to 20 columns (see the text policy at the top of this file). */
  async show(line1: string, line2 = ''): Promise<void> {
    await this.send(encodeScreen(line1, line2));
  }

  /** "TOTAL" on line 1, the amount right-aligned on line 2 ("           12.34 EUR"). */
  async showAmount(amountMinor: number, currencyAlpha: string): Promise<void> {
    const amount = formatAmount(amountMinor, currencyAlpha);
    await this.show('TOTAL', amount.length >= DISPLAY_COLUMNS ? amount : amount.padStart(DISPLAY_COLUMNS));
  }

  /** A prompt centred on line 1 ("INSERT CARD", "ENTER PIN", …), optional detail on line 2. */
  async showPrompt(text: DisplayPrompt | string, detail = ''): Promise<void> {
    await this.show(centre(text), detail);
  }

  /** Closes the transport. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private async send(bytes: Uint8Array): Promise<void> {
    try {
      await this.transport.write(bytes);
    } catch (err) {
      // The display's own serial port already says DISPLAY_UNREACHABLE; another pipe's failure is wrapped.
      if (err instanceof DisplayError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new DisplayError('DISPLAY_UNREACHABLE', `the customer display did not take the data: ${why}`, {}, err);
    }
  }
}

function centre(text: string): string {
  const n = Array.from(text).length;
  return n >= DISPLAY_COLUMNS ? text : ' '.repeat(Math.floor((DISPLAY_COLUMNS - n) / 2)) + text;
}
