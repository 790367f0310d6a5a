import { createHash, randomBytes } from 'node:crypto';
import type { SqlDatabase } from '#sql/sql.js';
import { ROLES, type Actor, type Role } from '../http/auth.js';

export interface BrowserSession {
  actor: Actor;
  /** the synchronizer token every unsafe request under this session carries as X-CSRF-Token */
  csrfToken: string;
  expiresAt: Date;
}

export interface StartedSession extends BrowserSession {
  /** the cookie's value; only its hash is stored */
  id: string;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * Server-side browser sessions in the read store: a random 256-bit id (stored as its SHA-256, so
 * the table does not hold usable cookies), the user's `sub` and roles, a CSRF synchronizer token,
 * and an expiry at most `sessionHours` after the start (checked again at every use). Ending a session deletes its row: the
 * cookie then works nowhere, in every process of the deployment. Times are the wall clock, like
 * the bearer tokens'.
 */
export class SessionStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly sessionHours: number,
    private readonly now: () => number = Date.now,
  ) {}

  async start(actor: Actor): Promise<StartedSession> {
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const createdAt = new Date(this.now());
    const expiresAt = new Date(createdAt.getTime() + Math.round(this.sessionHours * 3600_000));
    await this.db.query('INSERT INTO browser_sessions (id_hash, sub, roles, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      hashOf(id),
      actor.sub,
      actor.roles.join(','),
      csrfToken,
      createdAt.toISOString(),
      expiresAt.toISOString(),
    ]);
    return { id, actor, csrfToken, expiresAt };
  }

  /**
   * The live session of a cookie value, or null (unknown, ended or expired). A session lives at
   * most `sessionHours` as configured now, not as when it started: one started before
   * AUTH_MAX_TOKEN_HOURS was lowered ends at its start plus the lower maximum.
   */
  async find(id: string): Promise<BrowserSession | null> {
    const now = this.now();
    const maxAgeMs = Math.round(this.sessionHours * 3600_000);
    const { rows } = await this.db.query<{ sub: string; roles: string; csrf_token: string; created_at: Date | string; expires_at: Date | string }>(
      'SELECT sub, roles, csrf_token, created_at, expires_at FROM browser_sessions WHERE id_hash = $1 AND expires_at > $2 AND created_at > $3',
      [hashOf(id), new Date(now).toISOString(), new Date(now - maxAgeMs).toISOString()],
    );
    const row = rows[0];
    if (!row) return null;
    const roles = row.roles.split(',').filter((role): role is Role => (ROLES as readonly string[]).includes(role));
    const expiresAt = Math.min(new Date(row.expires_at).getTime(), new Date(row.created_at).getTime() + maxAgeMs);
    return { actor: { sub: row.sub, roles }, csrfToken: row.csrf_token, expiresAt: new Date(expiresAt) };
  }

  async end(id: string): Promise<void> {
    await this.db.query('DELETE FROM browser_sessions WHERE id_hash = $1', [hashOf(id)]);
  }

  /** Deletes expired sessions (they are refused anyway). */
  async sweep(): Promise<void> {
    await this.db.query('DELETE FROM browser_sessions WHERE expires_at <= $1', [new Date(this.now()).toISOString()]);
  }
}
