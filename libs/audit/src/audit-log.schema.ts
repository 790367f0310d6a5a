import type { Migration } from '#sql/migrations.js';

/** The audit trail's table, append-only by trigger (audit-log.ts). */
export const AUDIT_LOG_SCHEMA: Migration = {
  version: 14,
  name: 'audit: audit_log, append-only',
  sql: `
CREATE TABLE IF NOT EXISTS audit_log (
  seq bigint PRIMARY KEY,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('read', 'lookup', 'command', 'erase')),
  worker_id text,
  detail text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_by_worker ON audit_log (worker_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_by_actor ON audit_log (actor, seq);
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();`,
};

/**
 * `at` becomes a timestamp (it was ISO 8601 text, so that a bound such as `?to=9999-12-31`
 * compared as text and silently matched nothing). Each entry's hash covers the ISO text of its
 * moment (UTC, milliseconds), which `AT_ISO` reads back exactly as it was written. And TRUNCATE is
 * refused as DELETE is, for every role (a trigger per statement). ALTER TABLE does not fire row
 * triggers; the release before wrote `at` as text, so its processes must stop before this one
 * starts (docs/operations.md, "Upgrading").
 */
export const AUDIT_LOG_TIMESTAMPS_SCHEMA: Migration = {
  version: 51,
  name: 'audit: at as timestamptz; TRUNCATE refused',
  sql: `
ALTER TABLE audit_log ALTER COLUMN at TYPE timestamptz USING at::timestamptz;
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();`,
};
