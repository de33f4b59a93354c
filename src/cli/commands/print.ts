import { readFileSync } from 'node:fs';
import { allPrinters, parseConfig, type PrinterConfig } from '../../daemon/config.js';
import { printerFromUrl, renderEscPos, type PrinterProfile } from '../../drivers/printer/escpos-printer.js';
import { COMMAND_SETS, hasCjk, printsChineseText, type CommandSet } from '../../drivers/printer/printer-profile.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge print`. */
export interface PrintOptions {
  readonly printer: string;
  readonly encoding?: string;
  readonly commandSet?: string;
  readonly config?: string;
  readonly test?: boolean;
  readonly json?: boolean;
}

const ENCODINGS: readonly PrinterProfile['encoding'][] = ['multilingual', 'cp437', 'cp858', 'cp1252', 'gb18030'];

/** A printer to print on: its URL and layout profile, and the config name it was found under (null for a URL). */
export interface ResolvedPrinter {
  readonly name: string | null;
  readonly url: string;
  readonly profile: PrinterProfile;
}

/** What the command line may override in a profile. */
export interface ProfileOverrides {
  readonly encoding?: string;
  readonly commandSet?: string;
}

/**
 * The printer `p` names: a URL (tcp://, serial://, file://; profile: 42 characters per line, cp858, escpos), or
 * the name of a printer in the daemon config's `printers`. `--encoding` / `--command-set` override the profile.
 * UsageError for an unknown name or a bad override.
 */
export function resolvePrinter(p: string, printers: Readonly<Record<string, PrinterConfig>>, overrides: ProfileOverrides = {}): ResolvedPrinter {
  const enc = overrides.encoding;
  if (enc !== undefined && !(ENCODINGS as readonly string[]).includes(enc)) throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}, got "${enc}"`);
  const set = overrides.commandSet;
  if (set !== undefined && !(COMMAND_SETS as readonly string[]).includes(set)) throw new UsageError(`--command-set must be one of ${COMMAND_SETS.join(', ')}, got "${set}"`);
  const encoding = enc as PrinterProfile['encoding'] | undefined;
  const commandSet = set as CommandSet | undefined;
  if (p.includes('://')) {
    return { name: null, url: p, profile: { cpl: 42, encoding: encoding ?? 'cp858', commandSet: commandSet ?? 'escpos' } };
  }
  const c = Object.hasOwn(printers, p) ? printers[p] : undefined;
  if (!c) {
    const known = Object.keys(printers);
    throw new UsageError(`no printer "${p}" in the config (${known.length ? `known: ${known.join(', ')}` : 'it has none; give --config FILE or a URL'})`);
  }
  const e = encoding ?? c.encoding;
  // A changed encoding decides the Chinese font again only when the config did not say (gb18030 implies one).
  return { name: p, url: c.url, profile: { cpl: c.charactersPerLine, encoding: e, commandSet: commandSet ?? c.commandSet, chineseFont: encoding === undefined ? c.chineseFont : c.chineseFont || e === 'gb18030' } };
}

/** The printers of the daemon config at `file` (none without one); UsageError when it cannot be read. */
export function configPrinters(file: string | undefined): Readonly<Record<string, PrinterConfig>> {
  if (!file) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new UsageError(`cannot read the config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return allPrinters(parseConfig(raw));
}

function testPage(r: ResolvedPrinter): string {
  const chinese = printsChineseText(r.profile) ? '中文 收据 测试\n' : '';
  return `^^posbridge test page\n-\nPrinter | ${r.name ?? r.url}\nCommand set | ${r.profile.commandSet ?? 'escpos'}\nEncoding | ${r.profile.encoding}\nCharacters per line | ${r.profile.cpl}\n-\n0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\nÀÉÎÕÜ àéîõü ß €\n${chinese}{code:https://github.com/receiptline; option:qrcode,4,m}\n`;
}

/**
 * `posbridge print --printer P [--encoding ENC] [--config FILE] (--test | FILE) [--json]`: prints a receiptline
 * document (or a test page) after checking the printer can print; exit 1 when it cannot, 2 for bad input.
 */
export async function printCommand(ctx: CliContext, file: string | undefined, opts: PrintOptions): Promise<number> {
  if (opts.test === true && file !== undefined) throw new UsageError('give --test or a FILE, not both');
  if (opts.test !== true && file === undefined) throw new UsageError('give a receiptline FILE to print, or --test');
  const r = resolvePrinter(opts.printer, configPrinters(opts.config), { encoding: opts.encoding, commandSet: opts.commandSet });
  let doc: string;
  if (file === undefined) doc = testPage(r);
  else {
    try {
      doc = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const bytes = renderEscPos(doc, r.profile);
  const asImage = hasCjk(doc) && !printsChineseText(r.profile);
  const printer = printerFromUrl(r.url, r.profile.commandSet);
  try {
    const status = await printer.print(bytes);
    const out = { printer: r.name ?? r.url, url: r.url, printed: true, bytes: bytes.length, asImage, status };
    const unchecked = status === null ? ' (sent unchecked: the printer answers no status request)' : '';
    ctx.out(opts.json ? JSON.stringify({ ...out, confirmed: status !== null }) : `${out.printer}: printed ${bytes.length} bytes${asImage ? ' (as an image: no Chinese font)' : ''}${unchecked}`);
    return EXIT.OK;
  } finally {
    await printer.close();
  }
}
