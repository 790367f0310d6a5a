import type { Migration } from '../../../../libs/sql/src/migrations.js';

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
