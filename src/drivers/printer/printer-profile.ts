/** The command language a printer speaks: Epson ESC/POS, a plain ESC/POS subset (clones), or Star (StarPRNT). */
export type CommandSet = 'escpos' | 'generic' | 'star';

/** Every command set a printer profile may name (config, CLI). */
export const COMMAND_SETS: readonly CommandSet[] = ['escpos', 'generic', 'star'];

/** How a receipt is laid out for a printer (receiptline's printer settings plus what the printer can do). */
export interface PrinterProfile {
  /** Characters per line: 42 for 80 mm paper with font B off, 32 for 58 mm. */
  readonly cpl: number;
  readonly encoding: 'multilingual' | 'cp437' | 'cp858' | 'cp1252' | 'gb18030';
  /** The command language (default `escpos`). */
  readonly commandSet?: CommandSet;
  /**
   * Whether the printer has a Chinese (GB18030) font. Default: true when the encoding is gb18030. Without one, a
   * receipt holding Chinese text is printed as a raster image.
   */
  readonly chineseFont?: boolean;
}

/** The profile's command set, `escpos` when it names none. */
export function commandSetOf(p: PrinterProfile): CommandSet {
  return p.commandSet ?? 'escpos';
}

/** Whether the printer prints Chinese as text (a Chinese font and GB18030). */
export function printsChineseText(p: PrinterProfile): boolean {
  return (p.chineseFont ?? p.encoding === 'gb18030') && p.encoding === 'gb18030';
}

/**
 * receiptline's `command` for a profile: escpos and generic are receiptline's own; star is StarPRNT
 * (`starsbcs`, or `starmbcs2` for the Chinese/Korean font models).
 */
export function receiptlineCommand(p: PrinterProfile): 'escpos' | 'generic' | 'starsbcs' | 'starmbcs2' {
  const set = commandSetOf(p);
  if (set !== 'star') return set;
  return printsChineseText(p) ? 'starmbcs2' : 'starsbcs';
}

/** CJK ideographs, kana, hangul and full-width forms: text a Latin code page cannot print. */
const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[\u{20000}-\u{2fa1f}]/u;

/** Whether a document holds text only a CJK font can print. */
export function hasCjk(text: string): boolean {
  return CJK.test(text);
}
