import type { Migration } from '#sql/migrations.js';

/**
 * Statistics by group read from facts: one row per placement (and the target-group markers of
 * each worker), aggregated per year at query time. A store made by an earlier release has events
 * the facts have never seen: `stat_facts_status.complete` stays false there until a rebuild
 * (`npm run projections:rebuild`) fills them, and grouped statistics refuse to answer until then.
 */
export const PLACEMENT_FACTS_SCHEMA: Migration = {
  version: 60,
  name: 'statistics by group: stat_workers, stat_placements, stat_facts_status',
  sql: `
CREATE TABLE stat_workers (
  worker_id text PRIMARY KEY,
  birth_year integer,
  migration_background boolean NOT NULL,
  disability boolean NOT NULL,
  low_education boolean NOT NULL
);
CREATE TABLE stat_placements (
  placement_id text PRIMARY KEY,
  worker_id text NOT NULL,
  programme text NOT NULL,
  enterprise_id text NOT NULL,
  start_year integer NOT NULL,
  fte_units bigint NOT NULL,
  profile_start text NOT NULL,
  exit_year integer,
  exit_excluded boolean NOT NULL DEFAULT false,
  profile_exit text,
  outcome text
);
CREATE INDEX stat_placements_by_start ON stat_placements (start_year);
CREATE TABLE stat_facts_status (
  name text PRIMARY KEY,
  complete boolean NOT NULL
);
INSERT INTO stat_facts_status (name, complete)
SELECT 'placement-facts', coalesce((SELECT position IS NULL FROM projection_checkpoints WHERE name = 'read-models'), true);`,
};
