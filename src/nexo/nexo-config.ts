// The `nexo` section of the daemon's configuration: the Adyen-compatible Sale-to-POI endpoint (off unless present).
import { ConfigError } from '../config/config-error.js';

/** The nexo endpoint's settings, as parsed. */
export interface NexoConfig {
  /** HTTPS port (default 8443: the one Adyen's libraries call). */
  readonly port: number;
  /** Address to listen on (default 127.0.0.1); another needs `certificate` and `key`. */
  readonly bind: string;
  readonly keyIdentifier: string;
  readonly keyVersion: number;
  /** The shared passphrase, given inline … */
  readonly passphrase?: string;
  /** … or in a file (its first line), kept out of the config. */
  readonly passphraseFile?: string;
  /** PEM files of the TLS certificate and key; absent: a self-signed pair in the data directory (`posbridge nexo cert`). */
  readonly certificate?: string;
  readonly key?: string;
}

const NEXO_KEYS = ['port', 'bind', 'keyIdentifier', 'keyVersion', 'passphrase', 'passphraseFile', 'certificate', 'key'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** True for an address only this machine reaches. */
export function isLoopback(bind: string): boolean {
  return LOOPBACK.has(bind);
}

/** Validates the `nexo` section (undefined: endpoint off); ConfigError names the bad key. */
export function parseNexoConfig(v: unknown): NexoConfig | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('nexo', 'must be {"keyIdentifier": "…", "keyVersion": N, "passphrase" or "passphraseFile": "…", …}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!NEXO_KEYS.includes(k)) throw new ConfigError(`nexo.${k}`, `unknown key (known: ${NEXO_KEYS.join(', ')})`);
  const port = o.port ?? 8443;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('nexo.port', 'must be an integer 0..65535');
  const bind = o.bind ?? '127.0.0.1';
  if (typeof bind !== 'string' || bind === '') throw new ConfigError('nexo.bind', 'must be an address such as "127.0.0.1"');
  if (typeof o.keyIdentifier !== 'string' || !/^[ -~]{1,64}$/.test(o.keyIdentifier)) throw new ConfigError('nexo.keyIdentifier', 'must be the key identifier the apps use (1–64 printable characters)');
  if (typeof o.keyVersion !== 'number' || !Number.isInteger(o.keyVersion) || o.keyVersion < 0) throw new ConfigError('nexo.keyVersion', 'must be a non-negative integer');
  const hasInline = o.passphrase !== undefined;
  const hasFile = o.passphraseFile !== undefined;
  if (hasInline === hasFile) throw new ConfigError(hasInline ? 'nexo.passphraseFile' : 'nexo.passphrase', 'give exactly one of "passphrase" and "passphraseFile"');
  if (hasInline && (typeof o.passphrase !== 'string' || o.passphrase.length < 8)) throw new ConfigError('nexo.passphrase', 'must be at least 8 characters');
  if (hasFile && (typeof o.passphraseFile !== 'string' || o.passphraseFile === '')) throw new ConfigError('nexo.passphraseFile', 'must be a path');
  for (const k of ['certificate', 'key'] as const) if (o[k] !== undefined && (typeof o[k] !== 'string' || o[k] === '')) throw new ConfigError(`nexo.${k}`, 'must be the path of a PEM file');
  if ((o.certificate === undefined) !== (o.key === undefined)) throw new ConfigError(o.certificate === undefined ? 'nexo.certificate' : 'nexo.key', 'give both "certificate" and "key", or neither');
  // Off this machine, the key material rides the network: never without a TLS certificate the shop chose.
  if (!isLoopback(bind) && o.certificate === undefined) throw new ConfigError('nexo.certificate', `listening on ${bind} (not loopback) needs "certificate" and "key" (TLS); make them with \`posbridge nexo cert\``);
  return {
    port,
    bind,
    keyIdentifier: o.keyIdentifier,
    keyVersion: o.keyVersion,
    ...(typeof o.passphrase === 'string' ? { passphrase: o.passphrase } : {}),
    ...(typeof o.passphraseFile === 'string' ? { passphraseFile: o.passphraseFile } : {}),
    ...(typeof o.certificate === 'string' ? { certificate: o.certificate } : {}),
    ...(typeof o.key === 'string' ? { key: o.key } : {}),
  };
}

/** The POIID a lane answers to: its `poiId`, else "posbridge-<lane>". */
export function lanePoiId(lane: { readonly name: string; readonly poiId?: string }): string {
  return lane.poiId ?? `posbridge-${lane.name}`;
}
