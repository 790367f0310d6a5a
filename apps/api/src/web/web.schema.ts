import type { Migration } from '#sql/migrations.js';

/**
 * Browser sessions (docs/browser-sessions.md): the sessions, by the SHA-256 of their id (the
 * cookie's value never reaches the database), and the login codes already redeemed, by the
 * SHA-256 of their `jti`, kept until the code would have expired anyway.
 */
export const BROWSER_SESSIONS_SCHEMA: Migration = {
  version: 17,
  name: 'web: browser_sessions, login_codes_used',
  sql: `
CREATE TABLE browser_sessions (
  id_hash text PRIMARY KEY,
  sub text NOT NULL,
  roles text NOT NULL,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX browser_sessions_by_expiry ON browser_sessions (expires_at);
CREATE TABLE login_codes_used (
  code_hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX login_codes_used_by_expiry ON login_codes_used (expires_at);`,
};
