import type { Migration } from '#sql/migrations.js';

/**
 * History imports (docs/import.md): one row per import with its progress; the rows of an import
 * while it runs, each sealed under a key that lives only in the importing process's memory (so a
 * copy of the table reads no INSZ or name), ordered by person for the second pass; and its row
 * errors, with the INSZ masked. Rows are deleted when the import ends; errors stay with the import.
 */
export const HISTORY_IMPORTS_SCHEMA: Migration = {
  version: 80,
  name: 'imports: history_imports, history_import_rows, history_import_errors',
  sql: `
CREATE TABLE history_imports (
  import_id text PRIMARY KEY,
  sha256 text NOT NULL,
  format text NOT NULL,
  dry_run boolean NOT NULL,
  allow_unregistered boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('validating', 'importing', 'done', 'failed')),
  rows integer NOT NULL DEFAULT 0,
  rows_done integer NOT NULL DEFAULT 0,
  workers integer NOT NULL DEFAULT 0,
  errors integer NOT NULL DEFAULT 0,
  position text,
  actor text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- The same bytes are imported once: a repeat answers with this import.
CREATE UNIQUE INDEX history_imports_once ON history_imports (sha256) WHERE status = 'done' AND NOT dry_run;
CREATE TABLE history_import_rows (
  import_id text NOT NULL,
  person text NOT NULL,
  row integer NOT NULL,
  sealed text NOT NULL,
  PRIMARY KEY (import_id, person, row)
);
CREATE TABLE history_import_errors (
  import_id text NOT NULL,
  n serial,
  row integer NOT NULL,
  insz text,
  field text NOT NULL,
  code text NOT NULL,
  rule text,
  message text NOT NULL,
  PRIMARY KEY (import_id, n)
);`,
};

/**
 * Which process runs an import, and when it last said it was alive: a process that stops
 * mid-import leaves its import `validating` or `importing`, and the others mark it `failed` once
 * its heartbeat is old (docs/import.md). Imports of the release before start with a heartbeat of
 * now, so one still running then is left two minutes to show it is alive.
 */
export const HISTORY_IMPORT_OWNERS_SCHEMA: Migration = {
  version: 81,
  name: 'imports: owner and heartbeat of a running import',
  sql: `
ALTER TABLE history_imports ADD COLUMN owner text;
ALTER TABLE history_imports ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX history_imports_running ON history_imports (heartbeat_at) WHERE status IN ('validating', 'importing');`,
};
