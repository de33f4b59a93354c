import type { PrinterProfile } from '../drivers/printer/escpos-printer.js';
import { ConfigError } from '../config/config-error.js';
export { ConfigError, CONFIG_ERROR_CODES } from '../config/config-error.js';
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID } from '../config/terminal-identity.js';
import { RECEIPT_LANGUAGES, type ReceiptLanguage } from '../receipts/receipt-labels.js';

import type { ContactlessConfig } from '../emv/contactless/index.js';
import { parseContactlessSection } from './contactless-config.js';
import { parseLogSection, type LogConfig } from './log-config.js';
import { parseHostTls, type HostTlsConfig } from './host-tls.js';
import { parseKind } from './device-kind.js';
import { DISPLAY_KINDS } from './lane-display.js';
import { PINPAD_KINDS, type PinPadConfig } from './lane-pinpad.js';
import { STRIPE_KINDS } from './lane-stripe.js';
import { PRINTER_KINDS } from './printer-kinds.js';
import { parseNexoConfig, type NexoConfig } from '../nexo/nexo-config.js';
import { parseMetricsConfig, type MetricsConfig } from './metrics-config.js';
import { parseInvoiceConfig, type InvoiceConfig } from '../invoices/invoice-config.js';

export type { PinPadConfig } from './lane-pinpad.js';

/** One lane: a till with its chip reader, PIN pad, receipt printer and customer display. */
export interface LaneConfig {
  readonly name: string;
  readonly reader: string;
  /** The lane's contactless reader (a PICC slot: "… PICC 0" of a dual-interface reader, or a reader of its own); none: no taps. */
  readonly contactless?: string;
  /** Default: "virtual" in demo mode, else "reader". */
  readonly pinpad?: PinPadConfig;
  /** The name of a printer in `printers`; default: the printer named "default", if any. */
  readonly printer?: string;
  /** A serial pole display (serial:///dev/ttyX?baud=9600). */
  readonly display?: string;
  /**
   * A magnetic stripe reader: "hid" (the first MagTek-style reader), "hid:VVVV:PPPP" (vendor:product, hex),
   * "hid:PATH" (an OS device path) or "virtual" (the demo's, swiped through sim.swipeCard). Default: "virtual" in
   * demo mode, else none.
   */
  readonly stripe?: string;
  /** The POIID the nexo endpoint knows this lane by (default "posbridge-<name>"). */
  readonly poiId?: string;
}

/** A receipt printer the lanes name. */
export interface PrinterConfig {
  /** tcp://HOST[:PORT], serial:///dev/ttyX?baud=N or file:///dev/usb/lpN. */
  readonly url: string;
  /** The receipt's code page: "cp858" (Latin, default) or "gb18030" (Chinese). */
  readonly encoding: PrinterProfile['encoding'];
  /** The printer's command set (default "escpos"). */
  readonly commandSet: 'escpos' | 'generic' | 'star';
  /** Whether the printer has a Chinese font (else Chinese receipts print as an image). */
  readonly chineseFont: boolean;
  /** Characters per line: 42 on 80 mm paper, 32 on 58 mm (default 42). */
  readonly charactersPerLine: number;
}

/** The daemon's configuration file (JSON). Every key is optional but `lanes`. */
export interface DaemonConfig {
  /** API port on 127.0.0.1 (default 17620; 0 picks a free one). */
  readonly port: number;
  /** Data directory (default per OS convention). */
  readonly dataDir?: string;
  /** Origins (besides the daemon's own page) allowed to open the API. */
  readonly allowedOrigins: readonly string[];
  /** The acquirer host, or "simulator" for the built-in one. */
  readonly host: { readonly host: string; readonly port: number; readonly tls?: HostTlsConfig } | 'simulator';
  /** Reader driver: the real PC/SC service, or in-process virtual readers (demo). */
  readonly readers: 'pcsc' | 'virtual';
  readonly lanes: readonly LaneConfig[];
  /** Refunds above this amount (minor units) need a supervisor. */
  readonly refundLimitForCashier: number;
  /** Demo mode: sim.* methods on, virtual devices. */
  readonly demo: boolean;
  /** diag.transmit (raw APDUs, admin only); off by default. */
  readonly diagTransmit: boolean;
  /** Receipt printers by name; lanes name theirs. */
  readonly printers?: Readonly<Record<string, PrinterConfig>>;
  /** Shorthand for a printer named "default": its URL. */
  readonly printer?: string;
  /** The "default" printer's code page when given by `printer`. */
  readonly printerEncoding?: PrinterProfile['encoding'];
  /**
   * Receipts printed by themselves when a payment ends approved or declined: "none" (the cashier app asks with
   * receipt.print), "customer", or "both" (customer and merchant copies). Default "none".
   */
  readonly autoPrint?: 'none' | 'customer' | 'both';
  /** Readers known to claim a PIN pad they do not have (substring of the reader name): never used for PIN entry. */
  readonly falsePinPadReaders?: readonly string[];
  /**
   * The shop as its receipts name it, and the terminal's identity: `terminalId` goes to ISO 8583 field 41, EMV 9F1C,
   * the receipt and each journal row; `merchantId` to field 42 (src/config/terminal-identity.ts); `language` words
   * the receipts (`en` by default, `zh`: Chinese labels).
   */
  readonly merchant: {
    readonly name: string;
    readonly address: readonly string[];
    readonly terminalId: string;
    readonly merchantId: string;
    readonly language?: ReceiptLanguage;
    /** Not a key of the file: the daemon copies `invoice.qrUrl` here so every receipt it builds carries the QR code. */
    readonly invoiceQrUrl?: string;
  };
  /**
   * Encrypted backups on a schedule (docs/backups.md): every N hours, keeping `keep` in <dataDir>/backups and in
   * `copyTo` (a second folder, e.g. a mounted share) when set, sealed with the key in `keyFile` (default
   * <config dir>/backup.key). Null: no scheduled backups (`posbridge backup now` still works).
   */
  readonly backup: BackupConfig | null;
  /** The lanes' contactless combinations and limits (`contactless` section); absent: the built-in defaults. */
  readonly contactless?: ContactlessConfig;
  /** The Adyen-compatible nexo endpoint (docs/nexo.md); off when absent. */
  readonly nexo?: NexoConfig;
  /** The Prometheus endpoint (/metrics, /healthz, /readyz; docs/operations.md); off when absent. */
  readonly metrics?: MetricsConfig;
  /** The log file, its rotation and level (`log` section); defaults when absent. */
  readonly log?: LogConfig;
  /** Invoice requests (docs/invoices.md): the receipt's QR code template and the endpoint requests go to; off when absent. */
  readonly invoice?: InvoiceConfig;
  /** Demo only (`posbridge demo --auto-card`): a virtual card presented, its PIN typed, to every payment. */
  readonly autoCard?: { readonly profile: string; readonly delayMs: number };
}


/** The `backup` section. */
export interface BackupConfig {
  readonly everyHours: number;
  readonly keep: number;
  /** A second folder receiving a copy of each backup (a mounted share). */
  readonly copyTo?: string;
  /** The backup key file (default <config dir>/backup.key); never inside the backups. */
  readonly keyFile?: string;
}

function parseBackup(v: unknown): BackupConfig {
  const b = v as Record<string, unknown>;
  const shape = 'must be {"everyHours": N > 0, "keep": N >= 1, "copyTo"?: "/a/folder", "keyFile"?: "/a/file"}, or false';
  if (typeof b !== 'object' || b === null || typeof b.everyHours !== 'number' || !(b.everyHours > 0) || typeof b.keep !== 'number' || !Number.isInteger(b.keep) || b.keep < 1) throw new ConfigError('backup', shape);
  for (const k of Object.keys(b)) if (!['everyHours', 'keep', 'copyTo', 'keyFile'].includes(k)) throw new ConfigError(`backup.${k}`, `unknown key: ${shape}`);
  for (const k of ['copyTo', 'keyFile'] as const) if (b[k] !== undefined && (typeof b[k] !== 'string' || b[k] === '')) throw new ConfigError(`backup.${k}`, 'must be a path');
  return { everyHours: b.everyHours, keep: b.keep, ...(typeof b.copyTo === 'string' ? { copyTo: b.copyTo } : {}), ...(typeof b.keyFile === 'string' ? { keyFile: b.keyFile } : {}) };
}

const KEYS = new Set(['port', 'dataDir', 'allowedOrigins', 'host', 'readers', 'lanes', 'refundLimitForCashier', 'demo', 'diagTransmit', 'backup', 'merchant', 'printer', 'printerEncoding', 'printers', 'falsePinPadReaders', 'autoPrint', 'contactless', 'nexo', 'metrics', 'log', 'invoice']);

/** Validates a parsed JSON config, filling defaults; ConfigError names the bad key and why. */
export function parseConfig(json: unknown): DaemonConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError('(root)', 'must be a JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) throw new ConfigError(k, `unknown key (known: ${[...KEYS].join(', ')})`);
  const port = o.port ?? 17620;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('port', 'must be an integer 0..65535');
  if (o.dataDir !== undefined && (typeof o.dataDir !== 'string' || o.dataDir === '')) throw new ConfigError('dataDir', 'must be a path');
  const origins = o.allowedOrigins ?? [];
  if (!Array.isArray(origins) || !origins.every((x) => typeof x === 'string' && /^https?:\/\/[^/]+$/.test(x))) throw new ConfigError('allowedOrigins', 'must be a list of origins like "https://till.example:8443"');
  let host: DaemonConfig['host'] = 'simulator';
  if (o.host !== undefined && o.host !== 'simulator') {
    const h = o.host as Record<string, unknown>;
    if (typeof h !== 'object' || h === null || typeof h.host !== 'string' || typeof h.port !== 'number') throw new ConfigError('host', 'must be "simulator" or {"host": "…", "port": N, "tls"?: {…}}');
    host = { host: h.host, port: h.port, ...(h.tls !== undefined ? { tls: parseHostTls(h.tls) } : {}) };
  }
  const readers = o.readers ?? 'pcsc';
  if (readers !== 'pcsc' && readers !== 'virtual') throw new ConfigError('readers', 'must be "pcsc" or "virtual"');
  const lanes = o.lanes;
  if (!Array.isArray(lanes) || lanes.length === 0) throw new ConfigError('lanes', 'must list at least one lane {"name": "A", "reader": "…"}');
  const printers = parsePrinters(o.printers, o.printer, o.printerEncoding);
  const parsedLanes = lanes.map((l, i) => parseLane(l, i, printers));
  const names = new Set<string>();
  for (const [i, l] of parsedLanes.entries()) {
    if (names.has(l.name)) throw new ConfigError(`lanes[${i}].name`, `"${l.name}" names two lanes`);
    names.add(l.name);
  }
  const falsePinPads = o.falsePinPadReaders ?? [];
  if (!Array.isArray(falsePinPads) || !falsePinPads.every((x) => typeof x === 'string' && x !== '')) throw new ConfigError('falsePinPadReaders', 'must be a list of reader names (or parts of them)');
  const refundLimit = o.refundLimitForCashier ?? 5000;
  if (typeof refundLimit !== 'number' || !Number.isInteger(refundLimit) || refundLimit < 0) throw new ConfigError('refundLimitForCashier', 'must be a non-negative integer (minor units)');
  const demo = o.demo ?? false;
  if (typeof demo !== 'boolean') throw new ConfigError('demo', 'must be true or false');
  const diagTransmit = o.diagTransmit ?? false;
  if (typeof diagTransmit !== 'boolean') throw new ConfigError('diagTransmit', 'must be true or false');
  let backup: DaemonConfig['backup'] = { everyHours: 24, keep: 7 };
  if (o.backup === null || o.backup === false) backup = null;
  else if (o.backup !== undefined) backup = parseBackup(o.backup);
  return {
    port,
    ...(typeof o.dataDir === 'string' ? { dataDir: o.dataDir } : {}),
    allowedOrigins: origins as string[],
    host,
    readers,
    lanes: parsedLanes,
    refundLimitForCashier: refundLimit,
    demo,
    diagTransmit,
    backup,
    merchant: parseMerchant(o.merchant),
    printers,
    falsePinPadReaders: falsePinPads as string[],
    autoPrint: parseAutoPrint(o.autoPrint),
    log: parseLogSection(o.log),
    ...(o.contactless !== undefined ? { contactless: parseContactlessSection(o.contactless) } : {}),
    ...nexoSection(o.nexo, parsedLanes),
    ...metricsSection(o.metrics, port),
    ...invoiceSection(o.invoice, demo),
  };
}

function invoiceSection(v: unknown, demo: boolean): { invoice?: InvoiceConfig } {
  const invoice = parseInvoiceConfig(v, demo);
  return invoice ? { invoice } : {};
}

function nexoSection(v: unknown, lanes: readonly LaneConfig[]): { nexo?: NexoConfig } {
  const nexo = parseNexoConfig(v);
  const seen = new Set<string>();
  for (const [i, l] of lanes.entries()) {
    const id = l.poiId ?? `posbridge-${l.name}`;
    if (seen.has(id)) throw new ConfigError(`lanes[${i}].poiId`, `"${id}" names two lanes`);
    seen.add(id);
  }
  return nexo ? { nexo } : {};
}

function metricsSection(v: unknown, apiPort: number): { metrics?: MetricsConfig } {
  const metrics = parseMetricsConfig(v, apiPort);
  return metrics ? { metrics } : {};
}

function parseAutoPrint(v: unknown): 'none' | 'customer' | 'both' {
  if (v === undefined) return 'none';
  if (v === 'none' || v === 'customer' || v === 'both') return v;
  throw new ConfigError('autoPrint', 'must be "none", "customer" or "both"');
}

function parseLane(l: unknown, i: number, printers: Readonly<Record<string, PrinterConfig>>): LaneConfig {
  const x = l as Record<string, unknown>;
  if (typeof x !== 'object' || x === null || typeof x.name !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(x.name)) throw new ConfigError(`lanes[${i}].name`, 'must be 1–40 letters, digits, _ or -');
  for (const k of Object.keys(x)) if (!['name', 'reader', 'contactless', 'pinpad', 'printer', 'display', 'stripe', 'poiId'].includes(k)) throw new ConfigError(`lanes[${i}].${k}`, 'unknown key (known: name, reader, contactless, pinpad, printer, display, stripe, poiId)');
  if (x.poiId !== undefined && (typeof x.poiId !== 'string' || !/^[ -~]{1,64}$/.test(x.poiId))) throw new ConfigError(`lanes[${i}].poiId`, 'must be 1–64 printable characters (the POIID apps send)');
  if (typeof x.reader !== 'string' || x.reader === '') throw new ConfigError(`lanes[${i}].reader`, 'must name the PC/SC reader');
  if (x.contactless !== undefined && (typeof x.contactless !== 'string' || x.contactless === '' || x.contactless === x.reader)) throw new ConfigError(`lanes[${i}].contactless`, 'must name the contactless PC/SC reader (not the contact one)');
  // Each device value is checked by the registered kind that claims it (device-kind.ts).
  const pinpad = x.pinpad === undefined ? undefined : (parseKind(PINPAD_KINDS, x.pinpad, `lanes[${i}].pinpad`) as PinPadConfig);
  if (x.printer !== undefined && (typeof x.printer !== 'string' || !(x.printer in printers))) {
    throw new ConfigError(`lanes[${i}].printer`, `must name a printer in "printers" (known: ${Object.keys(printers).join(', ') || 'none'})`);
  }
  const display = x.display === undefined ? undefined : parseKind(DISPLAY_KINDS, x.display, `lanes[${i}].display`);
  const stripe = x.stripe === undefined ? undefined : parseKind(STRIPE_KINDS, x.stripe, `lanes[${i}].stripe`);
  return {
    name: x.name,
    reader: x.reader,
    ...(typeof x.contactless === 'string' ? { contactless: x.contactless } : {}),
    ...(pinpad ? { pinpad } : {}),
    ...(typeof x.printer === 'string' ? { printer: x.printer } : {}),
    ...(display ? { display } : {}),
    ...(stripe ? { stripe } : {}),
    ...(typeof x.poiId === 'string' ? { poiId: x.poiId } : {}),
  };
}

function parsePrinters(v: unknown, shorthand: unknown, shorthandEncoding: unknown): Record<string, PrinterConfig> {
  const out: Record<string, PrinterConfig> = {};
  if (v !== undefined) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('printers', 'must be an object of named printers {"front": {"url": "tcp://…"}}');
    for (const [name, p] of Object.entries(v as Record<string, unknown>)) {
      const key = `printers.${name}`;
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(name)) throw new ConfigError(key, 'a printer name is 1–40 letters, digits, _ or -');
      if (typeof p !== 'object' || p === null) throw new ConfigError(key, 'must be {"url": "…", …}');
      const x = p as Record<string, unknown>;
      for (const k of Object.keys(x)) if (!['url', 'encoding', 'commandSet', 'chineseFont', 'charactersPerLine'].includes(k)) throw new ConfigError(`${key}.${k}`, 'unknown key (known: url, encoding, commandSet, chineseFont, charactersPerLine)');
      const commandSet = x.commandSet ?? 'escpos';
      if (commandSet !== 'escpos' && commandSet !== 'generic' && commandSet !== 'star') throw new ConfigError(`${key}.commandSet`, 'must be "escpos", "generic" or "star"');
      if (x.chineseFont !== undefined && typeof x.chineseFont !== 'boolean') throw new ConfigError(`${key}.chineseFont`, 'must be true or false');
      const cpl = x.charactersPerLine ?? 42;
      if (typeof cpl !== 'number' || !Number.isInteger(cpl) || cpl < 24 || cpl > 64) throw new ConfigError(`${key}.charactersPerLine`, 'must be an integer 24..64');
      const encoding = parseEncoding(x.encoding, `${key}.encoding`);
      out[name] = { url: parseKind(PRINTER_KINDS, x.url, `${key}.url`), encoding, commandSet, chineseFont: x.chineseFont === true || (x.chineseFont === undefined && encoding === 'gb18030'), charactersPerLine: cpl };
    }
  }
  if (shorthand !== undefined) {
    if (out.default) throw new ConfigError('printer', 'both "printer" and printers.default are given: keep one');
    const encoding = parseEncoding(shorthandEncoding, 'printerEncoding');
    out.default = { url: parseKind(PRINTER_KINDS, shorthand, 'printer'), encoding, commandSet: 'escpos', chineseFont: encoding === 'gb18030', charactersPerLine: 42 };
  } else if (shorthandEncoding !== undefined) throw new ConfigError('printerEncoding', 'only goes with "printer" (use printers.NAME.encoding)');
  return out;
}

/** The printer a lane prints on: its own, else the one named "default"; null when none. */
export function lanePrinter(config: DaemonConfig, lane: LaneConfig): { readonly name: string; readonly printer: PrinterConfig } | null {
  const all = allPrinters(config);
  const name = lane.printer ?? (all.default ? 'default' : null);
  const printer = name ? all[name] : undefined;
  return name && printer ? { name, printer } : null;
}

/** Every configured printer by name (the `printer` shorthand included as "default"). */
export function allPrinters(config: DaemonConfig): Readonly<Record<string, PrinterConfig>> {
  if (config.printer && !config.printers?.default) {
    const encoding = config.printerEncoding ?? 'cp858';
    return { ...config.printers, default: { url: config.printer, encoding, commandSet: 'escpos', chineseFont: encoding === 'gb18030', charactersPerLine: 42 } };
  }
  return config.printers ?? {};
}

/** The lane's stripe reader: what the config names, else the virtual one in demo mode; null for none. */
export function laneStripe(config: DaemonConfig, lane: LaneConfig): string | null {
  return lane.stripe ?? (config.demo ? 'virtual' : null);
}

/** Where the lane's PIN is entered. */
export function lanePinPad(config: DaemonConfig, lane: LaneConfig): PinPadConfig {
  return lane.pinpad ?? (config.demo ? 'virtual' : 'reader');
}

function parseMerchant(v: unknown): DaemonConfig['merchant'] {
  if (v === undefined) return { name: 'posbridge shop', address: [], terminalId: DEFAULT_TERMINAL_ID, merchantId: DEFAULT_MERCHANT_ID, language: 'en' };
  const m = v as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || m.name === '') throw new ConfigError('merchant.name', 'must be the shop name');
  if (m.address !== undefined && (!Array.isArray(m.address) || !m.address.every((x) => typeof x === 'string'))) throw new ConfigError('merchant.address', 'must be a list of lines');
  if (m.terminalId !== undefined && (typeof m.terminalId !== 'string' || !/^[ -~]{1,8}$/.test(m.terminalId))) throw new ConfigError('merchant.terminalId', 'must be 1–8 printable characters');
  if (m.merchantId !== undefined && (typeof m.merchantId !== 'string' || !/^[ -~]{1,15}$/.test(m.merchantId))) throw new ConfigError('merchant.merchantId', 'must be 1–15 printable characters');
  const language = m.language === undefined ? 'en' : RECEIPT_LANGUAGES.find((l) => l === m.language);
  if (language === undefined) throw new ConfigError('merchant.language', `must be one of ${RECEIPT_LANGUAGES.join(', ')}`);
  for (const k of Object.keys(m)) if (!['name', 'address', 'terminalId', 'merchantId', 'language'].includes(k)) throw new ConfigError(`merchant.${k}`, 'unknown key (known: name, address, terminalId, merchantId, language)');
  return {
    name: m.name,
    address: (m.address as string[] | undefined) ?? [],
    terminalId: (m.terminalId as string | undefined) ?? DEFAULT_TERMINAL_ID,
    merchantId: (m.merchantId as string | undefined) ?? DEFAULT_MERCHANT_ID,
    language,
  };
}

function parseEncoding(v: unknown, key: string): PrinterProfile['encoding'] {
  if (v === undefined) return 'cp858';
  const ok = ['multilingual', 'cp437', 'cp858', 'cp1252', 'gb18030'] as const;
  const found = ok.find((e) => e === v);
  if (!found) throw new ConfigError(key, `must be one of ${ok.join(', ')}`);
  return found;
}
