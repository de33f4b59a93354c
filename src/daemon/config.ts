import type { PrinterProfile } from '../drivers/printer/escpos-printer.js';
import { PrinterError } from '../drivers/printer/errors.js';
import { parsePrinterUrl } from '../drivers/printer/printer-url.js';
import { PosbridgeError } from '../errors.js';

/** One lane: a till with its chip reader. */
export interface LaneConfig {
  readonly name: string;
  readonly reader: string;
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
  readonly host: { readonly host: string; readonly port: number; readonly tls?: { readonly ca?: string; readonly pinSha256?: string } } | 'simulator';
  /** Reader driver: the real PC/SC service, or in-process virtual readers (demo). */
  readonly readers: 'pcsc' | 'virtual';
  readonly lanes: readonly LaneConfig[];
  /** Refunds above this amount (minor units) need a supervisor. */
  readonly refundLimitForCashier: number;
  /** Demo mode: sim.* methods on, virtual devices. */
  readonly demo: boolean;
  /** diag.transmit (raw APDUs, admin only); off by default. */
  readonly diagTransmit: boolean;
  /** The shop as its receipts name it. */
  /** The receipt printer's URL (tcp://HOST[:PORT]), if any. */
  readonly printer?: string;
  /** The receipt's code page: "cp858" (Latin, default) or "gb18030" (Chinese, for printers with a Chinese font). */
  readonly printerEncoding: PrinterProfile['encoding'];
  readonly merchant: { readonly name: string; readonly address: readonly string[]; readonly terminalId: string };
  /** Online journal backups on a schedule: every N hours, keeping `keep` copies in <dataDir>/backups. */
  readonly backup: { readonly everyHours: number; readonly keep: number } | null;
}

/** A configuration problem naming the key. */
export class ConfigError extends PosbridgeError {
  /** Builds a config error for `key`. */
  constructor(key: string, why: string) {
    super('CONFIG_INVALID', `config: ${key}: ${why}`, { details: { key } });
  }
}

/** Every code a ConfigError can carry. */
export const CONFIG_ERROR_CODES = ['CONFIG_INVALID'] as const;

const KEYS = new Set(['port', 'dataDir', 'allowedOrigins', 'host', 'readers', 'lanes', 'refundLimitForCashier', 'demo', 'diagTransmit', 'backup', 'merchant', 'printer', 'printerEncoding']);

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
    host = { host: h.host, port: h.port, ...(h.tls ? { tls: h.tls as { ca?: string; pinSha256?: string } } : {}) };
  }
  const readers = o.readers ?? 'pcsc';
  if (readers !== 'pcsc' && readers !== 'virtual') throw new ConfigError('readers', 'must be "pcsc" or "virtual"');
  const lanes = o.lanes;
  if (!Array.isArray(lanes) || lanes.length === 0) throw new ConfigError('lanes', 'must list at least one lane {"name": "A", "reader": "…"}');
  lanes.forEach((l, i) => {
    const x = l as Record<string, unknown>;
    if (typeof x !== 'object' || x === null || typeof x.name !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(x.name)) throw new ConfigError(`lanes[${i}].name`, 'must be 1–40 letters, digits, _ or -');
    if (typeof x.reader !== 'string' || x.reader === '') throw new ConfigError(`lanes[${i}].reader`, 'must name the PC/SC reader');
  });
  const refundLimit = o.refundLimitForCashier ?? 5000;
  if (typeof refundLimit !== 'number' || !Number.isInteger(refundLimit) || refundLimit < 0) throw new ConfigError('refundLimitForCashier', 'must be a non-negative integer (minor units)');
  const demo = o.demo ?? false;
  if (typeof demo !== 'boolean') throw new ConfigError('demo', 'must be true or false');
  const diagTransmit = o.diagTransmit ?? false;
  if (typeof diagTransmit !== 'boolean') throw new ConfigError('diagTransmit', 'must be true or false');
  let backup: DaemonConfig['backup'] = { everyHours: 24, keep: 7 };
  if (o.backup === null || o.backup === false) backup = null;
  else if (o.backup !== undefined) {
    const b = o.backup as Record<string, unknown>;
    if (typeof b !== 'object' || typeof b.everyHours !== 'number' || !(b.everyHours > 0) || typeof b.keep !== 'number' || !Number.isInteger(b.keep) || b.keep < 1) {
      throw new ConfigError('backup', 'must be {"everyHours": N > 0, "keep": N >= 1}, or false');
    }
    backup = { everyHours: b.everyHours, keep: b.keep };
  }
  return {
    port,
    ...(typeof o.dataDir === 'string' ? { dataDir: o.dataDir } : {}),
    allowedOrigins: origins as string[],
    host,
    readers,
    lanes: (lanes as LaneConfig[]).map((l) => ({ name: l.name, reader: l.reader })),
    refundLimitForCashier: refundLimit,
    demo,
    diagTransmit,
    backup,
    merchant: parseMerchant(o.merchant),
    ...(o.printer !== undefined ? { printer: parsePrinter(o.printer) } : {}),
    printerEncoding: parseEncoding(o.printerEncoding),
  };
}

function parseMerchant(v: unknown): DaemonConfig['merchant'] {
  if (v === undefined) return { name: 'posbridge shop', address: [], terminalId: 'POSB0001' };
  const m = v as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || m.name === '') throw new ConfigError('merchant.name', 'must be the shop name');
  if (m.address !== undefined && (!Array.isArray(m.address) || !m.address.every((x) => typeof x === 'string'))) throw new ConfigError('merchant.address', 'must be a list of lines');
  if (m.terminalId !== undefined && (typeof m.terminalId !== 'string' || !/^[ -~]{1,8}$/.test(m.terminalId))) throw new ConfigError('merchant.terminalId', 'must be 1–8 printable characters');
  return { name: m.name, address: (m.address as string[] | undefined) ?? [], terminalId: (m.terminalId as string | undefined) ?? 'POSB0001' };
}

function parsePrinter(v: unknown): string {
  if (typeof v !== 'string') throw new ConfigError('printer', 'must be a printer URL string');
  try {
    parsePrinterUrl(v);
  } catch (err) {
    if (err instanceof PrinterError) throw new ConfigError('printer', err.message);
    throw err;
  }
  return v;
}

function parseEncoding(v: unknown): PrinterProfile['encoding'] {
  if (v === undefined) return 'cp858';
  const ok = ['multilingual', 'cp437', 'cp858', 'cp1252', 'gb18030'] as const;
  const found = ok.find((e) => e === v);
  if (!found) throw new ConfigError('printerEncoding', `must be one of ${ok.join(', ')}`);
  return found;
}
