// The answers `posbridge init` needs (from flags, or asked), checked one by one, and the configuration they make.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/config-error.js';
import { kindOf, type DeviceKind } from '../../daemon/device-kind.js';
import { PINPAD_KINDS } from '../../daemon/lane-pinpad.js';
import { STRIPE_KINDS } from '../../daemon/lane-stripe.js';
import { PRINTER_KINDS } from '../../daemon/printer-kinds.js';
import { UsageError } from '../exit-codes.js';
import { parseHostPort } from '../host-target.js';

/** Options of `posbridge init` as commander gives them. */
export interface InitOptions {
  readonly nonInteractive?: boolean;
  readonly json?: boolean;
  readonly host?: string;
  readonly tls?: boolean;
  readonly tlsCa?: string;
  readonly tlsPin?: string;
  readonly terminalId?: string;
  readonly merchantId?: string;
  readonly merchantName?: string;
  readonly lane?: string;
  readonly reader?: string;
  readonly contactlessReader?: string;
  readonly pinpad?: string;
  readonly printer?: string;
  readonly stripe?: string;
  readonly dataDir?: string;
  readonly metrics?: string;
  readonly out?: string;
  readonly force?: boolean;
}

/** What the configuration is made of. */
export interface InitAnswers {
  readonly host: { readonly host: string; readonly port: number; readonly tls?: { readonly ca?: string; readonly pinSha256?: string } };
  readonly terminalId: string;
  readonly merchantId?: string;
  readonly merchantName: string;
  readonly lane: string;
  readonly reader: string;
  readonly contactless?: string;
  readonly pinpad?: string;
  readonly printer?: string;
  readonly stripe?: string;
  readonly dataDir?: string;
  readonly metricsPort?: number;
}

/** HOST:PORT, checked. */
export function checkHost(v: string): { host: string; port: number } {
  return parseHostPort(v);
}

/** The terminal id: 1–8 printable characters (ISO 8583 field 41). */
export function checkTerminalId(v: string): string {
  if (!/^[ -~]{1,8}$/.test(v)) throw new UsageError(`--terminal-id must be 1–8 printable characters (ISO 8583 field 41), got "${v}"`);
  return v;
}

/** The merchant id: 1–15 printable characters (ISO 8583 field 42). */
export function checkMerchantId(v: string): string {
  if (!/^[ -~]{1,15}$/.test(v)) throw new UsageError(`--merchant-id must be 1–15 printable characters (ISO 8583 field 42), got "${v}"`);
  return v;
}

/** The shop's name as its receipts print it. */
export function checkMerchantName(v: string): string {
  if (v.trim() === '') throw new UsageError('--merchant-name must not be empty');
  return v.trim();
}

/** A lane name: 1–40 letters, digits, _ or -. */
export function checkLane(v: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(v)) throw new UsageError(`--lane must be 1–40 letters, digits, _ or -, got "${v}"`);
  return v;
}

/**
 * A device setting checked by the registry kind that claims it (`docs/configuration.md`'s forms), as `option` names
 * it in the message; a simulator's kind is refused: a production configuration never holds one.
 */
function checkDevice(kinds: readonly DeviceKind<unknown>[], value: string, option: string): string {
  let kind: DeviceKind<unknown>;
  let kept: string;
  try {
    kind = kindOf(kinds, value, option);
    kept = kind.parse(value, option);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message.replace(/^config: /, ''));
    throw err;
  }
  if (kind.demoOnly) throw new UsageError(`${option}: "${value}" is a simulator, for the demo only: use ${kinds.filter((k) => !k.demoOnly).map((k) => k.form).join(' or ')}`);
  return kept;
}

/** The PIN pad: "reader" or a serial pad's URL. */
export const checkPinPad = (v: string): string => checkDevice(PINPAD_KINDS, v, '--pinpad');

/** The receipt printer's URL. */
export const checkPrinter = (v: string): string => checkDevice(PRINTER_KINDS, v, '--printer');

/** The stripe reader: hid, hid:VVVV:PPPP or hid:PATH. */
export const checkStripe = (v: string): string => checkDevice(STRIPE_KINDS, v, '--stripe');

/** The metrics port (0..65535). */
export function checkMetricsPort(v: string): number {
  const n = Number(v);
  if (!/^[0-9]{1,5}$/.test(v) || n > 65535) throw new UsageError(`--metrics must be a port 0..65535, got "${v}"`);
  return n;
}

/** The acquirer's TLS settings from --tls, --tls-ca FILE (its PEM text is kept: the channel takes the CA itself) and --tls-pin. */
export function tlsOf(o: Pick<InitOptions, 'tls' | 'tlsCa' | 'tlsPin'>): { ca?: string; pinSha256?: string } | undefined {
  if (!o.tls && o.tlsCa === undefined && o.tlsPin === undefined) return undefined;
  let ca: string | undefined;
  if (o.tlsCa !== undefined) {
    try {
      ca = readFileSync(o.tlsCa, 'utf8');
    } catch (err) {
      throw new UsageError(`--tls-ca: cannot read ${o.tlsCa}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--tls-ca: ${o.tlsCa} holds no PEM certificate`);
  }
  if (o.tlsPin !== undefined && !/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/.test(o.tlsPin)) throw new UsageError('--tls-pin must be the SHA-256 of the host\'s public key, 64 hex digits (colons allowed)');
  return { ...(ca !== undefined ? { ca } : {}), ...(o.tlsPin !== undefined ? { pinSha256: o.tlsPin } : {}) };
}

/** The daemon's configuration (as JSON to write) from the answers: a production one, never a simulator. */
export function configOf(a: InitAnswers): Record<string, unknown> {
  const lane = {
    name: a.lane,
    reader: a.reader,
    ...(a.contactless ? { contactless: a.contactless } : {}),
    ...(a.pinpad ? { pinpad: a.pinpad } : {}),
    ...(a.stripe ? { stripe: a.stripe } : {}),
  };
  return {
    host: a.host,
    readers: 'pcsc',
    ...(a.dataDir ? { dataDir: a.dataDir } : {}),
    merchant: { name: a.merchantName, address: [], terminalId: a.terminalId, ...(a.merchantId ? { merchantId: a.merchantId } : {}) },
    ...(a.printer ? { printer: a.printer } : {}),
    lanes: [lane],
    ...(a.metricsPort !== undefined ? { metrics: { bind: '127.0.0.1', port: a.metricsPort } } : {}),
  };
}
