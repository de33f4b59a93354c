import { ClientRegistry, ROLES, type Role } from '../../api/clients.js';
import { defaultDataDir } from '../../config/paths.js';
import { openDatabase } from '../../journal/database.js';
import { journalPath } from '../../host/stack.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';

function withRegistry<T>(fn: (r: ClientRegistry) => T): T {
  const db = openDatabase(journalPath(process.env.POSBRIDGE_DATA_DIR ?? defaultDataDir()));
  try {
    return fn(new ClientRegistry(db));
  } finally {
    db.close();
  }
}

/** `posbridge pair --role R [--name N]`: a token for a new API client, shown once (stored only as a hash). */
export async function pairCommand(ctx: CliContext, opts: { role: string; name?: string; json?: boolean }): Promise<number> {
  if (!ROLES.includes(opts.role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const name = opts.name ?? `${opts.role} client`;
  const { id, token } = withRegistry((r) => r.pair(name, opts.role as Role, Date.now()));
  if (opts.json) ctx.out(JSON.stringify({ id, name, role: opts.role, token }));
  else {
    ctx.out(`Paired client #${id} "${name}" as ${opts.role}. Its token (shown only now; keep it in the cashier app's secret store):`);
    ctx.out(token);
  }
  return EXIT.OK;
}

/** `posbridge clients list|revoke ID`: the paired API clients (never their tokens), or revoke one. */
export async function clientsCommand(ctx: CliContext, action: string, id: string | undefined, opts: { json?: boolean }): Promise<number> {
  if (action === 'list') {
    const clients = withRegistry((r) => r.list()).map((c) => ({
      ...c,
      createdAt: new Date(c.createdAt).toISOString(),
      revokedAt: c.revokedAt === null ? null : new Date(c.revokedAt).toISOString(),
      lastSeenAt: c.lastSeenAt === null ? null : new Date(c.lastSeenAt).toISOString(),
    }));
    if (opts.json) ctx.out(JSON.stringify({ clients }));
    else if (clients.length === 0) ctx.out('No clients paired. Pair one with `posbridge pair --role cashier`.');
    else for (const c of clients) ctx.out(`#${c.id} ${c.name} (${c.role})${c.revokedAt ? ` revoked ${c.revokedAt}` : ''}${c.lastSeenAt ? `, last seen ${c.lastSeenAt}` : ''}`);
    return EXIT.OK;
  }
  if (action === 'revoke') {
    const n = Number(id);
    if (!Number.isInteger(n) || n < 1) throw new UsageError('clients revoke takes the client id (see `posbridge clients list`)');
    const done = withRegistry((r) => r.revoke(n, Date.now()));
    if (opts.json) ctx.out(JSON.stringify({ id: n, revoked: done }));
    else ctx.out(done ? `Client #${n} revoked: its token no longer works; a running daemon closes its open sessions within a second.` : `No active client #${n}.`);
    return done ? EXIT.OK : EXIT.FAILED;
  }
  throw new UsageError(`clients takes "list" or "revoke ID", not "${action}"`);
}
