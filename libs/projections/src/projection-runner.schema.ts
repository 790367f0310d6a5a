import type { Migration } from '../../sql/src/migrations.js';
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
