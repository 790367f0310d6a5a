import type { Migration } from '#sql/migrations.js';

/** The follow-up schedule read model: six-month checks and return guarantees (baseline: idempotent). */
export const FOLLOW_UP_SCHEDULE_SCHEMA: Migration = {
  version: 4,
  name: 'follow-up schedule: follow_up_checks, return_guarantees',
  sql: `
CREATE TABLE IF NOT EXISTS follow_up_checks (
  placement_id text PRIMARY KEY,
  worker_id text NOT NULL,
  programme text NOT NULL,
  exit_date date NOT NULL,
  reference_date date,
  status text NOT NULL CHECK (status IN ('scheduled', 'done', 'excluded')),
  outcome text,
  source text
);
CREATE INDEX IF NOT EXISTS follow_up_checks_by_status ON follow_up_checks (status, reference_date, placement_id);
CREATE TABLE IF NOT EXISTS return_guarantees (
  worker_id text PRIMARY KEY,
  placement_id text NOT NULL,
  expires_on date NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'expired', 'used', 'superseded'))
);
CREATE INDEX IF NOT EXISTS return_guarantees_running ON return_guarantees (status, expires_on);`,
};

/**
 * The index of provisional six-month results: results an import of declarations may still revise
 * (`not-employed`, and `ibo` which employment outranks), by worker and reference date. An import
 * reaches it through the INSZ lookup (hash → worker), so nothing here is derived from the INSZ and
 * erasure, which deletes the lookup row, leaves these rows unreachable from the person.
 */
export const PROVISIONAL_RESULTS_SCHEMA: Migration = {
  version: 11,
  name: 'follow-ups: follow_up_provisional',
  sql: `
CREATE TABLE IF NOT EXISTS follow_up_provisional (
  placement_id text PRIMARY KEY,
  worker_id text NOT NULL,
  reference_date date NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('not-employed', 'ibo'))
);
CREATE INDEX IF NOT EXISTS follow_up_provisional_by_worker ON follow_up_provisional (worker_id, reference_date);`,
};
