import type { Migration } from '#sql/migrations.js';

/**
 * Imported declarations whose revisions are still to be made (declaration-revisions.ts): queued
 * by the import before it stores the declarations, taken and deleted by the worker.
 */
export const DECLARATION_REVISIONS_SCHEMA: Migration = {
  version: 18,
  name: 'follow-ups: declaration_revisions',
  sql: `
CREATE TABLE IF NOT EXISTS declaration_revisions (
  id bigserial PRIMARY KEY,
  insz_hash text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('employment', 'ibo')),
  start_date date NOT NULL,
  end_date date,
  ready boolean NOT NULL DEFAULT false,
  after_position text,
  queued_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz
);`,
};
