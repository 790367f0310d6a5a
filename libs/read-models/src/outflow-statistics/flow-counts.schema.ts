import type { Migration } from '#sql/migrations.js';

/** The outflow statistics' counters per programme and year (baseline: idempotent). */
export const FLOW_COUNTS_SCHEMA: Migration = {
  version: 3,
  name: 'outflow statistics: stat_flow_counts',
  sql: `
CREATE TABLE IF NOT EXISTS stat_flow_counts (
  programme text NOT NULL,
  year integer NOT NULL,
  inflow integer NOT NULL DEFAULT 0,
  outflow integer NOT NULL DEFAULT 0,
  fte_units_in bigint NOT NULL DEFAULT 0,
  fte_units_out bigint NOT NULL DEFAULT 0,
  exits_excluded integer NOT NULL DEFAULT 0,
  checked_employed integer NOT NULL DEFAULT 0,
  checked_ibo integer NOT NULL DEFAULT 0,
  checked_not_employed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (programme, year)
);`,
};
