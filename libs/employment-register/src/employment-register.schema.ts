import type { Migration } from '#sql/migrations.js';

/** Imported Dimona/IBO declarations, by INSZ hash (baseline: idempotent). */
export const EMPLOYMENT_REGISTER_SCHEMA: Migration = {
  version: 5,
  name: 'employment register: employment_declarations',
  sql: `
CREATE TABLE IF NOT EXISTS employment_declarations (
  insz_hash text NOT NULL,
  employer_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('employment', 'ibo')),
  start_date date NOT NULL,
  end_date date,
  PRIMARY KEY (insz_hash, employer_id, kind, start_date)
);`,
};
