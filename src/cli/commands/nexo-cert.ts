// `posbridge nexo cert`: a self-signed TLS certificate for the nexo endpoint that Adyen's libraries accept (CN
// <name>-<serial>.test.terminal.adyen.com, checked when an app sets certificatePath) and that also verifies by host
// name (SAN localhost, 127.0.0.1 and any --ip/--dns given) when trusted through NODE_EXTRA_CA_CERTS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../../config/paths.js';
import { TERMINAL_NAME } from '../../nexo/self-signed.js';
import { writeCertificate } from '../../nexo/nexo-endpoint.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

/** Options of `posbridge nexo cert`. */
export interface NexoCertOptions {
  readonly out?: string;
  readonly name?: string;
  readonly live?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** Writes cert.pem and key.pem (0600) into --out (default <dataDir>/nexo, where the daemon looks); refuses to overwrite without --force. */
export function nexoCertCommand(ctx: CliContext, opts: NexoCertOptions): number {
  const dir = opts.out ?? join(process.env.POSBRIDGE_DATA_DIR ?? defaultDataDir(), 'nexo');
  const name = opts.name ?? 'posbridge-terminal';
  if (!TERMINAL_NAME.test(name)) throw new UsageError(`--name must be <letters/digits>-<letters/digits> (Adyen's libraries check that form), got "${name}"`);
  if (!opts.force && (existsSync(join(dir, 'cert.pem')) || existsSync(join(dir, 'key.pem')))) throw new UsageError(`${dir} already has cert.pem or key.pem: --force replaces them (apps trusting the old certificate must get the new one)`);
  const r = writeCertificate(dir, name, opts.live ? 'live' : 'test');
  if (opts.json) ctx.out(JSON.stringify(r));
  else {
    ctx.out(`certificate: ${r.certificatePath} (CN ${r.commonName}, SAN localhost, 127.0.0.1)`);
    ctx.out(`key:         ${r.keyPath} (this user only)`);
    ctx.out('apps: Adyen Config { certificatePath: <certificate> } or NODE_EXTRA_CA_CERTS=<certificate>; the daemon: nexo.certificate and nexo.key (or leave them out to use these)');
  }
  return EXIT.OK;
}
