// Builds and starts the nexo endpoint from the daemon's parts: its key (the passphrase inline or from a file), its
// TLS pair (configured, else a self-signed one kept in the data directory), and a backend that calls the
// WebSocket API's own method handlers.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { apiErrorOf } from '../api/error-map.js';
import { ApiError } from '../api/errors.js';
import { invoke, type MethodSpec, type Session } from '../api/rpc.js';
import { DaemonError } from '../config/daemon-errors.js';
import type { Logger } from '../log/logger.js';
import type { PaymentStore } from '../payments/payment-store.js';
import type { Merchant } from '../receipts/text-receipt.js';
import { NexoError } from './errors.js';
import { lanePoiId, type NexoConfig } from './nexo-config.js';
import type { NexoKey } from './nexo-crypto.js';
import { NexoServer } from './nexo-server.js';
import { NexoService } from './nexo-service.js';
import { selfSignedCertificate } from './self-signed.js';

/** The daemon's parts the endpoint uses. */
export interface NexoParts {
  readonly config: NexoConfig;
  readonly lanes: readonly { readonly name: string; readonly poiId?: string }[];
  readonly dataDir: string;
  readonly methods: ReadonlyMap<string, MethodSpec>;
  readonly store: PaymentStore;
  readonly merchant: Merchant & { readonly merchantId?: string };
  readonly receiptWidth?: (lane: string) => number;
  readonly logger: Logger;
}

/** A running nexo endpoint. */
export interface RunningNexo {
  readonly port: number;
  /** https://<bind>:<port>/nexo/ */
  readonly url: string;
  /** The PEM certificate the apps trust (certificatePath or NODE_EXTRA_CA_CERTS). */
  readonly certificatePath: string;
  stop(): Promise<void>;
}

/** The endpoint's TLS pair: the configured files, else `<dataDir>/nexo/cert.pem` and key.pem, made once if missing. */
export function nexoTls(config: NexoConfig, dataDir: string): { cert: string; key: string; certificatePath: string } {
  let certificatePath = config.certificate;
  let keyPath = config.key;
  if (!certificatePath || !keyPath) {
    const dir = join(dataDir, 'nexo');
    certificatePath = join(dir, 'cert.pem');
    keyPath = join(dir, 'key.pem');
    if (!existsSync(certificatePath) || !existsSync(keyPath)) writeCertificate(dir, `posbridge-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`);
  }
  try {
    return { cert: readFileSync(certificatePath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certificatePath };
  } catch (err) {
    throw new NexoError('NEXO_TLS_UNUSABLE', `cannot read the nexo TLS certificate or key (${(err as NodeJS.ErrnoException).code ?? String(err)}): check nexo.certificate and nexo.key`, { certificatePath }, err);
  }
}

/** Writes a new self-signed pair (cert.pem, key.pem readable by this user only) into `dir`; returns the paths. */
export function writeCertificate(dir: string, terminalName: string, environment: 'test' | 'live' = 'test'): { certificatePath: string; keyPath: string; commonName: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = selfSignedCertificate({ terminalName, environment });
  const certificatePath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certificatePath, pair.certificate);
  return { certificatePath, keyPath, commonName: pair.commonName };
}

/** The shared key: the passphrase inline, or the first line of its file. */
export function nexoKey(config: NexoConfig): NexoKey {
  let passphrase = config.passphrase;
  if (passphrase === undefined) {
    try {
      passphrase = readFileSync(config.passphraseFile ?? '', 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new NexoError('NEXO_PASSPHRASE_UNREADABLE', `cannot read nexo.passphraseFile (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { path: config.passphraseFile }, err);
    }
    if (passphrase.length < 8) throw new NexoError('NEXO_PASSPHRASE_UNREADABLE', 'the first line of nexo.passphraseFile must be a passphrase of at least 8 characters', { path: config.passphraseFile });
  }
  return { keyIdentifier: config.keyIdentifier, keyVersion: config.keyVersion, passphrase };
}

/** Starts the endpoint; PORT_IN_USE when its port is taken. */
export async function startNexo(p: NexoParts): Promise<RunningNexo> {
  const key = nexoKey(p.config);
  const tls = nexoTls(p.config, p.dataDir);
  // The endpoint acts as one trusted client: the passphrase holder may do what a supervisor may (payment.reverse).
  const session: Session = { client: { id: 0, name: 'nexo', role: 'supervisor', createdAt: 0, revokedAt: null, lastSeenAt: null }, connectionId: -1, stillAuthorized: () => true };
  const service = new NexoService({
    call: async (method, params) => {
      const spec = p.methods.get(method);
      if (!spec) throw new ApiError('METHOD_NOT_FOUND', `no method ${method}`);
      try {
        return await invoke(method, spec, params, session);
      } catch (err) {
        const e = apiErrorOf(err);
        if (e !== err) p.logger.warn('nexo: the payment engine refused', { method, code: e.code, cause: err instanceof Error ? err.message : String(err) });
        throw e;
      }
    },
    store: p.store,
    merchant: p.merchant,
    lanes: new Map(p.lanes.map((l) => [lanePoiId(l), l.name])),
    logger: p.logger,
    ...(p.receiptWidth ? { receiptWidth: p.receiptWidth } : {}),
  });
  const server = new NexoServer({ port: p.config.port, bind: p.config.bind, key, tls, handle: (r) => service.handle(r), logger: p.logger });
  let port: number;
  try {
    port = await server.start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DaemonError('PORT_IN_USE', `the nexo endpoint cannot listen on ${p.config.bind}:${p.config.port} (${code ?? String(err)}): stop that program or set nexo.port`, { port: p.config.port }, err);
  }
  const host = p.config.bind.includes(':') ? `[${p.config.bind}]` : p.config.bind;
  p.logger.info('nexo endpoint ready', { url: `https://${host}:${port}/nexo/`, poiIds: p.lanes.map(lanePoiId) });
  return { port, url: `https://${host}:${port}/nexo/`, certificatePath: tls.certificatePath, stop: () => server.stop() };
}
