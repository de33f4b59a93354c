// The acquirer link's TLS settings from the config: the CA given as PEM text or as the path of a PEM file.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';

/** The `host.tls` section as the config holds it. */
export interface HostTlsConfig {
  readonly ca?: string;
  readonly pinSha256?: string;
  readonly servername?: string;
}

const TLS_KEYS = ['ca', 'pinSha256', 'servername'];
const SHAPE = '{"ca"?: "/etc/posbridge/acquirer-ca.pem" (a PEM file, or the PEM text), "pinSha256"?: "64 hex digits", "servername"?: "name in the certificate"}';

/** Validates `host.tls` (shape only; the CA file is read at start by resolveHostTls). */
export function parseHostTls(v: unknown): HostTlsConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError('host.tls', `must be ${SHAPE}`);
  const t = v as Record<string, unknown>;
  for (const k of Object.keys(t)) if (!TLS_KEYS.includes(k)) throw new ConfigError(`host.tls.${k}`, `unknown key: host.tls is ${SHAPE}`);
  for (const k of TLS_KEYS) if (t[k] !== undefined && (typeof t[k] !== 'string' || t[k] === '')) throw new ConfigError(`host.tls.${k}`, 'must be a non-empty string');
  if (typeof t.pinSha256 === 'string' && !/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/.test(t.pinSha256)) throw new ConfigError('host.tls.pinSha256', "must be the SHA-256 of the host's public key: 64 hex digits (colons allowed)");
  return { ...(typeof t.ca === 'string' ? { ca: t.ca } : {}), ...(typeof t.pinSha256 === 'string' ? { pinSha256: t.pinSha256 } : {}), ...(typeof t.servername === 'string' ? { servername: t.servername } : {}) };
}

/** The TLS settings for the host channel: a CA path replaced by the PEM text it holds (ConfigError when unreadable). */
export function resolveHostTls(t: HostTlsConfig): HostTlsConfig {
  if (t.ca === undefined || t.ca.includes('-----BEGIN')) return t;
  let pem: string;
  try {
    pem = readFileSync(t.ca, 'utf8');
  } catch (err) {
    throw new ConfigError('host.tls.ca', `cannot read the CA file ${t.ca}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('host.tls.ca', `${t.ca} holds no PEM certificate`);
  return { ...t, ca: pem };
}
