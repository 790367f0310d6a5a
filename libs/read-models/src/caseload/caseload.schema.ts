import type { Migration } from '#sql/migrations.js';

/**
 * The caseload read model: one row per worker, answering "whose workers are these, where do they
 * stand". Personal data is kept only as the ciphertexts from the events (unreadable once the
 * worker's key is shredded); nothing here is derived from the INSZ. Rows are ordered by worker id,
 * which never changes, so keyset pages stay correct while workers are added or updated.
 */
export const CASELOAD_SCHEMA: Migration = {
  version: 13,
  name: 'caseload: caseload_workers',
  sql: `
CREATE TABLE IF NOT EXISTS caseload_workers (
  worker_id text PRIMARY KEY,
  coach text,
  programme text,
  status text NOT NULL CHECK (status IN ('registered', 'active', 'exited')),
  last_step_date date,
  version integer NOT NULL,
  insz_ciphertext text,
  given_name_ciphertext text,
  family_name_ciphertext text
);
CREATE INDEX IF NOT EXISTS caseload_workers_by_coach ON caseload_workers (coach, worker_id);
CREATE INDEX IF NOT EXISTS caseload_workers_by_status ON caseload_workers (status, worker_id);`,
};

/** Each worker's live steps, so that a retraction can be undone (caseload.projection.ts); a rebuild fills it. */
export const CASELOAD_STEPS_SCHEMA: Migration = {
  version: 16,
  name: 'caseload: caseload_workers.steps',
  sql: `
ALTER TABLE caseload_workers ADD COLUMN IF NOT EXISTS steps jsonb NOT NULL DEFAULT '[]';`,
};
