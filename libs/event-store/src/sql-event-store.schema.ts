import type { Migration } from '#sql/migrations.js';

/**
 * The SQL event store's tables. Version 1 is the baseline: idempotent, because databases made
 * before `schema_migrations` existed already hold these tables.
 * `event_streams`, not `streams`: read models share the schema and the name says whose table it is.
 */
export const EVENT_STORE_SCHEMA: Migration = {
  version: 1,
  name: 'event store: event_streams, events',
  sql: `
CREATE TABLE IF NOT EXISTS event_streams (
  stream_id text PRIMARY KEY,
  version integer NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  global_position bigserial NOT NULL,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_version integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, stream_version)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_log_order ON events (transaction_id, global_position);
CREATE UNIQUE INDEX IF NOT EXISTS events_sequence ON events (global_position);`,
};

/**
 * The event store's identity: one row with a random id, made once, beside the events (so a copy
 * or restored backup of the events keeps it, and another database has another). Projection
 * checkpoints record it, so read models never follow another store's log by mistake.
 */
export const EVENT_STORE_IDENTITY_SCHEMA: Migration = {
  version: 8,
  name: 'event store: event_store_identity',
  sql: `
CREATE TABLE IF NOT EXISTS event_store_identity (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  store_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
};
