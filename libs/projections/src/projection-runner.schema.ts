import type { Migration } from '#sql/migrations.js';
import { RUNNER_NAME } from './projection-runner.js';

/** The runner's checkpoint and rebuild flag, with the runner's row (baseline: idempotent). */
export const PROJECTION_RUNNER_SCHEMA: Migration = {
  version: 2,
  name: 'projections: projection_checkpoints, projection_status',
  sql: `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name text PRIMARY KEY,
  position text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS projection_status (
  name text PRIMARY KEY,
  rebuilding boolean NOT NULL DEFAULT false,
  rebuild_started_at timestamptz
);
INSERT INTO projection_checkpoints (name, position) VALUES ('${RUNNER_NAME}', NULL) ON CONFLICT DO NOTHING;
INSERT INTO projection_status (name) VALUES ('${RUNNER_NAME}') ON CONFLICT DO NOTHING;`,
};

/**
 * Beside the checkpoint: the identity of the event store whose log the position belongs to, and
 * the events skipped because their type is unknown here (counted in the checkpoint's transaction,
 * so exactly once).
 */
export const CHECKPOINT_EVENT_STORE_SCHEMA: Migration = {
  version: 9,
  name: 'projections: checkpoint event store identity, skipped events',
  sql: `
ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS event_store_id text;
ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS skipped_events bigint NOT NULL DEFAULT 0;
ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS last_skipped_type text;`,
};
