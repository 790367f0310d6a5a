import type { Migration } from '#sql/migrations.js';

/** Stored answers of `Idempotency-Key` requests (baseline: idempotent). */
export const IDEMPOTENCY_SCHEMA: Migration = {
  version: 7,
  name: 'http: idempotency_keys',
  sql: `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  actor text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, key)
);`,
};

/** Stored answers expire after 24 hours: the sweep deletes by age. */
export const IDEMPOTENCY_EXPIRY_SCHEMA: Migration = {
  version: 15,
  name: 'http: idempotency_keys by age',
  sql: `
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);`,
};
