import type { Migration } from '#sql/migrations.js';

/** Published statistics tables, frozen as the projections stood (publications.ts). */
export const PUBLICATIONS_SCHEMA: Migration = {
  version: 10,
  name: 'statistics: stat_publications',
  sql: `
CREATE TABLE IF NOT EXISTS stat_publications (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  id text PRIMARY KEY,
  spec text NOT NULL,
  position text,
  published_at timestamptz NOT NULL,
  published_by text NOT NULL,
  frozen text NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS stat_publications_seq ON stat_publications (seq);`,
};
