import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../journal/database.js';

/** Roles, each allowed what the ones before it are. */
export const ROLES = ['cashier', 'supervisor', 'admin'] as const;

/** A client's role. */
export type Role = (typeof ROLES)[number];

/** True when `have` is at least `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A paired client as listed (never its token). */
export interface ApiClient {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly lastSeenAt: number | null;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The clients allowed to use the API (`posbridge pair`). A token is 32 random bytes shown once; only its SHA-256 is
 * stored, so the journal never holds a usable token.
 */
export class ClientRegistry {
  /** Binds to the journal. */
  constructor(private readonly db: Db) {}

  /** Pairs a new client; returns its id and the token (shown once). */
  pair(name: string, role: Role, now: number): { id: number; token: string } {
    const token = `pb_${randomBytes(32).toString('base64url')}`;
    const r = this.db.prepare(`INSERT INTO api_clients (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)`).run(name, role, hashToken(token), now);
    return { id: Number(r.lastInsertRowid), token };
  }

  /** The client holding `token`, unless revoked; null otherwise. Records when it was last seen. */
  authenticate(token: string, now: number): ApiClient | null {
    if (typeof token !== 'string' || token.length < 10 || token.length > 200) return null;
    const row = this.db.prepare(`SELECT * FROM api_clients WHERE token_hash = ? AND revoked_at IS NULL`).get(hashToken(token)) as Row | undefined;
    if (!row) return null;
    this.db.prepare(`UPDATE api_clients SET last_seen_at = ? WHERE id = ?`).run(now, row.id);
    return toClient({ ...row, last_seen_at: now });
  }

  /** All clients, revoked ones included. */
  list(): ApiClient[] {
    return (this.db.prepare(`SELECT * FROM api_clients ORDER BY id`).all() as Row[]).map(toClient);
  }

  /** Revokes a client's token; false when there is no such active client. */
  revoke(id: number, now: number): boolean {
    const done = this.db.prepare(`UPDATE api_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(now, id).changes === 1;
    if (done) this.localRevocations++;
    return done;
  }

  private localRevocations = 0;

  /** True while the client `id` exists and is not revoked: checked before every call (a primary-key read). */
  isActive(id: number): boolean {
    const row = this.db.prepare(`SELECT revoked_at FROM api_clients WHERE id = ?`).get(id) as { revoked_at: number | null } | undefined;
    return row !== undefined && row.revoked_at === null;
  }

  /**
   * Changes when the journal may hold a new revocation: SQLite's `data_version` (bumped by every commit of another
   * connection, e.g. `posbridge clients revoke` in another process) plus this registry's own revocations (a commit on
   * our own connection does not bump it). Cheap enough to read several times a second.
   */
  changeStamp(): string {
    return `${String(this.db.pragma('data_version', { simple: true }))}:${this.localRevocations}`;
  }
}

function toClient(r: Row): ApiClient {
  return { id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at, lastSeenAt: r.last_seen_at };
}
